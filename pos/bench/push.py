"""A day offline caught up: 2,000 sales pushed to head office through a 30 ms link.

The register's outbox is filled with copies of one real sale (its sale, stock and
points items, each copy under a new number and new ids), then :func:`runner.push`
sends them through a :class:`DelayProxy` that puts head office a round trip away.
The floor is what the round trips alone cost; the target is the issue's (≤ 30 s).
Used by ``pos bench run`` (with ``POS_BENCH_HQ_URL``, a scratch head-office database)
and by the tests.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pos.bench.delay_proxy import DelayProxy
from pos.bench.report import Result
from pos.enums import Tender
from pos.models import Member, OutboxItem
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import open_database
from pos.store.demo import load_demo
from pos.sync import central, runner

ROUND_TRIP = 0.030
"""Seconds between the register and head office (a store far from head office)."""
DAY_OFFLINE = 2000
TARGET_SECONDS = 30.0
HQ_URL_VARIABLE = "POS_BENCH_HQ_URL"


@dataclass(frozen=True)
class PushTiming:
    """One push through the delaying proxy."""

    seconds: float
    items: int
    round_trips: int
    round_trip: float

    @property
    def floor(self) -> float:
        """What the round trips alone cost."""
        return self.round_trips * self.round_trip


def day_offline(sessions: sessionmaker[Session], count: int) -> int:
    """Copy the newest sale's outbox items ``count`` times (new numbers, new ids), unsent;
    return how many items that made."""
    token = uuid4().hex[:6]
    with sessions.begin() as session:
        sale = session.scalars(
            select(OutboxItem).where(OutboxItem.kind == "sale").order_by(OutboxItem.id.desc())
        ).first()
        if sale is None:
            raise ValueError("no sale in the outbox to copy")
        number = sale.key
        related = [
            item
            for item in session.scalars(
                select(OutboxItem)
                .where(OutboxItem.id > sale.id - 200, OutboxItem.kind.in_(("stock", "points")))
                .order_by(OutboxItem.id)
            )
            if json.loads(item.payload).get("sale_number") == number
        ]
        rows = []
        for index in range(count):
            copy = f"{number}-{token}{index:05d}"
            for item in (sale, *related):
                payload = json.loads(item.payload)
                payload["number" if item.kind == "sale" else "sale_number"] = copy
                rows.append(
                    {
                        "uid": uuid4().hex,
                        "kind": item.kind,
                        "key": copy if item.kind == "sale" else item.key,
                        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
                        "created_at": item.created_at,
                    }
                )
        session.execute(insert(OutboxItem), rows)
    return len(rows)


def push_through_proxy(
    sessions: sessionmaker[Session],
    hq_url: str,
    store_code: str,
    register_id: str,
    round_trip: float = ROUND_TRIP,
) -> PushTiming:
    """Send the whole outbox to head office ``round_trip`` seconds away; how long it took."""
    with sessions() as session:
        waiting = len(
            session.scalars(select(OutboxItem.id).where(OutboxItem.sent_at.is_(None))).all()
        )
    parsed = make_url(central.engine_url(hq_url))
    with DelayProxy(parsed.host or "127.0.0.1", parsed.port or 5432, round_trip) as proxy:
        far = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        engine = central.make_hq_engine(far)
        try:
            started = time.perf_counter()
            runner.push(sessions, central.hq_sessions(engine), store_code, register_id)
            seconds = time.perf_counter() - started
        finally:
            engine.dispose()
        return PushTiming(seconds, waiting, proxy.round_trips, round_trip)


def register_with_a_day_offline(
    path: Path, hq_url: str, count: int = DAY_OFFLINE
) -> tuple[Engine, sessionmaker[Session]]:
    """A demo register at ``path`` in sync with head office, then ``count`` sales made offline
    (one real sale to a member, copied)."""
    today = datetime.now(UTC).date()
    engine, sessions = open_database(path)
    with sessions.begin() as session:
        load_demo(session, today)
    register = RegisterService(sessions, RegisterIdentity("001", "01"))
    with sessions() as session:
        member_id = session.scalars(select(Member.id).order_by(Member.id)).first()
    product = register.search("维生素", 1)[0]
    register.add_product(product.id)
    if member_id is not None:
        register.attach_member(member_id)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    register.complete(tendering)
    hq = central.make_hq_engine(hq_url)
    try:
        runner.push(sessions, central.hq_sessions(hq), "001", "01")  # in sync, then offline
    finally:
        hq.dispose()
    with sessions() as session:
        newest = session.scalars(
            select(OutboxItem).where(OutboxItem.kind == "sale").order_by(OutboxItem.id.desc())
        ).first()
        assert newest is not None
        first = [
            item.id
            for item in session.scalars(select(OutboxItem).where(OutboxItem.id >= newest.id))
            if item.kind == "sale" or json.loads(item.payload).get("sale_number") == newest.key
        ]
    day_offline(sessions, count - 1)  # with the real sale: ``count`` sales
    with sessions.begin() as session:  # the real sale is sent again too (head office skips it)
        session.execute(update(OutboxItem).where(OutboxItem.id.in_(first)).values(sent_at=None))
    return engine, sessions


def chain_push(quick: bool) -> Result:
    """The ``pos bench`` row: a day offline (2,000 sales) caught up through a 30 ms link."""
    count = 200 if quick else DAY_OFFLINE
    result = Result(
        "chain_push",
        f"push {count} sales of a day offline, {ROUND_TRIP * 1000:.0f} ms to head office",
        f"≤ {TARGET_SECONDS:.0f} s",
    )
    hq_url = os.environ.get(HQ_URL_VARIABLE, "")
    if not hq_url:
        result.note = f"not measured: set {HQ_URL_VARIABLE} to a scratch head-office database"
        return result
    hq = central.make_hq_engine(hq_url)
    try:
        central.init_hq(hq)
    finally:
        hq.dispose()
    with tempfile.TemporaryDirectory() as folder:
        engine, sessions = register_with_a_day_offline(Path(folder) / "register.db", hq_url, count)
        try:
            timing = push_through_proxy(sessions, hq_url, "001", "01")
        finally:
            engine.dispose()
    result.samples_ms = [timing.seconds * 1000]
    result.met = timing.seconds <= TARGET_SECONDS
    result.note = (
        f"{timing.items} outbox items in {timing.round_trips} round trips: floor "
        f"{timing.floor:.1f} s (round trips × {ROUND_TRIP * 1000:.0f} ms), "
        f"{timing.seconds - timing.floor:.1f} s of work on top"
    )
    return result
