"""Members pulled from head office into a register.

Rules (docs/chain.md): head office's copy wins for every field it has (it
already resolved edits from all stores, last writer per field), except while
this register still has edits of that member waiting to be sent; a member
found here by phone under another uid is the same person enrolled in two
stores: the local row takes head office's uid and keeps its sales and points;
a member head office merged into another (``pos hq members merge``) is kept,
marked merged (its card attaches the other; its sales stay), its points moving
to the other through the ledger. The points balance is head office's ledger sum
plus what waits to be sent, reached by one ``sync`` entry in the local ledger,
below zero too (a debt: the same points spent at two stores offline).

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
from sqlalchemy.orm import Session, aliased

from pos.domain.members import members as member_service
from pos.domain.members.loyalty import FLOOR_BY_HQ, TierFloor
from pos.domain.members.member_care import erase_member
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import central, health
from pos.sync.outbox import MEMBER_GROUPS, SYNC_REASON, member_fields, referral

_Referrer = aliased(Member, name="referrer")
"""A member's referrer, whose uid travels with the member."""


def member_rows(session: Session, since: datetime | None) -> list[dict[str, Any]]:
    """Members changed at head office after ``since`` (all when None), with their points."""
    query = select(Member, central.balance_of(Member.id), _Referrer.uid).outerjoin(
        _Referrer, _Referrer.id == Member.referrer_id
    )
    if since is not None:
        query = query.where(Member.updated_at > since)
    return [
        _row(member, points, referrer)
        for member, points, referrer in session.execute(query.order_by(Member.id))
    ]


def member_page(
    session: Session, after: central.FeedMark, horizon: int, limit: int
) -> list[tuple[dict[str, Any], central.FeedMark]]:
    """Up to ``limit`` members from head office's change feed after ``after``, with their
    points (one query), each with its place in the feed."""
    xid, seq = central.feed_order("member")
    visited, allergies, conditions = health.pulled_columns()
    rows = session.execute(
        select(
            Member,
            central.balance_of(Member.id),
            xid,
            seq,
            _Referrer.uid,
            visited,
            allergies,
            conditions,
        )
        .outerjoin(_Referrer, _Referrer.id == Member.referrer_id)
        .outerjoin(health.NOTES, health.NOTES.c.member_id == Member.id)
        .where(central.feed_filter("member", after, horizon))
        .order_by(xid, seq)
        .limit(limit)
    )
    pulled = []
    for member, points, x, s, referrer, here, *notes in rows:
        row = _row(member, points, referrer)
        # the notes only for members who visited this store (row-level security too)
        row["fields"]["health"] = health.pulled(member.consent_health, here, *notes)
        pulled.append((row, central.FeedMark(int(x), int(s))))
    return pulled


def _row(member: Member, points: int | None, referrer_uid: str | None) -> dict[str, Any]:
    return {
        "uid": member.uid,
        "card_no": member.card_no,
        "enrolled_at": member.enrolled_at,
        "enrolled_store": member.enrolled_store,
        "enrolled_by": member.enrolled_by,
        "erased_at": member.erased_at,
        "updated_at": member.updated_at,
        "fields": member_fields(member),
        "referral": referral(member, referrer_uid),
        "points": int(points or 0),
        "merged_into": member.merged_into_uid,
    }


LOOKUP_CHUNK = 500
"""Keys per lookup query while applying a page (SQLite allows a few thousand at most)."""


class _Page:
    """The register's members a page of head office's rows touches, looked up at once.

    Kept current while the page is applied (a phone moved, a card taken), so each
    row costs no query of its own.
    """

    def __init__(self, session: Session, rows: list[dict[str, Any]]) -> None:
        self.session = session
        uids = [row["uid"] for row in rows]
        phones = [phone for row in rows if (phone := row["fields"]["phone"]["phone"])]
        self.by_uid: dict[str, Member] = {}
        self.by_phone: dict[str, Member] = {}
        for member in self._members(Member.uid, uids) + self._members(Member.phone, phones):
            self._know(member)
        self.cards = set(self._column(Member.card_no, [row["card_no"] for row in rows]))
        self.points = self._balances([member.id for member in self.by_uid.values()])

    def _members(self, column: Any, keys: list[str]) -> list[Member]:
        found: list[Member] = []
        for first in range(0, len(keys), LOOKUP_CHUNK):
            found += self.session.scalars(
                select(Member).where(column.in_(keys[first : first + LOOKUP_CHUNK]))
            )
        return found

    def _column(self, column: Any, keys: list[str]) -> list[str]:
        found: list[str] = []
        for first in range(0, len(keys), LOOKUP_CHUNK):
            found += self.session.scalars(
                select(column).where(column.in_(keys[first : first + LOOKUP_CHUNK]))
            )
        return found

    def _balances(self, ids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for first in range(0, len(ids), LOOKUP_CHUNK):
            found |= {
                member_id: int(total or 0)
                for member_id, total in self.session.execute(
                    select(PointsEntry.member_id, func.sum(PointsEntry.delta))
                    .where(PointsEntry.member_id.in_(ids[first : first + LOOKUP_CHUNK]))
                    .group_by(PointsEntry.member_id)
                )
            }
        return found

    def _know(self, member: Member) -> None:
        self.by_uid[member.uid] = member
        if member.phone:
            self.by_phone[member.phone] = member

    def by_phone_of(self, phone: str | None) -> Member | None:
        """The member holding ``phone`` at this register now."""
        if not phone:
            return None
        member = self.by_phone.get(phone)
        return member if member is not None and member.phone == phone else None

    def look_up_uids(self, uids: list[str]) -> None:
        """Know the members of these uids (the referrers of the page's members) too."""
        wanted = sorted({uid for uid in uids if uid not in self.by_uid})
        for member in self._members(Member.uid, wanted):
            self.by_uid.setdefault(member.uid, member)

    def adopt(self, member: Member, uid: str) -> None:
        """``member`` is known at head office as ``uid`` from now on."""
        self.by_uid.pop(member.uid, None)
        member.uid = uid
        self.by_uid[uid] = member

    def new(self, row: dict[str, Any]) -> Member:
        """A member new to this register (under another card number if this one is taken)."""
        card_no = row["card_no"]
        if card_no in self.cards:
            card_no = member_service.new_card_no(self.session)
        self.cards.add(card_no)
        member = _new_member(row, card_no)
        self.session.add(member)
        self.by_uid[member.uid] = member
        return member

    def moved_phone(self, member: Member, before: str | None) -> bool:
        """Note that ``member``'s phone may have changed from ``before``; whether it gave
        one up."""
        if member.phone == before:
            return False
        if before and self.by_phone.get(before) is member:
            del self.by_phone[before]
        if member.phone:
            self.by_phone[member.phone] = member
        return bool(before)


def apply_members(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Bring the register's members to head office's; return how many were touched.

    The members of the page are looked up together, changed without a flush per
    row, then their points settled: a page of thousands costs a few queries.
    """
    waiting = _waiting(session)
    page = _Page(session, rows)
    targets: list[tuple[Member, int]] = []
    referred: list[tuple[Member, dict[str, Any]]] = []
    with session.no_autoflush:
        for row in rows:
            member = page.by_uid.get(row["uid"])
            phone = row["fields"]["phone"]["phone"]
            if member is None and phone:
                member = page.by_phone_of(phone)
                fields = row["fields"]
                if member is not None and not central.same_person(
                    fields["name"]["name"], fields["birthday"]["birthday"], member
                ):
                    member = None  # someone else under that phone: not merged (as head office)
                if member is not None and member.erased_at is None:
                    page.adopt(member, row["uid"])  # the same person, enrolled here too: merged
            if member is None:
                member = page.new(row)
            if row["erased_at"] is not None:
                _erase(session, member, row["erased_at"])
            elif member.erased_at is None and member.uid not in waiting["member"]:
                local_tier = member.tier
                local_floor = member_service.tier_floor(member)
                before = member.phone
                _apply_fields(page, member, row["fields"])
                if page.moved_phone(member, before):
                    session.flush()  # the phone it gave up is free before another takes it
                _tier_from_hq(member, local_tier, local_floor)
                if "referral" in row:
                    referred.append((member, row["referral"]))
            if member.erased_at is None:
                member.merged_into_uid = row.get("merged_into")
            targets.append((member, row["points"]))
    session.flush()
    _apply_referrals(page, referred)
    unsent = _unsent_by_survivor(session, waiting["points"])
    for member, points in targets:
        # A member merged into another has no points of its own at head office: what it
        # has here moves to the other through the ledger, with what waits to be sent.
        target = points if member.merged_into_uid else points + unsent.get(member.uid, 0)
        _settle_points(session, member, page.points.get(member.id, 0), target, now)
    session.flush()
    return len(rows)


def _new_member(row: dict[str, Any], card_no: str) -> Member:
    return Member(
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


def _apply_fields(page: _Page, member: Member, fields: dict[str, dict[str, Any]]) -> None:
    for group, values in fields.items():
        if group == "phone" and values["phone"] and values["phone"] != member.phone:
            other = page.by_phone_of(values["phone"])
            if other is not None and other is not member:
                continue  # resolved when that other member comes down too
        for column in MEMBER_GROUPS[group]:
            if column in values:  # health notes travel only where the member visits
                setattr(member, column, central.from_json(column, values[column]))


def _apply_referrals(page: _Page, referred: list[tuple[Member, dict[str, Any]]]) -> None:
    """Head office's referral codes, referrers (by uid: of this page or on file) and
    credits, once every member of the page is here."""
    page.look_up_uids([r["referrer_uid"] for _m, r in referred if r.get("referrer_uid")])
    for member, data in referred:
        if data.get("code"):
            member.referral_code = data["code"]
        referrer = page.by_uid.get(data.get("referrer_uid") or "")
        if referrer is not None and referrer is not member:
            member.referrer_id = referrer.id
        if data.get("credited_at") and member.referral_credited_at is None:
            member.referral_credited_at = datetime.fromisoformat(data["credited_at"])
    page.session.flush()


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


def _settle_points(
    session: Session, member: Member, current: int, target: int, now: datetime
) -> None:
    """One ``sync`` ledger entry makes the local balance (``current``) ``target``.

    A target below zero is head office's honest figure (points redeemed at two stores
    offline): the member owes them, and points earned later pay the debt in the ledger."""
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


def _unsent_by_survivor(session: Session, unsent: dict[str, int]) -> dict[str, int]:
    """Points waiting to be sent per member uid, those of a member merged into another
    counted for that other (head office credits them to it)."""
    if not unsent:
        return {}
    merged = {
        uid: into
        for uid, into in session.execute(
            select(Member.uid, Member.merged_into_uid).where(Member.merged_into_uid.is_not(None))
        )
    }
    found: dict[str, int] = {}
    for uid, points in unsent.items():
        survivor = merged.get(uid) or uid
        found[survivor] = found.get(survivor, 0) + points
    return found


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
