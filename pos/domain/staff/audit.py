"""The audit log: append a sensitive action, and verify that no row was edited or removed.

Each row's ``hash`` is HMAC-SHA256, with the store's secret key, over its own
fields and the previous row's hash, so changing, deleting or reordering any row
breaks the chain from there on, and a chain recomputed without the key does not
match. Rows written before the key (``hash_version`` 1) keep plain SHA-256 and
still verify, but only at the start of the log: a plain row after a keyed one is
a rewrite. Rows are only ever inserted (DESIGN.md, append-only history).

The key is not read here: :func:`keyed` puts it on a session factory (the
register and the ``pos`` commands do, from ``Settings.key_path``), or a caller
passes ``key=`` itself.

Deleting the newest rows leaves a sound chain, so the head of the chain (event
count and newest hash) is anchored: stored in ``audit_anchor`` and printed on
the Z report, written into each backup's manifest and sent to head office with
each sync. :func:`verify` checks the log against every anchor it has.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.i18n import N_
from pos.models import AuditAnchor, AuditEvent
from pos.sync import outbox

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
    "complaint.open",
    "complaint.handle",
    "complaint.close",
    "adr.record",
)
"""What the register records; other actions are allowed, these are the known ones."""


SHA256 = 1
"""``hash_version`` of rows written without the store key (before it existed)."""
HMAC_SHA256 = 2
"""``hash_version`` of rows written with the store key."""

Z_REPORT, BACKUP, SYNC, GIVEN = "z_report", "backup", "sync", "given"
"""Where an anchor comes from: a Z report, a backup, a sync, or the command line."""
SOURCES = {
    Z_REPORT: N_("Z report"),
    BACKUP: N_("backup"),
    SYNC: N_("sync"),
    GIVEN: N_("given"),
}
SHORT_HASH = 16
"""Hex digits of the head hash printed on paper, and the fewest a given anchor may have."""
_KEY_INFO = "pos_audit_key"
KEY_MISSING = N_("it is signed with the store key, which was not found")


def keyed(factory: sessionmaker[Session], key: bytes) -> sessionmaker[Session]:
    """Sessions of ``factory`` sign audit rows and anchors with ``key`` (the store's key)."""
    info = dict(factory.kw.get("info") or {})
    info[_KEY_INFO] = key
    factory.configure(info=info)
    return factory


def session_key(session: Session) -> bytes | None:
    """The store key the session was opened with (:func:`keyed`), if any."""
    key = session.info.get(_KEY_INFO)
    return key if isinstance(key, bytes) else None


def _mac(key: bytes | None, body: str) -> str:
    data = body.encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def digest(
    prev_hash: str,
    id: int,
    at: datetime,
    action: str,
    actor: str | None,
    approved_by: str | None,
    subject: str,
    detail: Mapping[str, Any],
    key: bytes | None = None,
) -> str:
    """The hash of one row chained to ``prev_hash``: HMAC-SHA256 with ``key``, else SHA-256."""
    body = json.dumps(
        [prev_hash, id, _stamp(at), action, actor, approved_by, subject, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return _mac(key, body)


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    actor: str | None = None,
    approved_by: str | None = None,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
    key: bytes | None = None,
) -> AuditEvent:
    """Append one event in ``session``'s transaction (the caller commits).

    Signed with ``key``, else with the key of the session's factory
    (:func:`keyed`); without either, plain SHA-256 (tests, tools).
    No personal data goes into ``detail``: masked phones and member cards only.
    """
    key = key if key is not None else session_key(session)
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
        hash=digest(prev_hash, new_id, at, action, actor, approved_by, subject, body, key),
        hash_version=SHA256 if key is None else HMAC_SHA256,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Head:
    """The head of the chain: how many events, and the newest one's hash."""

    events: int
    hash: str

    @property
    def short(self) -> str:
        """The first hex digits of the hash, as printed on a Z report."""
        return self.hash[:SHORT_HASH]

    def __str__(self) -> str:
        return f"{self.events}:{self.hash}"


def head(session: Session) -> Head:
    """The chain's head now (``0`` events and :data:`GENESIS` for an empty log)."""
    events = session.scalar(select(func.count(AuditEvent.id))) or 0
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return Head(int(events), last or GENESIS)


@dataclass(frozen=True)
class Anchor:
    """A head to check the log against: from ``audit_anchor`` or given (a Z report, a manifest)."""

    source: str
    events: int
    head_hash: str
    """The full hash, or (given) at least :data:`SHORT_HASH` of its first hex digits."""
    at: datetime | None = None
    mac: str = ""


def _anchor_body(source: str, events: int, head_hash: str, at: datetime) -> str:
    return f"audit-anchor|{source}|{events}|{head_hash}|{_stamp(at)}"


def anchor(session: Session, source: str, at: datetime, key: bytes | None = None) -> Head:
    """Store the chain's head now as an anchor (the caller commits); return it."""
    key = key if key is not None else session_key(session)
    now = head(session)
    mac = "" if key is None else _mac(key, _anchor_body(source, now.events, now.hash, at))
    session.add(AuditAnchor(at=at, source=source, events=now.events, head_hash=now.hash, mac=mac))
    session.flush()
    return now


def anchor_in(sessions: sessionmaker[Session], source: str, at: datetime) -> Head:
    """:func:`anchor` in a unit of work of its own (before a backup is made)."""
    with sessions.begin() as session:
        return anchor(session, source, at)


def anchor_for_sync(session: Session, at: datetime) -> Head | None:
    """Anchor the head for head office: stored here and queued in the outbox (caller commits).

    None when the head is the one the last sync already sent.
    """
    now = head(session)
    last = session.scalar(
        select(AuditAnchor.events)
        .where(AuditAnchor.source == SYNC)
        .order_by(AuditAnchor.id.desc())
        .limit(1)
    )
    if last == now.events:
        return None
    anchor(session, SYNC, at)
    payload = {"events": now.events, "head": now.hash, "at": at}
    outbox.enqueue(session, "audit.anchor", str(now.events), payload, at)
    return now


def anchors(session: Session) -> list[Anchor]:
    """The anchors stored in the database, oldest first."""
    return [
        Anchor(row.source, row.events, row.head_hash, row.at, row.mac)
        for row in session.scalars(select(AuditAnchor).order_by(AuditAnchor.id))
    ]


def parse_anchor(text: str) -> Anchor:
    """``EVENTS:HASH`` (as on a Z report or in a backup's manifest) as an anchor to check.

    Raises ValueError when it is not one.
    """
    events, _sep, digits = text.strip().partition(":")
    digits = digits.strip().lower()
    if not events.strip().isdigit() or len(digits) < SHORT_HASH or len(digits) > 64:
        raise ValueError(text)
    if any(c not in "0123456789abcdef" for c in digits):
        raise ValueError(text)
    return Anchor(GIVEN, int(events), digits)


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`."""

    checked: int
    broken_id: int | None = None
    """The first row whose hash or link does not match; None when the chain holds."""
    reason: str = ""
    anchor: Anchor | None = None
    """The anchor the log does not match (the chain itself may hold); None when all match."""
    anchor_reason: str = ""
    """Why, a message with ``{events}`` (the anchor's count) and ``{n}`` (the log's)."""
    anchors: int = 0
    """How many anchors the log was checked against."""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and self.anchor is None


def _rows(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    )


def _check_row(row: AuditEvent, prev_hash: str, keyed_seen: bool, key: bytes | None) -> str:
    """Why ``row`` breaks the chain, or "" when it holds."""
    if row.prev_hash != prev_hash:
        return N_("it does not link to the row before it")
    fields = (prev_hash, row.id, row.at, row.action, row.actor, row.approved_by, row.subject)
    if row.hash_version == SHA256:
        if keyed_seen:
            return N_(
                "it has a plain SHA-256 hash after events signed with the store key: "
                "it was changed and the chain recomputed"
            )
        if digest(*fields, row.detail) != row.hash:
            return N_("its contents were changed")
        return ""
    if row.hash_version != HMAC_SHA256:
        return N_("its hash version is unknown")
    if key is None:
        return KEY_MISSING
    if not hmac.compare_digest(digest(*fields, row.detail, key), row.hash):
        return N_(
            "its hash was not made with the store key: "
            "it was changed and the chain recomputed, or the key was replaced"
        )
    return ""


def verify(
    session: Session, key: bytes | None = None, given: Sequence[Anchor] = ()
) -> Verification:
    """Recompute the chain; name the first row that was edited, removed or reordered.

    ``key`` (else the session factory's, :func:`keyed`) checks the rows signed with it.
    Then check the log against the stored anchors and the ``given`` ones, the
    highest count first: fewer events than an anchor counted means the newest
    were deleted (or all of them), another hash at its count means a rewrite.
    """
    key = key if key is not None else session_key(session)
    every = [*anchors(session), *given]
    wanted = {a.events for a in every}
    hashes: dict[int, str] = {0: GENESIS}
    prev_hash, expected_id, checked, keyed_seen = GENESIS, 1, 0, False
    for row in _rows(session):
        if row.id != expected_id:
            return Verification(checked, row.id, N_("a row before it is missing"))
        problem = _check_row(row, prev_hash, keyed_seen, key)
        if problem:
            return Verification(checked, row.id, problem)
        keyed_seen = keyed_seen or row.hash_version == HMAC_SHA256
        if row.id in wanted:
            hashes[row.id] = row.hash
        prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
    for mark in sorted(every, key=lambda a: a.events, reverse=True):
        reason = _anchor_problem(mark, checked, hashes, key)
        if reason:
            return Verification(checked, anchor=mark, anchor_reason=reason, anchors=len(every))
    return Verification(checked, anchors=len(every))


def _anchor_problem(
    mark: Anchor, checked: int, hashes: Mapping[int, str], key: bytes | None
) -> str:
    if mark.source != GIVEN and key is not None and mark.at is not None:
        body = _anchor_body(mark.source, mark.events, mark.head_hash, mark.at)
        if not hmac.compare_digest(_mac(key, body), mark.mac):
            return N_("the anchor itself was not made with the store key (forged or altered)")
    if checked < mark.events:
        if checked == 0:
            return N_("the log is empty but the anchor counted {events} events: all were deleted")
        return N_(
            "the log has {n} events but the anchor counted {events}: the newest events were deleted"
        )
    if not hashes[mark.events].startswith(mark.head_hash):
        return N_(
            "event {events} does not have the hash the anchor recorded: "
            "the log was rewritten and its chain recomputed"
        )
    return ""


def recent(session: Session, limit: int = 50) -> list[AuditEvent]:
    """The newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
