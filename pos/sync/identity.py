"""Head office's members: the values that lost, listed for a manager.

Head office settles concurrent edits of a member by its own order of arrival
(never a register's clock) and keeps every losing value in ``hq_member_conflict``:
an edit replaced by another register's edit that arrived later, a phone that
belongs to another member (a phone given up and enrolled again by someone else is
never merged by phone). ``pos hq members conflicts`` lists them, personal data
masked; ``pos hq members resolve`` lets a manager mark one resolved (keeping the
member's value, or applying the one that lost: it reaches the registers through the
change feed), audited (who, when, what was kept); ``pos hq members merge|unmerge`` let
a manager join two members or take a merge apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pos.domain.members.members import mask_name, mask_phone
from pos.i18n import _
from pos.models import (
    HqEvent,
    HqMemberAlias,
    HqMemberConflict,
    HqMemberField,
    HqPointsEntry,
    HqSale,
    Member,
)
from pos.sync.central import from_json
from pos.sync.outbox import MEMBER_GROUPS


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
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    """``mine``, ``theirs`` or ``merged`` (see :func:`resolve`)."""


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
                resolved_at=row.resolved_at,
                resolved_by=row.resolved_by,
                resolution=row.resolution,
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


class MergeError(ValueError):
    """A merge, unmerge or resolution that cannot be made (the message says why)."""


MINE = "mine"
"""A resolution keeping the member's value at head office (the one that won)."""
THEIRS = "theirs"
"""A resolution applying the value that lost."""
MERGED = "merged"
"""A conflict between two members resolved by merging them."""


def resolve(session: Session, conflict_id: int, keep: str, by: str, now: datetime) -> str:
    """Mark conflict ``conflict_id`` resolved by manager ``by`` at ``now`` (head office's
    clock); the member's card.

    ``keep``: :data:`MINE` leaves the member as it is; :data:`THEIRS` applies the value
    that lost (a phone only while no other member has it), and the member goes down the
    change feed to every register. Head office keeps who resolved it, when, and what
    was kept.
    """
    who = by.strip()[:64]
    if not who:
        raise MergeError(_("Say who resolves the conflict: --by USER"))
    row = session.get(HqMemberConflict, conflict_id, with_for_update=True)
    if row is None:
        raise MergeError(_("No member conflict #{id}").format(id=conflict_id))
    if row.resolved_at is not None:
        raise MergeError(
            _("Conflict #{id} is already resolved ({by})").format(
                id=conflict_id, by=row.resolved_by or row.resolution or "-"
            )
        )
    member = session.get_one(Member, row.member_id, with_for_update=True)
    if keep == THEIRS:
        _apply_lost(session, member, row, now)
    row.resolved_at, row.resolved_by, row.resolution = now, who, keep
    return member.card_no


def _apply_lost(session: Session, member: Member, row: HqMemberConflict, now: datetime) -> None:
    """Give the member the value that lost, as head office's own edit."""
    if member.erased_at is not None:
        raise MergeError(_("Card {card} was erased").format(card=member.card_no))
    if row.field not in MEMBER_GROUPS:
        raise MergeError(_("Field {field} cannot be applied").format(field=row.field))
    values = json.loads(row.lost)
    phone = values.get("phone") if row.field == "phone" else None
    if phone:
        holder = session.scalar(select(Member).where(Member.phone == phone, Member.id != member.id))
        if holder is not None:
            raise MergeError(
                _(
                    "That phone is card {card}'s: change that member's phone first, or merge "
                    "the two members"
                ).format(card=holder.card_no)
            )
    for column in MEMBER_GROUPS[row.field]:
        setattr(member, column, from_json(column, values.get(column)))
    stamp = session.get(HqMemberField, (member.id, row.field))
    if stamp is None:
        stamp = HqMemberField(member_id=member.id, field=row.field)
        session.add(stamp)
    stamp.changed_at = now  # head office's own edit (no store, no register)
    stamp.store_code, stamp.register_id, stamp.received_at = "", "", now
    member.updated_at = now  # down the change feed to every register


def _by_card(session: Session, card_no: str) -> Member:
    member = session.scalar(
        select(Member).where(Member.card_no == card_no, Member.erased_at.is_(None))
    )
    if member is None:
        raise MergeError(_("No member with card {card} at head office").format(card=card_no))
    return member


def merge(session: Session, card_a: str, card_b: str, now: datetime) -> None:
    """Merge member B into member A (a manager's decision: the same person).

    B's points entries count for A from now on (each keeps whose it was), B's sales
    are A's, items registers send for B go to A, and the conflicts between the two
    are resolved. B's row stays, so :func:`unmerge` can take it apart again.
    """
    a, b = _by_card(session, card_a), _by_card(session, card_b)
    if a.id == b.id:
        raise MergeError(_("Cards {a} and {b} are the same member").format(a=card_a, b=card_b))
    merged = session.scalar(
        select(HqMemberAlias.uid).where(HqMemberAlias.uid.in_([a.uid, b.uid])).limit(1)
    )
    if merged is not None:
        raise MergeError(_("Card {card} is already merged").format(card=card_b))
    session.execute(
        update(HqPointsEntry)
        .where(HqPointsEntry.member_id == b.id)
        .values(member_id=a.id, merged_from=b.id)
    )
    session.execute(update(HqSale).where(HqSale.member_uid == b.uid).values(member_uid=a.uid))
    session.add(HqMemberAlias(uid=b.uid, member_id=a.id, card_no=b.card_no))
    b.merged_into_uid = a.uid  # registers pull it: B's card attaches A
    session.execute(
        update(HqMemberConflict)
        .where(
            HqMemberConflict.resolved_at.is_(None),
            or_(
                (HqMemberConflict.member_id == a.id) & (HqMemberConflict.other_member_id == b.id),
                (HqMemberConflict.member_id == b.id) & (HqMemberConflict.other_member_id == a.id),
            ),
        )
        .values(resolved_at=now, resolution=MERGED)
    )
    a.updated_at = b.updated_at = now  # registers pull the new balances


def unmerge(session: Session, card_b: str, now: datetime) -> str:
    """Take member B apart from the member it was merged into (by a manager, or at its
    enrolment under the same phone); return B's card.

    B's points entries and sales (those the registers sent for B) are B's again. A
    member merged at enrolment gets its row back from its enrolment, without the phone
    (the other member keeps it).
    """
    alias = session.scalar(select(HqMemberAlias).where(HqMemberAlias.card_no == card_b))
    if alias is None:
        raise MergeError(_("Card {card} is not merged into another member").format(card=card_b))
    survivor = session.get_one(Member, alias.member_id)
    b = session.scalar(select(Member).where(Member.uid == alias.uid))
    if b is None:
        b = _from_enrolment(session, alias, now)
    sent_for_b = select(HqEvent.uid).where(HqEvent.kind == "points", HqEvent.key == alias.uid)
    session.execute(
        update(HqPointsEntry)
        .where(
            HqPointsEntry.member_id == survivor.id,
            or_(HqPointsEntry.merged_from == b.id, HqPointsEntry.uid.in_(sent_for_b)),
        )
        .values(member_id=b.id, merged_from=None)
    )
    sales_of_b = select(HqEvent.key).where(
        HqEvent.kind == "sale", HqEvent.payload.contains(f'"member_uid": "{alias.uid}"')
    )
    session.execute(
        update(HqSale)
        .where(HqSale.member_uid == survivor.uid, HqSale.number.in_(sales_of_b))
        .values(member_uid=b.uid)
    )
    session.delete(alias)
    b.merged_into_uid = None
    survivor.updated_at = b.updated_at = now
    return b.card_no


def _from_enrolment(session: Session, alias: HqMemberAlias, now: datetime) -> Member:
    """The member row of an enrolment that was merged into another at head office."""
    payload = session.scalar(
        select(HqEvent.payload)
        .where(
            HqEvent.kind == "member",
            HqEvent.key == alias.uid,
            HqEvent.payload.contains('"op": "enrol"'),
        )
        .order_by(HqEvent.received_at)
        .limit(1)
    )
    data = json.loads(payload) if payload else {}
    if data.get("op") != "enrol":
        raise MergeError(
            _("Card {card} has no enrolment at head office").format(card=alias.card_no)
        )
    member = Member(
        uid=alias.uid,
        card_no=alias.card_no,
        tier="normal",
        enrolled_at=datetime.fromisoformat(data["enrolled_at"]),
        enrolled_store=data.get("enrolled_store") or "",
        enrolled_by=data.get("enrolled_by"),
        consent_terms=True,
        consents_at=datetime.fromisoformat(data["changed_at"]),
        updated_at=now,
    )
    for group, values in data.get("fields", {}).items():
        if group == "phone" or group not in MEMBER_GROUPS:
            continue  # the phone stays with the other member
        for column in MEMBER_GROUPS[group]:
            setattr(member, column, from_json(column, values.get(column)))
    session.add(member)
    session.flush()
    return member
