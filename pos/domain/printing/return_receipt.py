"""The return receipt (退货单): what came back, what was refunded, and to which tenders."""

from __future__ import annotations

from sqlalchemy.orm import Session

import printer
from pos.domain.printing.print_queue import queue_job
from pos.domain.printing.printing import (
    LABELS,
    PAYMENT_LABELS,
    PrintProfile,
    RenderedReceipt,
    header,
    render_receipt,
    staff_name,
)
from pos.domain.sales.tendering import tender_name
from pos.enums import Tender
from pos.i18n import N_, translator
from pos.models import JobKind, Sale, SaleLine, SaleReturn

RETURN_LABELS = LABELS | {
    "title": N_("Return receipt"),
    "sale_number": N_("Return No."),
    "total": N_("REFUND"),
}


def build_return_receipt(
    session: Session, record: SaleReturn, profile: PrintProfile, copy: bool = False
) -> printer.Receipt:
    """The receipt document of a stored return, in the receipt's language."""
    gettext = translator(profile.language).gettext
    labels = printer.ReceiptLabels(**{key: gettext(text) for key, text in RETURN_LABELS.items()})
    original = session.get_one(Sale, record.original_id)
    lines = []
    for item in record.lines:
        sold = session.get_one(SaleLine, item.sale_line_id)
        gross = item.qty * sold.unit_price_fen
        where = gettext("back on sale") if item.restocked else gettext("quarantined")
        lines.append(
            printer.ReceiptLine(
                name=sold.name,
                spec=sold.spec,
                qty=item.qty,
                unit_price_fen=sold.unit_price_fen,
                total_fen=item.total_fen,
                discount_fen=gross - item.total_fen,
                notes=(where,),
            )
        )
    details = [
        gettext("Original sale: {number}").format(number=original.number),
        gettext("Approved by: {manager}").format(
            manager=staff_name(session, record.approved_by) or "-"
        ),
    ]
    if record.points_reversed:
        details.append(gettext("Points taken back: {n}").format(n=record.points_reversed))
    if record.points_restored:
        details.append(gettext("Points given back: {n}").format(n=record.points_restored))
    if record.reason:
        details.append(gettext("Reason: {reason}").format(reason=record.reason))
    cash = any(refund.tender is Tender.CASH for refund in record.refunds)
    subtotal = sum(line.qty * line.unit_price_fen for line in lines)
    return printer.Receipt(
        **header(profile, record.completed_at),
        number=record.number,
        register=record.register_id,
        cashier=staff_name(session, record.cashier),
        lines=tuple(lines),
        subtotal_fen=subtotal,
        discount_fen=subtotal - record.total_fen,
        total_fen=record.total_fen,
        tenders=tuple(
            printer.ReceiptTender(tender_name(refund.tender, gettext), refund.amount_fen)
            for refund in record.refunds
        )
        + (
            (printer.ReceiptTender(gettext(PAYMENT_LABELS["rounding"]), -record.rounding_fen),)
            if record.rounding_fen
            else ()
        ),
        blocks=(printer.ReceiptBlock(gettext("Return"), tuple(details)),),
        footer=profile.footer,
        copy=copy,
        open_drawer=profile.cash_drawer and cash and not copy,
        labels=labels,
    )


def queue_return_receipt(
    session: Session, record: SaleReturn, profile: PrintProfile
) -> RenderedReceipt:
    """Render the return's receipt and queue it in ``session`` (the caller commits)."""
    rendered = render_receipt(build_return_receipt(session, record, profile), profile)
    queue_job(session, JobKind.RETURN, rendered.data, record.completed_at)
    session.flush()
    return rendered


def preview_return_receipt(session: Session, record: SaleReturn, profile: PrintProfile) -> str:
    """The return receipt as plain text, laid out exactly as printed."""
    receipt = build_return_receipt(session, record, profile)
    return printer.preview(receipt, printer.columns_for(profile.paper_width))
