"""A day offline (2,000 sales) caught up through a link 30 ms from head office, within the
issue's 30 s, with a few round trips per batch; sent again, nothing is doubled."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos.bench.push import (
    DAY_OFFLINE,
    ROUND_TRIP,
    TARGET_SECONDS,
    push_through_proxy,
    register_with_a_day_offline,
)
from pos.models import HqEvent, HqPointsEntry, HqSale, HqStockMovement, OutboxItem
from pos.sync import central, runner


def hq_counts(url: str) -> tuple[int, int, int, int]:
    engine = central.make_hq_engine(url)
    try:
        with Session(engine) as hq:
            return tuple(  # type: ignore[return-value]
                int(hq.scalar(select(func.count()).select_from(model)) or 0)
                for model in (HqSale, HqStockMovement, HqPointsEntry, HqEvent)
            )
    finally:
        engine.dispose()


def test_a_day_offline_is_caught_up_through_a_30_ms_link(tmp_path: Path, hq_url: str) -> None:
    engine, sessions = register_with_a_day_offline(tmp_path / "register.db", hq_url)
    try:
        with sessions() as session:
            items = int(
                session.scalar(
                    select(func.count(OutboxItem.id)).where(OutboxItem.sent_at.is_(None))
                )
                or 0
            )
        timing = push_through_proxy(sessions, hq_url, "001", "01")
        assert timing.items == items and items >= 2 * DAY_OFFLINE  # a sale, its stock, points
        assert timing.seconds >= timing.floor  # the proxy did delay every round trip
        assert timing.seconds <= TARGET_SECONDS, timing
        batches = -(-items // runner.BATCH)
        assert timing.round_trips <= 12 * batches + 10, timing  # a few statements per batch
        sales, stock, points, events = hq_counts(hq_url)
        assert sales >= DAY_OFFLINE and stock >= DAY_OFFLINE and points >= DAY_OFFLINE
        # The marks of the sent items lost: all sent again, nothing doubled.
        with sessions.begin() as session:
            session.execute(update(OutboxItem).values(sent_at=None))
        again = push_through_proxy(sessions, hq_url, "001", "01", ROUND_TRIP)
        assert again.items >= items
        assert hq_counts(hq_url) == (sales, stock, points, events)
    finally:
        engine.dispose()
