"""One sync of a register with head office: push the outbox, then pull what changed.

Push: unsent outbox items go up in batches, each batch in one head-office
transaction; only after it commits are they marked sent here. A connection
lost in between means the batch is sent again, and head office, which keeps
every item's id, applies each once.

Pull: members (with their points balance, the chain ledger's sum), catalogue,
prices and promotions changed since the register's watermark, less a margin
for head-office transactions still in flight (applying a row twice is harmless).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.staff import audit
from pos.models import OutboxItem, SyncState, utcnow
from pos.sync import catalogue, central, members, outbox

BATCH = 200
OVERLAP = timedelta(minutes=10)
"""Changes are pulled from this long before the watermark, for transactions in flight."""


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
) -> SyncReport:
    """Push the outbox, then pull; :class:`SyncFailed` if head office fails on the way."""
    hq = central.hq_sessions(hq_engine)
    try:
        pushed, applied = push(sessions, hq, store_code, register_id)
        pulled = pull(sessions, hq)
    except SQLAlchemyError as exc:
        message = _reason(exc)
        _save(sessions, {"last_error": message})
        raise SyncFailed(message) from exc
    except (KeyError, TypeError, ValueError) as exc:  # an item head office cannot read
        message = f"head office could not apply an item: {type(exc).__name__}: {exc}"[:200]
        _save(sessions, {"last_error": message})
        raise SyncFailed(message) from exc
    stamp = (now or utcnow()).isoformat()
    _save(sessions, {"last_sync": stamp, "last_error": ""})
    with sessions() as session:
        left = outbox.waiting(session)
    return SyncReport(pushed, applied, *pulled, waiting=left)


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


def pull(sessions: sessionmaker[Session], hq: sessionmaker[Session]) -> tuple[int, int, int]:
    """Apply head office's changes since the watermark; return (members, products, promotions)."""
    with sessions() as session:
        mark = _state(session).get("watermark")
    since = datetime.fromisoformat(mark) - OVERLAP if mark else None
    with hq() as remote:
        started = central.hq_now(remote)
        changed = members.member_rows(remote, since)
        products = catalogue.product_rows(remote, since)
        promotions = catalogue.promotion_rows(remote, since)
    # What comes from head office is not sent back: flushed while the outbox is off.
    with sessions.begin() as session, outbox.suppressed(session):
        now = utcnow()
        counts = (
            members.apply_members(session, changed, now),
            catalogue.apply_products(session, products, now),
            catalogue.apply_promotions(session, promotions, now),
        )
        _put(session, {"watermark": started.isoformat()})
        session.flush()
    return counts


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
