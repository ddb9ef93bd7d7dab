"""Members pulled from head office into a register.

Rules (docs/chain.md): head office's copy wins for every field it has (it
already resolved edits from all stores, last writer per field), except while
this register still has edits of that member waiting to be sent; a member
found here by phone under another uid is the same person enrolled in two
stores: the local row takes head office's uid and keeps its sales and points;
the points balance is head office's ledger sum plus what waits to be sent,
reached by one ``sync`` entry in the local ledger.

Tiers: a floor (an imported tier, kept until ``tier_until``) travels as head
office has it. A tier head office has that differs from this register's, and
that no floor there explains, was set by head office (or another store): it
becomes this register's floor, by ``hq``, so a sale here, which sees only this
register's spend, never lowers it; it follows head office's tier from then on.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.members import members as member_service
from pos.domain.members.loyalty import FLOOR_BY_HQ, TierFloor
from pos.domain.members.member_care import erase_member
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import central
from pos.sync.outbox import MEMBER_GROUPS, SYNC_REASON, member_fields


def member_rows(session: Session, since: datetime | None) -> list[dict[str, Any]]:
    """Members changed at head office after ``since`` (all when None), with their points."""
    query = select(Member)
    if since is not None:
        query = query.where(Member.updated_at > since)
    rows = list(session.scalars(query.order_by(Member.id)))
    points = central.balances(session, [member.id for member in rows])
    return [
        {
            "uid": member.uid,
            "card_no": member.card_no,
            "enrolled_at": member.enrolled_at,
            "enrolled_store": member.enrolled_store,
            "enrolled_by": member.enrolled_by,
            "erased_at": member.erased_at,
            "updated_at": member.updated_at,
            "fields": member_fields(member),
            "points": points.get(member.id, 0),
        }
        for member in rows
    ]


def apply_members(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Bring the register's members to head office's; return how many were touched."""
    waiting = _waiting(session)
    for row in rows:
        member = session.scalar(select(Member).where(Member.uid == row["uid"]))
        phone = row["fields"]["phone"]["phone"]
        if member is None and phone:
            member = member_service.member_by_phone(session, phone)
            fields = row["fields"]
            if member is not None and not central.same_person(
                fields["name"]["name"], fields["birthday"]["birthday"], member
            ):
                member = None  # someone else under that phone: not merged (head office agrees)
            if member is not None and member.erased_at is None:
                member.uid = row["uid"]  # the same person, enrolled here too: merged
        if member is None:
            member = _new_member(session, row)
        if row["erased_at"] is not None:
            _erase(session, member, row["erased_at"])
        elif member.erased_at is None and member.uid not in waiting["member"]:
            local_tier = member.tier
            local_floor = member_service.tier_floor(member)
            _apply_fields(session, member, row["fields"])
            _tier_from_hq(member, local_tier, local_floor)
        session.flush()
        _settle_points(session, member, row["points"] + waiting["points"].get(member.uid, 0), now)
    return len(rows)


def _new_member(session: Session, row: dict[str, Any]) -> Member:
    card_no = row["card_no"]
    if session.scalar(select(Member.id).where(Member.card_no == card_no)) is not None:
        card_no = member_service.new_card_no(session)
    member = Member(
        uid=row["uid"],
        card_no=card_no,
        tier="normal",
        enrolled_at=row["enrolled_at"],
        enrolled_store=row["enrolled_store"],
        enrolled_by=row["enrolled_by"],
        consent_terms=True,
        consents_at=row["enrolled_at"],
        updated_at=row["updated_at"],
    )
    session.add(member)
    return member


def _apply_fields(session: Session, member: Member, fields: dict[str, dict[str, Any]]) -> None:
    for group, values in fields.items():
        if group == "phone" and values["phone"] and values["phone"] != member.phone:
            other = member_service.member_by_phone(session, values["phone"])
            if other is not None and other.id != member.id:
                continue  # resolved when that other member comes down too
        for column in MEMBER_GROUPS[group]:
            setattr(member, column, central.from_json(column, values[column]))


def _tier_from_hq(member: Member, local_tier: str, local_floor: TierFloor | None) -> None:
    """Head office's tier, as a floor unless head office's own floor explains it."""
    if member_service.tier_floor(member) is not None:
        return  # head office's floor, as it is
    if member.tier != local_tier:
        member_service.set_tier_floor(member, TierFloor(member.tier, None, FLOOR_BY_HQ))
    elif local_floor is not None and local_floor.by == FLOOR_BY_HQ:
        member_service.set_tier_floor(member, local_floor)  # still head office's tier


def _erase(session: Session, member: Member, at: datetime) -> None:
    if member.erased_at is None:
        session.flush()
        erase_member(session, member, at)


def _settle_points(session: Session, member: Member, target: int, now: datetime) -> None:
    """One ``sync`` ledger entry makes the local balance ``target`` (never below zero)."""
    if member.id is None:
        session.flush()
    current = int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
                PointsEntry.member_id == member.id
            )
        )
        or 0
    )
    target = max(target, 0)
    if target == current:
        return
    session.add(
        PointsEntry(
            member_id=member.id,
            delta=target - current,
            reason=SYNC_REASON,
            balance_after=target,
            created_at=now,
        )
    )


def _waiting(session: Session) -> dict[str, Any]:
    """Member uids with edits still to send, and points still to send per member uid."""
    edited: set[str] = set()
    points: dict[str, int] = {}
    for kind, key, payload in session.execute(
        select(OutboxItem.kind, OutboxItem.key, OutboxItem.payload).where(
            OutboxItem.sent_at.is_(None), OutboxItem.kind.in_(("member", "points"))
        )
    ):
        if kind == "member":
            edited.add(key)
        else:
            points[key] = points.get(key, 0) + int(json.loads(payload)["delta"])
    return {"member": edited, "points": points}
