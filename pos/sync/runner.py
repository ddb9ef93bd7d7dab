"""One sync of a register with head office: push the outbox, then pull what changed.

Push: unsent outbox items go up in batches, each batch in one head-office
transaction; only after it commits are they marked sent here. A connection
lost in between means the batch is sent again, and head office, which keeps
every item's id, applies each once.

Pull: members (with their points balance, the chain ledger's sum), catalogue,
prices and promotions from head office's change feed (``central.FeedMark``), in
pages of at most ``page_size`` changes after the last one this register
applied; a page is applied in chunks of :data:`APPLY_CHUNK`, each in its own
short local transaction together with its new mark, so sales go on meanwhile
and a pull cut half-way resumes where it stopped.

Purge: outbox items head office confirmed longer ago than the retention
window are deleted, in their own short transactions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pos import __version__
from pos.domain.staff import audit
from pos.models import OutboxItem, SyncState, utcnow
from pos.sync import catalogue, central, members, outbox

BATCH = 200
PAGE_SIZE = 5000
"""Changes pulled per page unless the caller says otherwise (``[sync] page_size``)."""
APPLY_CHUNK = 500
"""Changes applied per local transaction: each is short (well under the busy timeout a
sale waits at most), so the register sells while a large page is applied."""
PURGE_CHUNK = 1000
"""Outbox items deleted per local transaction."""


@dataclass(frozen=True)
class PullProgress:
    """Where a pull is: ``done`` of ``total`` changes of ``feed`` applied."""

    feed: str
    done: int
    total: int


Progress = Callable[[PullProgress], None]


@dataclass(frozen=True)
class Feed:
    """One of head office's feeds: its table, how a page is read and how it is applied."""

    name: str
    read: Callable[
        [Session, central.FeedMark, int, int], list[tuple[dict[str, Any], central.FeedMark]]
    ]
    apply: Callable[[Session, list[dict[str, Any]], datetime], int]


FEEDS = (
    Feed("member", members.member_page, members.apply_members),
    Feed("product", catalogue.product_page, catalogue.apply_products),
    Feed("promotion", catalogue.promotion_page, catalogue.apply_promotions),
)


class SyncFailed(Exception):
    """Head office could not be reached or refused; nothing was lost (the message says why)."""


@dataclass(frozen=True)
class SyncReport:
    """What one sync did."""

    pushed: int
    applied: int
    """Of the pushed items, how many head office had not seen."""
    members: int
    products: int
    promotions: int
    waiting: int


@dataclass(frozen=True)
class SyncStatus:
    """The sync state shown at the register."""

    configured: bool
    waiting: int
    last_sync: datetime | None
    error: str


def status(sessions: sessionmaker[Session], configured: bool = True) -> SyncStatus:
    """Waiting items, the last good sync and the last error, from the register's database."""
    with sessions() as session:
        state = _state(session)
        last = state.get("last_sync")
        return SyncStatus(
            configured=configured,
            waiting=outbox.waiting(session),
            last_sync=datetime.fromisoformat(last) if last else None,
            error=state.get("last_error", ""),
        )


def sync(
    sessions: sessionmaker[Session],
    hq_engine: Engine,
    store_code: str,
    register_id: str,
    now: datetime | None = None,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    retention: timedelta | None = None,
) -> SyncReport:
    """Push the outbox, then pull; :class:`SyncFailed` if head office fails on the way.

    With ``retention``, sent items older than that are purged from the outbox.
    """
    hq = central.hq_sessions(hq_engine)
    guard = central.watchdog(hq_engine)
    cuts = guard.cuts if guard is not None else 0
    try:
        pushed, applied = push(sessions, hq, store_code, register_id)
        pulled = pull(sessions, hq, page_size, progress)
    except SQLAlchemyError as exc:
        if guard is not None and guard.cuts > cuts:
            message = f"no answer from head office within {guard.seconds} s"
        else:
            message = _reason(exc)
        _save(sessions, {"last_error": message})
        raise SyncFailed(message) from exc
    except (KeyError, TypeError, ValueError) as exc:  # an item head office cannot read
        message = f"head office could not apply an item: {type(exc).__name__}: {exc}"[:200]
        _save(sessions, {"last_error": message})
        raise SyncFailed(message) from exc
    stamp = (now or utcnow()).isoformat()
    _save(sessions, {"last_sync": stamp, "last_error": ""})
    if retention is not None:
        purge(sessions, (now or utcnow()) - retention)
    with sessions() as session:
        left = outbox.waiting(session)
    report = central.RegisterReport(
        store_code, register_id, __version__, pushed > 0, left, now or utcnow()
    )
    try:
        with hq.begin() as remote:
            central.report_register(remote, report)
    except SQLAlchemyError as exc:  # the sync itself went through: only the report is late
        _save(sessions, {"last_error": _reason(exc)})
    return SyncReport(pushed, applied, *pulled, waiting=left)


def purge(sessions: sessionmaker[Session], before: datetime) -> int:
    """Delete outbox items head office confirmed before ``before``; return how many.

    Only sent items go (head office has them, and keeps each id, so nothing can
    be applied twice); each chunk is its own short transaction.
    """
    purged = 0
    while True:
        with sessions.begin() as session:
            ids = session.scalars(
                select(OutboxItem.id)
                .where(OutboxItem.sent_at.is_not(None), OutboxItem.sent_at < before)
                .order_by(OutboxItem.id)
                .limit(PURGE_CHUNK)
            ).all()
            if not ids:
                return purged
            session.execute(delete(OutboxItem).where(OutboxItem.id.in_(ids)))
        purged += len(ids)


def push(
    sessions: sessionmaker[Session], hq: sessionmaker[Session], store_code: str, register_id: str
) -> tuple[int, int]:
    """Send unsent outbox items in order; return (sent, new at head office).

    The audit log's head goes first into the outbox (and is anchored here), when it
    changed since the last sync: head office keeps a copy to check the log against.
    """
    with sessions.begin() as session:
        audit.anchor_for_sync(session, utcnow())
    sent = applied = 0
    while True:
        with sessions() as session:
            rows = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.sent_at.is_(None))
                .order_by(OutboxItem.id)
                .limit(BATCH)
            ).all()
            items = [
                central.Sent(row.uid, row.kind, row.key, json.loads(row.payload), row.created_at)
                for row in rows
            ]
            ids = [row.id for row in rows]
        if not items:
            return sent, applied
        with hq.begin() as remote:
            applied += central.receive(
                remote, store_code, register_id, items, central.hq_now(remote)
            )
        with sessions.begin() as session:
            now = utcnow()
            for row in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids))):
                row.sent_at = now
        sent += len(items)


def pull(
    sessions: sessionmaker[Session],
    hq: sessionmaker[Session],
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> tuple[int, int, int]:
    """Apply head office's changes page by page; return (members, products, promotions)."""
    counts = [_pull_feed(sessions, hq, feed, page_size, progress) for feed in FEEDS]
    return counts[0], counts[1], counts[2]


def _pull_feed(
    sessions: sessionmaker[Session],
    hq: sessionmaker[Session],
    feed: Feed,
    page_size: int,
    progress: Progress | None,
) -> int:
    state = f"feed_{feed.name}"
    with sessions() as session:
        mark = central.FeedMark.parse(_state(session).get(state))
    with hq() as remote:
        horizon = central.feed_horizon(remote)
        seen = central.hq_now(remote)
        total = central.feed_backlog(remote, feed.name, mark, horizon) if progress else 0
    done = changed = 0
    while True:
        with hq() as remote:
            page = feed.read(remote, mark, horizon, page_size)
        if not page:
            _seen(sessions, feed, seen)
            return changed
        for first in range(0, len(page), APPLY_CHUNK):
            chunk = page[first : first + APPLY_CHUNK]
            # What comes from head office is not sent back: flushed while the outbox is off.
            with sessions.begin() as session, outbox.suppressed(session):
                changed += feed.apply(session, [row for row, _mark in chunk], utcnow())
                _put(session, {state: str(chunk[-1][1])})
                session.flush()
        mark = page[-1][1]
        done += len(page)
        if progress is not None:
            progress(PullProgress(feed.name, done, max(total, done)))
        if len(page) < page_size:
            _seen(sessions, feed, seen)
            return changed


def _seen(sessions: sessionmaker[Session], feed: Feed, seen: datetime) -> None:
    """After every member change up to ``seen`` (head office's clock) was applied: an edit
    made here from now on tells head office it had seen them (``watermark``, see outbox)."""
    if feed.name == "member":
        _save(sessions, {"watermark": seen.isoformat()})


def record_error(sessions: sessionmaker[Session], message: str) -> None:
    """Remember why the last sync failed (shown at the register)."""
    _save(sessions, {"last_error": message})


def _state(session: Session) -> dict[str, str]:
    return {row.name: row.value for row in session.scalars(select(SyncState))}


def _put(session: Session, values: dict[str, str]) -> None:
    for name, value in values.items():
        row = session.get(SyncState, name)
        if row is None:
            session.add(SyncState(name=name, value=value[:500]))
        else:
            row.value = value[:500]


def _save(sessions: sessionmaker[Session], values: dict[str, str]) -> None:
    with sessions.begin() as session:
        _put(session, values)


def _reason(exc: SQLAlchemyError) -> str:
    """One line, without the SQL or the password."""
    original: Any = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return (text[0] if text else type(original).__name__)[:200]
