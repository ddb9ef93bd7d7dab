"""A redemption of points confirmed by head office while the customer pays.

Online, head office confirms it: the member's points there (the chain ledger's
sum, the member's row locked meanwhile), plus this register's own entries not
yet sent, must cover the points redeemed. When head office does not answer
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

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from pos.config import Settings
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import central

RETRY_AFTER = 60.0
"""Seconds after head office failed to answer during which payment does not ask again."""


@dataclass(frozen=True)
class Verdict:
    """How a redemption was allowed: ``online`` (head office confirmed) or ``offline``."""

    online: bool
    available: int
    """Online: the points head office and this register's unsent entries give the member;
    offline: what is left of today's offline limit."""


class RedemptionCheck:
    """Asks head office before points are redeemed; offline, a per-member daily limit."""

    def __init__(
        self,
        hq_url: str,
        offline_limit: int,
        timeout_seconds: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hq_url = hq_url
        self.offline_limit = offline_limit
        self.timeout_seconds = timeout_seconds
        self._clock = clock
        self._engine: Engine | None = None
        self._quiet_until = 0.0

    def confirm(self, session: Session, member_id: int, points: int, since: datetime) -> Verdict:
        """Allow redeeming ``points`` for the member, or raise :class:`InputError` saying why.

        ``since`` is the start of today (the offline limit is per day). ``session`` is the
        register's; nothing is written to it.
        """
        member = session.get_one(Member, member_id)
        unsent = _unsent_points(session, member.uid)
        at_hq = self._ask(member.uid)
        if at_hq is not None:
            available = at_hq + unsent
            if points > available:
                raise InputError(
                    _(
                        "Head office shows {available} points for this member (spent in "
                        "another store?): redeem at most that"
                    ).format(available=max(available, 0))
                )
            return Verdict(True, available)
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

    def _ask(self, uid: str) -> int | None:
        """Head office's points for the member (0 if it does not know them yet); None when
        head office cannot be asked."""
        if self._clock() < self._quiet_until:
            return None
        try:
            engine = self._hq_engine()
            with central.hq_sessions(engine).begin() as hq:
                found = central.points_at_hq(hq, uid)
        except (SQLAlchemyError, OSError, central.HqUrlError):
            self._quiet_until = self._clock() + RETRY_AFTER
            return None
        return found or 0

    def _hq_engine(self) -> Engine:
        if self._engine is None:
            millis = self.timeout_seconds * 1000
            self._engine = create_engine(
                central.engine_url(self.hq_url),
                poolclass=NullPool,  # a fresh connection each time: no stale one to hang on
                connect_args={
                    "connect_timeout": self.timeout_seconds,
                    "tcp_user_timeout": millis,
                    "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
                    "application_name": "pos-redeem",
                },
            )
        return self._engine

    def close(self) -> None:
        """Forget the engine and the last failure (no connection is kept between redemptions)."""
        self._quiet_until = 0.0
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _unsent_points(session: Session, uid: str) -> int:
    """The member's points entries made here and not yet sent to head office."""
    payloads = session.scalars(
        select(OutboxItem.payload).where(
            OutboxItem.kind == "points", OutboxItem.key == uid, OutboxItem.sent_at.is_(None)
        )
    )
    return sum(int(json.loads(payload).get("delta", 0)) for payload in payloads)


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
    return RedemptionCheck(sync.hq_url, sync.offline_redeem_limit, sync.redeem_timeout_seconds)
