"""Head office's members: the values that lost, listed for a manager.

Head office settles concurrent edits of a member by its own order of arrival
(never a register's clock) and keeps every losing value in ``hq_member_conflict``:
an edit replaced by another register's edit that arrived later, a phone that
belongs to another member (a phone given up and enrolled again by someone else is
never merged by phone). ``pos hq members conflicts`` lists them, personal data
masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.members.members import mask_name, mask_phone
from pos.models import HqMemberConflict, Member


@dataclass(frozen=True)
class ConflictView:
    """One losing value, as a manager sees it."""

    id: int
    card_no: str
    phone: str
    """The member's phone now, masked."""
    field: str
    reason: str
    lost: str
    """The losing value, masked where personal (phone, name; health data not shown)."""
    store_code: str
    register_id: str
    changed_at: datetime
    other_card_no: str | None
    recorded_at: datetime


def conflicts(session: Session, include_resolved: bool = False) -> list[ConflictView]:
    """The conflicts, oldest first (those not marked resolved, or all)."""
    query = select(HqMemberConflict).order_by(HqMemberConflict.id)
    if not include_resolved:
        query = query.where(HqMemberConflict.resolved_at.is_(None))
    found = []
    for row in session.scalars(query):
        member = session.get_one(Member, row.member_id)
        other = session.get(Member, row.other_member_id) if row.other_member_id else None
        found.append(
            ConflictView(
                id=row.id,
                card_no=member.card_no,
                phone=mask_phone(member.phone),
                field=row.field,
                reason=row.reason,
                lost=shown(row.field, json.loads(row.lost)),
                store_code=row.store_code,
                register_id=row.register_id,
                changed_at=row.changed_at,
                other_card_no=other.card_no if other is not None else None,
                recorded_at=row.recorded_at,
            )
        )
    return found


def shown(field: str, values: dict[str, object]) -> str:
    """A field group's values for the list: personal data masked, health data left out."""
    if field == "phone":
        return mask_phone(str(values.get("phone") or ""))
    if field == "name":
        return mask_name(str(values.get("name") or ""))
    if field == "health":
        return "consent_health=" + str(values.get("consent_health"))
    return ", ".join(f"{key}={value}" for key, value in sorted(values.items()))
