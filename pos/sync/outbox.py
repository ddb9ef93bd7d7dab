"""The outbox: every change head office must know, written in the change's own transaction.

Other code calls one function, :func:`enqueue`, inside the transaction that
makes the change (a return, for example)::

    outbox.enqueue(session, "return", return_number, {"number": ..., "lines": [...]})

The item gets a globally unique id (uuid4) and is sent by ``pos sync`` (or the
running register's background sync) in the order written. Head office applies
each id once, so sending an item twice changes nothing; kinds it has no rule for
are stored as they come (``hq_event``); to apply a new kind there, add a
handler to ``pos.sync.central.HANDLERS``.

Sales, member enrolments, edits and erasures, points entries and stock movements
are enqueued without any call: :func:`track` hooks a session factory so that
those ORM objects, when added or changed, are turned into outbox items just
before the transaction commits (by then the sale has its points and lines).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any
from uuid import uuid4

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from pos.models import (
    Lot,
    Member,
    OutboxItem,
    PointsEntry,
    Product,
    Sale,
    StockMovement,
    SyncState,
    utcnow,
)

SYNC_REASON = "sync"
"""Points entries that bring a register's balance to head office's: never sent back."""

MEMBER_GROUPS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "phone_last4"),
    "name": ("name", "name_initials"),
    "gender": ("gender",),
    "birthday": ("birthday",),
    "tier": ("tier",),
    "tier_floor": ("tier_floor", "tier_until", "tier_floor_by"),
    "consent_terms": ("consent_terms",),
    "consent_marketing": ("consent_marketing",),
    "health": ("consent_health", "allergies", "conditions"),
    "consents_at": ("consents_at",),
    "last_visit_at": ("last_visit_at",),
}
"""Member fields that change together (last writer wins per group at head office)."""
REFERRAL_COLUMNS = ("referral_code", "referrer_id", "referral_credited_at")
"""The referral (sent as ``referral``: the code, the referrer's uid, when credited); head
office keeps the first of each, never replaced."""

_PENDING = "outbox_pending"
_OFF = "outbox_off"
_TRACKING = "_pos_outbox_tracked"


def enqueue(
    session: Session, kind: str, key: str, payload: dict[str, Any], now: datetime | None = None
) -> OutboxItem:
    """Add an outbox item to ``session``'s transaction (the caller commits).

    ``kind`` names the change (``return``), ``key`` what it is about (a number),
    ``payload`` is JSON-able (dates and datetimes become ISO strings).
    """
    item = OutboxItem(**item_values(kind, key, payload, now))
    session.add(item)
    return item


def item_values(
    kind: str, key: str, payload: dict[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    """An outbox item's columns, for a bulk insert that writes many (a members import)."""
    return {
        "uid": uuid4().hex,
        "kind": kind,
        "key": key[:64],
        "payload": payload_text(payload),
        "created_at": now or utcnow(),
    }


def payload_text(payload: dict[str, Any]) -> str:
    """An item's payload as stored: JSON, keys sorted, dates and datetimes as ISO strings."""
    return _ENCODER.encode(payload)


def is_suppressed(session: Session) -> bool:
    """True while ``session``'s changes are not enqueued (see :func:`suppressed`)."""
    return bool(session.info.get(_OFF))


def waiting(session: Session) -> int:
    """How many items wait to be sent."""
    return int(
        session.scalar(select(func.count(OutboxItem.id)).where(OutboxItem.sent_at.is_(None))) or 0
    )


@contextmanager
def suppressed(session: Session) -> Iterator[Session]:
    """Changes made in ``session`` meanwhile are not enqueued (they came from head office)."""
    session.info[_OFF] = True
    try:
        yield session
    finally:
        session.info.pop(_OFF, None)


def track(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Enqueue sales, members, points and stock movements of ``factory``'s sessions."""
    # A mark on the factory itself, not event.contains(): SQLAlchemy's event registry
    # keys targets by id(), and a new factory often takes the address of one already
    # freed, whose entry is still there; it would then be taken as tracked and not be.
    if not getattr(factory, _TRACKING, False):
        event.listen(factory, "before_flush", _before_flush)
        event.listen(factory, "before_commit", _before_commit)
        event.listen(factory, "after_transaction_end", _forget)
        setattr(factory, _TRACKING, True)
    return factory


# -- capture ---------------------------------------------------------------------------

_TRACKED = (Sale, Member, PointsEntry, StockMovement)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_OFF):
        return
    pending: dict[int, tuple[Any, set[str] | None]] = session.info.setdefault(_PENDING, {})
    for obj in session.new:
        if isinstance(obj, _TRACKED):
            pending[id(obj)] = (obj, None)
    for obj in session.dirty:
        if isinstance(obj, Member) and id(obj) not in pending:
            pending[id(obj)] = (obj, set())
        if isinstance(obj, Member) and pending[id(obj)][1] is not None:
            state = inspect(obj)
            changed = {
                name
                for name, columns in MEMBER_GROUPS.items()
                for column in (*columns, "erased_at")
                if state.attrs[column].history.has_changes()
            }
            if state.attrs.erased_at.history.has_changes():
                changed.add("erased")
            if any(state.attrs[column].history.has_changes() for column in REFERRAL_COLUMNS):
                changed.add("referral")
            fields = pending[id(obj)][1]
            assert fields is not None
            fields.update(changed)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back leaves the changes
    # made before it to be sent (and what it undid is no longer persistent).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _before_commit(session: Session) -> None:
    if session.info.get(_OFF):
        return
    session.flush()  # changes not flushed yet are seen by _before_flush now
    if not session.info.get(_PENDING):
        return
    pending = session.info.pop(_PENDING, {})
    sold = {  # a sale's stock movements: the lot as its line took it, named by the line's SKU
        lot.lot_id: (line.sku, lot.lot_number, lot.expiry)
        for obj, _fields in pending.values()
        if isinstance(obj, Sale)
        for line in obj.lines
        for lot in line.lots
    }
    for obj, fields in pending.values():
        state = inspect(obj)
        if not state.persistent:  # rolled back to a savepoint, or deleted
            continue
        if isinstance(obj, Sale):
            enqueue(session, "sale", obj.number, sale_payload(session, obj), obj.completed_at)
        elif isinstance(obj, Member):
            sends_referral = fields is None or "referral" in fields
            referrer = _member_uid(session, obj.referrer_id) if sends_referral else None
            payload = member_payload(obj, fields, referrer)
            if payload is not None:
                if payload["op"] == "edit":  # with head office's time of the last pull
                    payload["seen"] = _watermark(session)
                enqueue(session, "member", obj.uid, payload, obj.updated_at)
        elif isinstance(obj, PointsEntry):
            if obj.reason != SYNC_REASON:
                entry: dict[str, Any] = {
                    "member_uid": _member_uid(session, obj.member_id),
                    "delta": obj.delta,
                    "reason": obj.reason,
                    "sale_number": _sale_number(session, obj.sale_id),
                    "created_at": obj.created_at,
                }
                payload = points_payload(entry.__getitem__)
                if obj.hold_uid:  # a redemption head office holds the points of
                    payload["hold"] = obj.hold_uid
                key = entry["member_uid"] or ""
                enqueue(session, "points", key, payload, obj.created_at)
        elif isinstance(obj, StockMovement):
            sku, lot_number, expiry = sold.get(obj.lot_id) or _lot(session, obj.lot_id)
            enqueue(session, "stock", f"{sku}/{lot_number}", {
                "sku": sku,
                "lot_number": lot_number,
                "expiry": expiry,
                "delta": obj.delta,
                "reason": obj.reason,
                "sale_number": _sale_number(session, obj.sale_id),
                "note": obj.note,
                "created_at": obj.created_at,
            }, obj.created_at)  # fmt: skip
    session.flush()


def _lot(session: Session, lot_id: int) -> tuple[str, str, date]:
    """(SKU of its product, lot number, expiry) of lot ``lot_id``."""
    lot = session.get_one(Lot, lot_id)
    sku = session.scalar(select(Product.sku).where(Product.id == lot.product_id)) or ""
    return sku, lot.lot_number, lot.expiry


def _watermark(session: Session) -> str | None:
    """Head office's clock at this register's last pull (None before the first): with an
    edit, it tells head office which values the register had seen."""
    row = session.get(SyncState, "watermark")
    return row.value if row is not None and row.value else None


def member_fields(member: Member, groups: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """The member's field groups (all, or ``groups``) as JSON-able values."""
    return _fields(partial(getattr, member), groups)


def _fields(value: Callable[[str], Any], groups: set[str] | None) -> dict[str, dict[str, Any]]:
    return {
        name: {column: _json_value(value(column)) for column in columns}
        for name, columns in MEMBER_GROUPS.items()
        if groups is None or name in groups
    }


def enrolment_payload(value: Callable[[str], Any], referrer_uid: str | None) -> dict[str, Any]:
    """What a member's enrolment sends, from ``value(column)`` of each member column (the
    member's attribute, or a bulk insert's value: a members import enrols without the ORM)."""
    return {
        "uid": value("uid"),
        "changed_at": _json_value(value("updated_at")),
        "op": "enrol",
        "card_no": value("card_no"),
        "enrolled_at": _json_value(value("enrolled_at")),
        "enrolled_store": value("enrolled_store"),
        "enrolled_by": value("enrolled_by"),
        "erased": value("erased_at") is not None,
        "fields": _fields(value, None),
        "referral": _referral(value, referrer_uid),
    }


def referral(member: Member, referrer_uid: str | None) -> dict[str, Any]:
    """The member's referral as sent and pulled: their code, their referrer (by uid) and
    when the referrer was credited."""
    return _referral(partial(getattr, member), referrer_uid)


def _referral(value: Callable[[str], Any], referrer_uid: str | None) -> dict[str, Any]:
    return {
        "code": value("referral_code"),
        "referrer_uid": referrer_uid,
        "credited_at": _json_value(value("referral_credited_at")),
    }


class PayloadTexts:
    """The payload texts (as :func:`payload_text` writes them) of many items of one kind
    that differ only in the ``varying`` values: the JSON is laid out once, and each
    item's values are put in their places (a members import enrols a million members;
    building and sorting each one's dictionaries would take minutes).

    ``payload(value)`` builds an item's payload from ``value(name)``; ``constant(name)``
    gives the values all items have alike.
    """

    def __init__(
        self,
        payload: Callable[[Callable[[str], Any]], dict[str, Any]],
        constant: Callable[[str], Any],
        varying: Sequence[str],
    ) -> None:
        token = uuid4().hex
        marks = {name: f"<<{token}:{index}>>" for index, name in enumerate(varying)}

        def value(name: str) -> Any:
            return marks[name] if name in marks else constant(name)

        pieces = re.split(f'"<<{token}:([0-9]+)>>"', payload_text(payload(value)))
        self._parts = pieces[0::2]
        parts = [part.replace("{", "{{").replace("}", "}}") for part in self._parts]
        self._names = [varying[int(index)] for index in pieces[1::2]]
        self._template = "".join(
            part + (f"{{{index}}}" if index < len(self._names) else "")
            for index, part in enumerate(parts)
        )

    def text(self, value: Callable[[str], Any]) -> str:
        """The payload text of the item whose ``varying`` values are ``value(name)``."""
        return self._template.format(*[_scalar_json(value(name)) for name in self._names])

    def sql(self, expression: Callable[[str], str]) -> str:
        """The payload text as an SQLite expression, for an ``INSERT … SELECT`` that writes
        many items at once: ``expression(name)`` is the SQL of a ``varying`` value's JSON
        (``json_quote(column)`` for a string, which writes it as :func:`payload_text`)."""
        literals = [f"'{part.replace(chr(39), chr(39) * 2)}'" for part in self._parts]
        pieces = [literals[0]]
        for name, literal in zip(self._names, literals[1:], strict=True):
            pieces += [f"({expression(name)})", literal]
        return " || ".join(piece for piece in pieces if piece != "''")


def points_payload(value: Callable[[str], Any]) -> dict[str, Any]:
    """What a points entry sends, from ``value(name)`` of ``member_uid``, ``delta``,
    ``reason``, ``sale_number`` and ``created_at``."""
    return {
        "member_uid": value("member_uid"),
        "delta": value("delta"),
        "reason": value("reason"),
        "sale_number": value("sale_number"),
        "created_at": value("created_at"),
    }


def _scalar_json(value: Any) -> str:
    if type(value) is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    return _encode_string(_json_default(value))


def member_payload(
    member: Member, changed: set[str] | None, referrer_uid: str | None = None
) -> dict[str, Any] | None:
    """What a member's enrolment (``changed`` None), edit or erasure sends; None: nothing.
    ``referrer_uid``: the uid of the member's referrer (their ``referrer_id``)."""
    if changed is None:
        return enrolment_payload(partial(getattr, member), referrer_uid)
    base = {"uid": member.uid, "changed_at": _json_value(member.updated_at)}
    if "erased" in changed and member.erased_at is not None:
        return base | {"op": "erase", "changed_at": _json_value(member.erased_at)}
    groups = changed & set(MEMBER_GROUPS)
    if not groups and "referral" not in changed:
        return None
    edit = base | {"op": "edit", "fields": member_fields(member, groups)}
    if "referral" in changed:
        edit["referral"] = referral(member, referrer_uid)
    return edit


def sale_payload(session: Session, sale: Sale) -> dict[str, Any]:
    """The whole sale, as head office stores it."""
    return {
        "number": sale.number,
        "store_code": sale.store_code,
        "register_id": sale.register_id,
        "business_date": sale.business_date,
        "seq": sale.seq,
        "cashier": sale.cashier,
        "member_uid": _member_uid(session, sale.member_id),
        "completed_at": sale.completed_at,
        "subtotal_fen": sale.subtotal_fen,
        "discount_fen": sale.discount_fen,
        "total_fen": sale.total_fen,
        "change_fen": sale.change_fen,
        "points_earned": sale.points_earned,
        "points_redeemed": sale.points_redeemed,
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.sku,
                "name": line.name,
                "qty": line.qty,
                "unit_price_fen": line.unit_price_fen,
                "discount_fen": line.discount_fen,
                "total_fen": line.total_fen,
                "promotion_id": line.promotion_id,
                "lots": [[lot.lot_number, lot.qty] for lot in line.lots],
            }
            for line in sale.lines
        ],
        "payments": [[payment.tender.value, payment.amount_fen] for payment in sale.payments],
    }


def _member_uid(session: Session, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    member = session.get(Member, member_id)  # in the session already: no query
    return None if member is None else member.uid


def _sale_number(session: Session, sale_id: int | None) -> str | None:
    if sale_id is None:
        return None
    sale = session.get(Sale, sale_id)  # in the session already: no query
    return None if sale is None else sale.number


def _json_value(value: Any) -> Any:
    return _json_default(value) if isinstance(value, date) else value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-able: {type(value).__name__}")


_encode_string: Callable[[str], str] = json.encoder.encode_basestring
"""A string as JSON, non-ASCII kept (as ``ensure_ascii=False`` writes it)."""
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default, sort_keys=True)
"""What ``json.dumps(payload, ensure_ascii=False, default=…, sort_keys=True)`` uses, made once."""
