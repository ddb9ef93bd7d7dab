"""Cash shifts: open with a float, cash in and out, X reports, count and close with a Z report.

Data functions taking a Session; the caller commits. Reports come back as a
:class:`printer.Receipt` for the caller to print; their preview text is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import printer
from pos.domain.printing.printing import LABELS as RECEIPT_LABELS
from pos.domain.printing.printing import PrintProfile, header
from pos.domain.sales.codes import InputError, ascii_digits
from pos.domain.sales.tendering import tender_name
from pos.domain.staff import audit
from pos.enums import Tender
from pos.i18n import N_, _, translator
from pos.models import CashMovement, Payment, Refund, Sale, SaleReturn, Shift, ShiftReport
from pos.money import format_fen

DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 100, 50, 10)
"""CNY notes and coins counted at close: 100, 50, 20, 10, 5, 1, 0.5 and 0.1 yuan."""
MAX_CASH_FEN = 10_000_000
"""The largest float or cash movement accepted: ¥100,000."""
CASH_IN, CASH_OUT = "in", "out"

LABELS = {
    "X": N_("X report (mid-shift)"),
    "Z": N_("Z report (shift close)"),
    "sale_number": N_("Report No."),
    "subtotal": N_("Gross sales"),
    "discount": N_("Discounts"),
    "total": N_("Net sales"),
}


class ShiftError(InputError):
    """A shift action the register refuses; ``str(error)`` is the message."""


@dataclass(frozen=True)
class ShiftTotals:
    """The numbers of a shift so far (X) or at its close (Z); money in fen."""

    sales: int
    gross_fen: int
    discount_fen: int
    net_fen: int
    tenders: dict[str, int]
    points_redeemed: int
    float_fen: int
    cash_sales_fen: int
    cash_in_fen: int
    cash_out_fen: int
    cash_refunds_fen: int
    """Cash paid back on returns at this register during the shift."""
    expected_fen: int
    first_sale: str | None
    last_sale: str | None
    refund_tenders: dict[str, int] = field(default_factory=dict)
    """Refunds paid back on returns at this register during the shift, by tender."""
    net_tenders: dict[str, int] = field(default_factory=dict)
    """Sales minus refunds, by tender: what each tender should settle to."""
    returns: int = 0
    refunds_fen: int = 0
    """The value of the returns (refunds plus their cash rounding)."""
    sales_rounding_fen: int = 0
    """Cash rounding of the sales: their total minus what the tenders took."""
    refund_rounding_fen: int = 0
    """Cash rounding of the refunds: their total minus what the refunds paid."""
    counted_fen: int | None = None
    over_short_fen: int | None = None


def current_shift(session: Session, register_id: str) -> Shift | None:
    """The open shift of ``register_id``, if any."""
    return session.scalar(
        select(Shift).where(Shift.register_id == register_id, Shift.closed_at.is_(None))
    )


def _open_shift_or_refuse(session: Session, register_id: str) -> Shift:
    shift = current_shift(session, register_id)
    if shift is None:
        raise ShiftError(_("No shift is open on register {register}").format(register=register_id))
    return shift


def check_amount(amount_fen: int, allow_zero: bool = False) -> None:
    """Refuse an amount outside 0 (a float may be 0) to ¥100,000."""
    if amount_fen < 0 or (amount_fen == 0 and not allow_zero) or amount_fen > MAX_CASH_FEN:
        raise ShiftError(
            _("The amount must be above 0 and at most ¥{most}").format(
                most=format_fen(MAX_CASH_FEN)
            )
        )


def open_shift(
    session: Session, register_id: str, float_fen: int, now: datetime, by: str | None = None
) -> Shift:
    """Open a shift with a cash float; a register has one open shift at a time."""
    if current_shift(session, register_id) is not None:
        raise ShiftError(
            _("A shift is already open on register {register}: close it first").format(
                register=register_id
            )
        )
    check_amount(float_fen, allow_zero=True)
    shift = Shift(register_id=register_id, opened_at=now, opened_by=by, float_fen=float_fen)
    session.add(shift)
    session.flush()
    return shift


def move_cash(
    session: Session,
    register_id: str,
    kind: str,
    amount_fen: int,
    reason: str,
    now: datetime,
    by: str | None = None,
) -> CashMovement:
    """Record cash put into (``in``) or taken out of (``out``) the drawer."""
    if kind not in (CASH_IN, CASH_OUT):
        raise ValueError(f"unknown cash movement {kind!r}")
    shift = _open_shift_or_refuse(session, register_id)
    check_amount(amount_fen)
    if not reason.strip():
        raise ShiftError(_("Give a reason for the cash movement"))
    movement = CashMovement(
        shift_id=shift.id, kind=kind, amount_fen=amount_fen, reason=reason.strip(), by=by, at=now
    )
    session.add(movement)
    session.flush()
    return movement


def shift_totals(session: Session, shift: Shift, until: datetime) -> ShiftTotals:
    """The shift's sales, tenders and cash from its opening until ``until``."""
    window = (
        Sale.register_id == shift.register_id,
        Sale.completed_at >= shift.opened_at,
        Sale.completed_at <= until,
    )
    count, gross, discount, net, redeemed = session.execute(
        select(
            func.count(Sale.id),
            func.coalesce(func.sum(Sale.subtotal_fen), 0),
            func.coalesce(func.sum(Sale.discount_fen), 0),
            func.coalesce(func.sum(Sale.total_fen), 0),
            func.coalesce(func.sum(Sale.points_redeemed), 0),
        ).where(*window)
    ).one()
    tenders = {
        Tender(tender).value: int(amount)
        for tender, amount in session.execute(
            select(Payment.tender, func.sum(Payment.amount_fen))
            .join(Sale, Sale.id == Payment.sale_id)
            .where(*window)
            .group_by(Payment.tender)
            .order_by(Payment.tender)
        )
    }
    numbers = select(Sale.number).where(*window)
    first = session.scalar(numbers.order_by(Sale.completed_at, Sale.id).limit(1))
    last = session.scalar(numbers.order_by(Sale.completed_at.desc(), Sale.id.desc()).limit(1))
    moved = dict(
        session.execute(
            select(CashMovement.kind, func.sum(CashMovement.amount_fen))
            .where(CashMovement.shift_id == shift.id, CashMovement.at <= until)
            .group_by(CashMovement.kind)
        ).all()
    )
    return_window = (
        SaleReturn.register_id == shift.register_id,
        SaleReturn.completed_at >= shift.opened_at,
        SaleReturn.completed_at <= until,
    )
    refund_tenders = {
        Tender(tender).value: int(amount)
        for tender, amount in session.execute(
            select(Refund.tender, func.sum(Refund.amount_fen))
            .join(SaleReturn, SaleReturn.id == Refund.return_id)
            .where(*return_window)
            .group_by(Refund.tender)
            .order_by(Refund.tender)
        )
    }
    returns, refunds, refund_rounding = session.execute(
        select(
            func.count(SaleReturn.id),
            func.coalesce(func.sum(SaleReturn.total_fen), 0),
            func.coalesce(func.sum(SaleReturn.rounding_fen), 0),
        ).where(*return_window)
    ).one()
    sales_rounding = session.scalar(
        select(func.coalesce(func.sum(Sale.rounding_fen), 0)).where(*window)
    )
    net_tenders = {
        tender: tenders.get(tender, 0) - refund_tenders.get(tender, 0)
        for tender in sorted({*tenders, *refund_tenders})
    }
    cash_sales = tenders.get(Tender.CASH.value, 0)
    cash_in, cash_out = int(moved.get(CASH_IN, 0)), int(moved.get(CASH_OUT, 0))
    cash_refunds = refund_tenders.get(Tender.CASH.value, 0)
    expected = shift.float_fen + cash_sales + cash_in - cash_out - cash_refunds
    return ShiftTotals(
        sales=count,
        gross_fen=int(gross),
        discount_fen=int(discount),
        net_fen=int(net),
        tenders=tenders,
        points_redeemed=int(redeemed),
        float_fen=shift.float_fen,
        cash_sales_fen=cash_sales,
        cash_in_fen=cash_in,
        cash_out_fen=cash_out,
        cash_refunds_fen=cash_refunds,
        expected_fen=expected,
        first_sale=first,
        last_sale=last,
        refund_tenders=refund_tenders,
        net_tenders=net_tenders,
        returns=int(returns),
        refunds_fen=int(refunds),
        sales_rounding_fen=int(sales_rounding or 0),
        refund_rounding_fen=int(refund_rounding),
    )


def parse_counts(text: str) -> dict[int, int]:
    """Parse ``"100=3,50=2,0.5=4"`` (yuan denomination = count) into fen → count."""
    counts: dict[int, int] = {}
    allowed = ", ".join(format_fen(d).removesuffix(".00") for d in DENOMINATIONS_FEN)
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, equals, count = part.partition("=")
        try:
            value = round(float(name) * 100) if equals else -1
        except ValueError:
            value = -1
        if value not in DENOMINATIONS_FEN:
            raise ShiftError(
                _("Unknown denomination {part!r}: use {allowed}").format(part=part, allowed=allowed)
            )
        number = ascii_digits(count)
        if number is None:
            raise ShiftError(
                _("The count of {part!r} must be a whole number, 0 or more").format(part=part)
            )
        counts[value] = counts.get(value, 0) + int(number)
    return counts


def check_counts(counts: Mapping[int, int]) -> int:
    """The cash counted, in fen; refuses unknown denominations and bad counts."""
    for denomination, count in counts.items():
        if denomination not in DENOMINATIONS_FEN:
            raise ShiftError(_("Unknown denomination {fen} fen").format(fen=denomination))
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ShiftError(_("Counts must be whole numbers, 0 or more"))
    return sum(denomination * count for denomination, count in counts.items())


def x_report(
    session: Session, register_id: str, profile: PrintProfile, now: datetime
) -> tuple[ShiftReport, printer.Receipt]:
    """Report the open shift so far; any number of times."""
    shift = _open_shift_or_refuse(session, register_id)
    return _report(session, shift, "X", shift_totals(session, shift, now), profile, now)


def close_shift(
    session: Session,
    register_id: str,
    counts: Mapping[int, int],
    profile: PrintProfile,
    now: datetime,
    by: str | None = None,
) -> tuple[ShiftReport, printer.Receipt]:
    """Close the open shift with the cash counted per denomination: its one Z report."""
    shift = _open_shift_or_refuse(session, register_id)
    counted = check_counts(counts)
    totals = shift_totals(session, shift, now)
    over_short = counted - totals.expected_fen
    shift.closed_at, shift.closed_by = now, by
    shift.counted = {str(d): counts[d] for d in DENOMINATIONS_FEN if counts.get(d)}
    shift.counted_fen, shift.expected_fen, shift.over_short_fen = (
        counted,
        totals.expected_fen,
        over_short,
    )
    closed = ShiftTotals(**{**asdict(totals), "counted_fen": counted, "over_short_fen": over_short})
    anchored = audit.anchor(session, audit.Z_REPORT, now)  # the audit log's head, on paper
    return _report(session, shift, "Z", closed, profile, now, anchored)


def _report(
    session: Session,
    shift: Shift,
    kind: str,
    totals: ShiftTotals,
    profile: PrintProfile,
    now: datetime,
    anchored: audit.Head | None = None,
) -> tuple[ShiftReport, printer.Receipt]:
    earlier = session.scalar(
        select(func.count(ShiftReport.id)).where(
            ShiftReport.shift_id == shift.id, ShiftReport.kind == kind
        )
    )
    number = f"{kind}-{shift.register_id}-{shift.id:04d}-{(earlier or 0) + 1}"
    receipt = report_receipt(shift, kind, number, totals, profile, now, anchored)
    data: dict[str, Any] = {"kind": kind, "number": number, "shift_id": shift.id, **asdict(totals)}
    if anchored is not None:
        data["audit"] = {"events": anchored.events, "head": anchored.hash}
    text = printer.preview(receipt, printer.columns_for(profile.paper_width))
    report = ShiftReport(shift_id=shift.id, kind=kind, created_at=now, data=data, text=text)
    session.add(report)
    session.flush()
    return report, receipt


def report_receipt(
    shift: Shift,
    kind: str,
    number: str,
    totals: ShiftTotals,
    profile: PrintProfile,
    now: datetime,
    anchored: audit.Head | None = None,
) -> printer.Receipt:
    """The X or Z report as a printable document, in the receipt's language.

    ``anchored`` (a Z report) adds the audit log's head: its event count and hash.
    """
    gettext = translator(profile.language).gettext
    zone = ZoneInfo(profile.timezone)

    def row(label: str, fen: int | None) -> str:
        return f"{gettext(label)}: {'' if fen is None else printer.money(fen)}"

    sales_lines = [
        gettext("Shift opened {when}").format(
            when=f"{shift.opened_at.astimezone(zone):%m-%d %H:%M}"
        ),
        gettext("Sales {n}").format(n=totals.sales),
        gettext("First sale {number}").format(number=totals.first_sale or "-"),
        gettext("Last sale {number}").format(number=totals.last_sale or "-"),
        gettext("Points redeemed {n}").format(n=totals.points_redeemed),
    ]
    if totals.returns:
        sales_lines += [
            gettext("Returns {n}").format(n=totals.returns),
            row(N_("Refunds"), totals.refunds_fen),
        ]
    tender_lines = [
        gettext("{tender}: {sales} - {refunds} = {net}").format(
            tender=tender_name(Tender(value), gettext),
            sales=printer.money(totals.tenders.get(value, 0)),
            refunds=printer.money(totals.refund_tenders.get(value, 0)),
            net=printer.money(net),
        )
        for value, net in totals.net_tenders.items()
    ]
    cash_lines = [
        row(N_("Float"), totals.float_fen),
        row(N_("Cash sales"), totals.cash_sales_fen),
        row(N_("Cash in"), totals.cash_in_fen),
        row(N_("Cash out"), totals.cash_out_fen),
        row(N_("Cash refunds"), totals.cash_refunds_fen),
        row(N_("Expected cash"), totals.expected_fen),
    ]
    if totals.sales_rounding_fen or totals.refund_rounding_fen:
        cash_lines += [  # shown as what they changed the cash by (not in the drawer's count)
            row(N_("Cash rounding of sales"), -totals.sales_rounding_fen),
            row(N_("Cash rounding of refunds"), totals.refund_rounding_fen),
        ]
    if totals.counted_fen is not None and totals.over_short_fen is not None:
        cash_lines += [
            row(N_("Counted cash"), totals.counted_fen),
            row(N_("Over (+) / short (-)"), totals.over_short_fen),
        ]
    labels = {key: gettext(text) for key, text in RECEIPT_LABELS.items()}
    labels |= {
        key: gettext(LABELS[key]) for key in ("sale_number", "subtotal", "discount", "total")
    }
    return printer.Receipt(
        **header(profile, now),
        number=number,
        register=shift.register_id,
        cashier=shift.closed_by or shift.opened_by,
        lines=(),
        subtotal_fen=totals.gross_fen,
        discount_fen=totals.discount_fen,
        total_fen=totals.net_fen,
        tenders=tuple(  # net of refunds
            printer.ReceiptTender(tender_name(Tender(value), gettext), amount)
            for value, amount in totals.net_tenders.items()
        ),
        blocks=(
            printer.ReceiptBlock(gettext("Sales"), tuple(sales_lines)),
            printer.ReceiptBlock(gettext("Cash drawer"), tuple(cash_lines)),
            printer.ReceiptBlock(gettext("Tenders: sales - refunds = net"), tuple(tender_lines)),
            *_audit_block(anchored, gettext),
        ),
        labels=printer.ReceiptLabels(**(labels | {"title": gettext(LABELS[kind])})),
    )


def _audit_block(
    anchored: audit.Head | None, gettext: Callable[[str], str]
) -> tuple[printer.ReceiptBlock, ...]:
    """The audit log's head on a Z report, to check it later (``pos audit verify --anchor``)."""
    if anchored is None:
        return ()
    lines = (
        gettext(N_("Events {n}")).format(n=anchored.events),
        gettext(N_("Head {hash}")).format(hash=anchored.short),
    )
    return (printer.ReceiptBlock(gettext(N_("Audit log")), lines),)
