"""A redemption of points confirmed by head office while the customer pays.

Online, head office confirms it: the member's points there (the chain ledger's
sum, the member's row locked meanwhile) less the points other redemptions hold
there, plus this register's own entries not yet sent, must cover the points
redeemed; head office then holds them (``hq_points_hold``) until this register's
entry of the redemption arrives, carrying the hold's uid. When head office does not answer
within the timeout, the offline rule applies instead: a member may redeem at most
``[sync] offline_redeem_limit`` points a day at this register (today's
redemptions here count, confirmed or not). What two offline registers still let
through shows up at head office as a negative balance (``pos hq report
negative-balances``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.config import Settings
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import central, points
from pos.sync.asking import HqQuestions, Unanswered

HOLD_HOURS = 24
"""How long head office holds confirmed points when the redemption never arrives."""


@dataclass(frozen=True)
class Verdict:
    """How a redemption was allowed: ``online`` (head office confirmed) or ``offline``."""

    online: bool
    available: int
    """Online: the points head office (less its holds) and this register's unsent entries
    give the member; offline: what is left of today's offline limit."""
    hold: str | None = None
    """Online: the hold head office placed on the points (its uid goes with the entry)."""


class RedemptionCheck:
    """Asks head office before points are redeemed; offline, a per-member daily limit."""

    def __init__(
        self,
        hq_url: str,
        offline_limit: int,
        timeout_seconds: int = 3,
        clock: Callable[[], float] = time.monotonic,
        hold_hours: int = HOLD_HOURS,
    ) -> None:
        self.offline_limit = offline_limit
        self.hold_hours = hold_hours
        self._hq = HqQuestions(hq_url, timeout_seconds, "pos-redeem", clock)

    @property
    def hq_url(self) -> str:
        """Head office's URL."""
        return self._hq.hq_url

    @hq_url.setter
    def hq_url(self, url: str) -> None:
        """Head office moved: the next question goes to ``url``."""
        self._hq.close()
        self._hq.hq_url = url

    def confirm(
        self,
        session: Session,
        member_id: int,
        points: int,
        since: datetime,
        till: tuple[str, str],
    ) -> Verdict:
        """Allow redeeming ``points`` for the member, or raise :class:`InputError` saying why.

        ``since`` is the start of today (the offline limit is per day); ``till`` the
        register's (store, register), for whom head office holds the points. ``session``
        is the register's; nothing is written to it.
        """
        member = session.get_one(Member, member_id)
        unsent = _unsent_points(session, member.uid)
        answer = self._ask(member.uid, points, unsent, till)
        if answer is not None:
            available, hold = answer
            if hold is None:
                raise InputError(
                    _(
                        "Head office shows {available} points for this member (spent in "
                        "another store?): redeem at most that"
                    ).format(available=max(available, 0))
                )
            return Verdict(True, available, hold)
        used = redeemed_since(session, member_id, since)
        left = max(self.offline_limit - used, 0)
        if points > left:
            raise InputError(
                _(
                    "Head office cannot confirm points now: offline, a member may redeem at "
                    "most {limit} points a day here ({left} left today)"
                ).format(limit=self.offline_limit, left=left)
            )
        return Verdict(False, left)

    def _ask(
        self, uid: str, wanted: int, unsent: list[tuple[int, str | None]], till: tuple[str, str]
    ) -> tuple[int, str | None] | None:
        """Head office's answer: the points available to the member and, when they cover
        ``wanted``, the hold it placed on them (None: refused); None when head office
        cannot be asked."""
        try:
            return self._hq.ask(lambda hq: self._hold(hq, uid, wanted, unsent, till))
        except Unanswered:
            return None

    def _hold(
        self,
        hq: Session,
        uid: str,
        wanted: int,
        unsent: list[tuple[int, str | None]],
        till: tuple[str, str],
    ) -> tuple[int, str | None]:
        """In one head-office transaction: lock the member, check its balance less the
        open holds, and hold ``wanted`` points if they are there."""
        member = central.member_by_uid(hq, uid, lock=True)
        now = central.hq_now(hq)
        held_for = member.uid if member is not None else uid
        balance = 0
        if member is not None and member.erased_at is None:
            balance = points.ledger_sum(hq, member.id)
        holds = points.open_holds(hq, held_for, now)
        # This register's entries not sent yet count, except redemptions whose hold is
        # still open (the hold already counts them).
        mine = sum(delta for delta, hold in unsent if hold is None or hold not in holds)
        available = balance - sum(holds.values()) + mine
        if wanted > available:
            return available, None
        return available, points.place_hold(hq, held_for, wanted, till, now, self.hold_hours)

    def release(self, hold: str) -> None:
        """Give back a hold whose redemption did not take place (best effort: otherwise
        it expires)."""
        try:
            self._hq.ask(lambda hq: points.release_holds(hq, [hold]))
        except Unanswered:
            return

    def close(self) -> None:
        """Forget the engine and the last failure (no connection is kept between redemptions)."""
        self._hq.close()


def _unsent_points(session: Session, uid: str) -> list[tuple[int, str | None]]:
    """The member's points entries made here and not yet sent to head office: each
    one's points and the hold head office placed for it (if any)."""
    payloads = session.scalars(
        select(OutboxItem.payload).where(
            OutboxItem.kind == "points", OutboxItem.key == uid, OutboxItem.sent_at.is_(None)
        )
    )
    entries = [json.loads(payload) for payload in payloads]
    return [(int(entry.get("delta", 0)), entry.get("hold")) for entry in entries]


def redeemed_since(session: Session, member_id: int, since: datetime) -> int:
    """Points the member redeemed at this register since ``since``."""
    total = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member_id,
            PointsEntry.reason == "redeem",
            PointsEntry.created_at >= since,
        )
    )
    return -int(total or 0)


def redemption_check(settings: Settings) -> RedemptionCheck | None:
    """The register's check, when it belongs to a chain (``[sync] hq_url`` set)."""
    sync = settings.sync
    if not sync.hq_url:
        return None
    return RedemptionCheck(
        sync.hq_url,
        sync.offline_redeem_limit,
        sync.redeem_timeout_seconds,
        hold_hours=sync.redeem_hold_hours,
    )
