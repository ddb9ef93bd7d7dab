"""Checking one sale of a ``pos export sales`` JSON-lines file before it is imported.

:meth:`SaleCheck.check` turns one parsed JSON object into a :class:`CheckedSale` or
raises :class:`InputError` with the first problem. Entries of one sale line split over
lots (the same ``line_no``) are merged back into one :class:`CheckedLine`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.i18n import _

_NUMBER = re.compile(r"^S(?P<store>\w+)-(?P<register>\w+)-(?P<day>\d{8})-(?P<seq>\d+)$", re.ASCII)
_TENDERS = {tender.value: tender for tender in Tender}
_ABSENT: Any = object()
"""A field not in the object (``None`` is a JSON null)."""
_LINE_NO = attrgetter("line_no")
_LINE_AGREES = (
    "sku", "barcode", "name", "unit_price_fen", "guidance_given", "promotion", "suggested_by",
)  # fmt: skip


@dataclass(frozen=True)
class ProductRef:
    """What an imported line needs of its product."""

    id: int
    name: str
    spec: str


@dataclass(slots=True)
class CheckedLine:
    """One sale line, its entries merged: lots by lot number → (expiry, qty)."""

    line_no: int
    product: ProductRef
    sku: str
    barcode: str | None
    name: str
    qty: int
    unit_price_fen: int
    discount_fen: int
    total_fen: int
    guidance_given: bool
    promotion: str | None
    suggested_by: str | None
    trace_codes: list[str] = field(default_factory=list)
    lots: dict[str, tuple[date, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedPrescription:
    """The prescription a sale was made against."""

    number: str
    prescriber: str
    issued_on: date
    patient_name: str
    pharmacist: str


@dataclass(slots=True)
class CheckedSale:
    """A sale ready to store."""

    number: str
    store: str
    register: str
    business_date: date
    seq: int
    completed_at: datetime
    cashier: str | None
    member: str | None
    points_earned: int
    points_redeemed: int
    subtotal_fen: int
    discount_fen: int
    total_fen: int
    change_fen: int
    lines: list[CheckedLine]
    payments: list[tuple[Tender, int, int | None]]
    prescription: CheckedPrescription | None
    restricted_buyer: bool
    rounding_fen: int = 0
    """Cash rounding: the total minus the payments (``store.cash_rounding``)."""


def _get(obj: dict[str, Any], name: str, required: bool) -> Any:
    if name not in obj:
        if required:
            raise InputError(_("{field} is missing").format(field=name))
        return None
    return obj[name]


def _int(obj: dict[str, Any], name: str, required: bool = True, minimum: int = 0) -> int:
    """A whole number (money: integer fen) of at least ``minimum``; 0 when optional and absent."""
    value = obj.get(name, _ABSENT)
    if value.__class__ is int and value >= minimum:
        return value  # the usual case, at once
    if not required and (value is None or value is _ABSENT):
        return 0
    value = _get(obj, name, required)
    if type(value) is not int:
        raise InputError(_("{field} must be a whole number, not {value!r}").format(
            field=name, value=value
        ))  # fmt: skip
    if value < minimum:
        raise InputError(
            _("{field} must be at least {minimum}: {value}").format(
                field=name, minimum=minimum, value=value
            )
        )
    return value


def _text(obj: dict[str, Any], name: str, limit: int, required: bool = True) -> str | None:
    """A string of at most ``limit`` characters; None when optional and absent or null."""
    value = obj.get(name, _ABSENT)
    if value.__class__ is str and 0 < len(value) <= limit:
        return value  # the usual case, at once
    if not required and (value is None or value is _ABSENT):
        return None
    value = _get(obj, name, required)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InputError(
            _("{field} must be a text of 1 to {limit} characters, not {value!r}").format(
                field=name, limit=limit, value=value
            )
        )
    return value


def _date(value: Any, name: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            _("{field} must be a date YYYY-MM-DD, not {value!r}").format(field=name, value=value)
        ) from None


def _moment(value: Any, name: str) -> datetime:
    """An ISO 8601 time, in UTC; one without a zone is read as UTC.

    A time that has no UTC equivalent (its zone takes it past year 1 or 9999) is bad.
    """
    try:
        if not isinstance(value, str) or len(value) < 16:
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InputError(
            _("{field} must be an ISO 8601 time, not {value!r}").format(field=name, value=value)
        ) from None


def _entry(raw: Any, products: dict[str, ProductRef]) -> CheckedLine:
    """One entry of ``lines`` as a line of its own (merged later by ``line_no``)."""
    if not isinstance(raw, dict):
        raise InputError(_("each entry of lines must be an object"))
    sku = _text(raw, "sku", 64) or ""
    product = products.get(sku)
    if product is None:
        raise InputError(_("unknown sku {sku}").format(sku=sku))
    line_no = _int(raw, "line_no", minimum=1)
    qty = _int(raw, "qty", minimum=1)
    unit_price = _int(raw, "unit_price_fen")
    discount = _int(raw, "discount_fen")
    total = _int(raw, "total_fen")
    if total != qty * unit_price - discount:
        raise InputError(
            _(
                "line {line_no}: total_fen {total} is not qty × unit_price_fen − discount_fen"
            ).format(line_no=line_no, total=total)
        )
    guidance = raw.get("guidance_given", False)
    codes = raw.get("trace_codes") or []
    if not isinstance(guidance, bool):
        raise InputError(_("guidance_given must be true or false"))
    if not isinstance(codes, list) or (
        codes and not all(isinstance(c, str) and 0 < len(c) <= 20 for c in codes)
    ):
        raise InputError(_("trace_codes must be a list of codes of up to 20 characters"))
    line = CheckedLine(
        line_no=line_no,
        product=product,
        sku=sku,
        barcode=_text(raw, "barcode", 64, required=False),
        name=_text(raw, "name", 200, required=False) or product.name,
        qty=qty,
        unit_price_fen=unit_price,
        discount_fen=discount,
        total_fen=total,
        guidance_given=guidance,
        promotion=_text(raw, "promotion", 32, required=False),
        suggested_by=_text(raw, "suggested_by", 64, required=False),
        trace_codes=list(codes),
    )
    lot = _text(raw, "lot", 64, required=False)
    if lot is not None:
        line.lots[lot] = (_date(raw.get("expiry"), "expiry"), qty)
    return line


def _merge(lines: list[CheckedLine]) -> list[CheckedLine]:
    """Entries with the same ``line_no`` become one line with several lots."""
    if len(lines) == 1:
        return lines
    merged: dict[int, CheckedLine] = {}
    for line in lines:
        into = merged.get(line.line_no)
        if into is None:
            merged[line.line_no] = line
            continue
        for name in _LINE_AGREES:
            if getattr(into, name) != getattr(line, name):
                raise InputError(
                    _("the entries of line {line_no} disagree on {field}").format(
                        line_no=line.line_no, field=name
                    )
                )
        for lot, (expiry, qty) in line.lots.items():
            if lot in into.lots:
                raise InputError(
                    _("lot {lot} twice on line {line_no}").format(lot=lot, line_no=line.line_no)
                )
            into.lots[lot] = (expiry, qty)
        into.qty += line.qty
        into.discount_fen += line.discount_fen
        into.total_fen += line.total_fen
        into.trace_codes += line.trace_codes
    return sorted(merged.values(), key=_LINE_NO)


def _payments(raw: Any) -> list[tuple[Tender, int, int | None]]:
    if not isinstance(raw, list):
        raise InputError(_("payments must be a list"))
    payments: list[tuple[Tender, int, int | None]] = []
    for payment in raw:
        if not isinstance(payment, dict):
            raise InputError(_("each payment must be an object"))
        value = payment.get("tender")
        if not isinstance(value, str) or value not in _TENDERS:
            raise InputError(_("unknown tender {value!r}").format(value=value))
        tender = _TENDERS[value]
        amount = _int(payment, "amount_fen", minimum=1)
        tendered = None
        if "tendered_fen" in payment:
            tendered = _int(payment, "tendered_fen", minimum=amount)
        payments.append((tender, amount, tendered))
    return payments


def _prescription(raw: Any) -> CheckedPrescription | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError(_("prescription must be an object or null"))
    return CheckedPrescription(
        number=_text(raw, "number", 64) or "",
        prescriber=_text(raw, "prescriber", 200) or "",
        issued_on=_date(raw.get("issued_on"), "prescription issued_on"),
        patient_name=_text(raw, "patient_name", 64) or "",
        pharmacist=_text(raw, "pharmacist", 32) or "",
    )


class SaleCheck:
    """Checks the sales of one import against its products (by SKU).

    Past sales repeat their days: the day of each sale number is read once (its date,
    and whether :func:`~pos.domain.sales.checkout.sale_number` writes it so).
    """

    def __init__(self, products: dict[str, ProductRef]) -> None:
        self._products = products
        self._days: dict[str, tuple[date, bool]] = {}

    def check(self, obj: Any) -> CheckedSale:
        """Validate one sale object of the export; raise :class:`InputError` with the first
        problem."""
        if not isinstance(obj, dict):
            raise InputError(_("a line must hold one JSON object (a sale)"))
        number, store, register, day, seq = self._number(obj)
        completed_at = _moment(_get(obj, "completed_at", True), "completed_at")
        raw_lines = _get(obj, "lines", True)
        if not isinstance(raw_lines, list) or not raw_lines:
            raise InputError(_("lines must be a list of at least one entry"))
        products = self._products
        lines = _merge([_entry(raw, products) for raw in raw_lines])
        payments = _payments(_get(obj, "payments", True))
        sale = CheckedSale(
            number=number,
            store=store,
            register=register,
            business_date=day,
            seq=seq,
            completed_at=completed_at,
            cashier=_text(obj, "cashier", 64, required=False),
            member=_text(obj, "member", 32, required=False),
            points_earned=_int(obj, "points_earned", required=False),
            points_redeemed=_int(obj, "points_redeemed", required=False),
            subtotal_fen=_int(obj, "subtotal_fen"),
            discount_fen=_int(obj, "discount_fen"),
            total_fen=_int(obj, "total_fen"),
            change_fen=_int(obj, "change_fen"),
            lines=lines,
            payments=payments,
            prescription=_prescription(obj.get("prescription")),
            restricted_buyer=bool(obj.get("restricted_buyer")),
            rounding_fen=_int(obj, "rounding_fen", required=False, minimum=-5),
        )
        _check_totals(sale)
        return sale

    def _number(self, obj: dict[str, Any]) -> tuple[str, str, str, date, int]:
        """The sale number with the store, register, business date and sequence it encodes."""
        number = _text(obj, "number", 64) or ""
        store = _text(obj, "store", 8) or ""
        register = _text(obj, "register", 4) or ""
        match = _NUMBER.match(number)
        try:
            if match is None:
                raise ValueError
            in_store, in_register, text, seq_text = match.groups()
            known = self._days.get(text)
            if known is None:
                day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
                # as sale_number writes the day (a year before 1000 has fewer digits)
                known = self._days[text] = (day, f"{day:%Y%m%d}" == text)
            day, as_written = known
            seq = int(seq_text)
        except ValueError:
            raise InputError(
                _(
                    "number must read S{{store}}-{{register}}-{{YYYYMMDD}}-{{seq}}, not {value!r}"
                ).format(value=number)
            ) from None
        if (in_store, in_register) != (store, register):
            raise InputError(
                _("number {number} does not match store {store} and register {register}").format(
                    number=number, store=store, register=register
                )
            )
        # sale_number(store, register, day, seq) == number, its parts compared
        if seq < 1 or not as_written or f"{seq:04d}" != seq_text:
            raise InputError(
                _("number {number} is not a register's sale number").format(number=number)
            )
        return number, store, register, day, seq


def _check_totals(sale: CheckedSale) -> None:
    lines_total = 0
    for line in sale.lines:
        lines_total += line.total_fen
    if lines_total != sale.total_fen:
        raise InputError(
            _("the lines add up to {lines} fen, total_fen is {total}").format(
                lines=lines_total, total=sale.total_fen
            )
        )
    if sale.subtotal_fen - sale.discount_fen != sale.total_fen:
        raise InputError(_("subtotal_fen − discount_fen is not total_fen"))
    paid = sale.rounding_fen
    for _tender, amount, _tendered in sale.payments:
        paid += amount
    if paid != sale.total_fen:
        raise InputError(
            _("the payments add up to {paid} fen, total_fen is {total}").format(
                paid=paid, total=sale.total_fen
            )
        )
