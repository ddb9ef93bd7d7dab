"""The audit log: append a sensitive action, and verify that no row was edited or removed.

Each row's ``hash`` is SHA-256 over its own fields and the previous row's hash,
so changing, deleting or reordering any row breaks the chain from there on.
Rows are only ever inserted (DESIGN.md, append-only history).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.i18n import N_
from pos.models import AuditEvent

GENESIS = "0" * 64
"""The ``prev_hash`` of the first row."""

ACTIONS = (
    "login",
    "login.failed",
    "lock",
    "override.price",
    "override.discount",
    "override.remove",
    "override.no_stock",
    "void",
    "refund",
    "drawer.open",
    "shift.open",
    "shift.cash",
    "shift.close",
    "member.enrol",
    "member.edit",
    "member.erase",
    "member.export",
    "export",
    "user.add",
    "user.disable",
    "restore",
    "report.view",
)
"""What the register records; other actions are allowed, these are the known ones."""


def digest(
    prev_hash: str,
    id: int,
    at: datetime,
    action: str,
    actor: str | None,
    approved_by: str | None,
    subject: str,
    detail: Mapping[str, Any],
) -> str:
    """The hash of one row chained to ``prev_hash``."""
    stamp = at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    body = json.dumps(
        [prev_hash, id, stamp, action, actor, approved_by, subject, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    actor: str | None = None,
    approved_by: str | None = None,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in ``session``'s transaction (the caller commits).

    No personal data goes into ``detail``: masked phones and member cards only.
    """
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS
    new_id = (last.id if last else 0) + 1
    body = dict(detail or {})
    event = AuditEvent(
        id=new_id,
        at=at,
        action=action,
        actor=actor,
        approved_by=approved_by,
        subject=subject,
        detail=body,
        prev_hash=prev_hash,
        hash=digest(prev_hash, new_id, at, action, actor, approved_by, subject, body),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`."""

    checked: int
    broken_id: int | None = None
    """The first row whose hash or link does not match; None when the chain holds."""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    )


def verify(session: Session) -> Verification:
    """Recompute the chain; name the first row that was edited, removed or reordered."""
    prev_hash, expected_id, checked = GENESIS, 1, 0
    for row in _rows(session):
        if row.id != expected_id:
            return Verification(checked, row.id, N_("a row before it is missing"))
        if row.prev_hash != prev_hash:
            return Verification(checked, row.id, N_("it does not link to the row before it"))
        again = digest(
            prev_hash,
            row.id,
            row.at,
            row.action,
            row.actor,
            row.approved_by,
            row.subject,
            row.detail,
        )
        if again != row.hash:
            return Verification(checked, row.id, N_("its contents were changed"))
        prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
    return Verification(checked)


def recent(session: Session, limit: int = 50) -> list[AuditEvent]:
    """The newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
