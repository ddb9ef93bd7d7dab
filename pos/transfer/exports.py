"""Exporting sales and members (JSON lines or CSV) and stock (CSV); contracts in the README."""

from __future__ import annotations

import csv
import heapq
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload

from pos.domain.aftercare.satisfaction import ratings
from pos.domain.members.segments import SegmentRules, segment
from pos.domain.pharmacy.safety import mask_id
from pos.enums import Tender
from pos.models import (
    Lot,
    Member,
    PointsEntry,
    Prescription,
    Product,
    RestrictedSale,
    Sale,
    SaleLine,
    TraceCode,
)
from pos.transfer.return_exports import each_return

SALE_CSV_COLUMNS = (
    "number", "completed_at", "store", "register", "cashier", "member",
    "line_no", "sku", "barcode", "name", "qty", "unit_price_fen", "discount_fen", "total_fen",
    "lot", "expiry", "sale_subtotal_fen", "sale_discount_fen", "sale_total_fen",
    "sale_change_fen", "payments", "points_earned", "points_redeemed",
    "guidance_given", "trace_codes", "prescription_number", "prescriber",
    "prescription_issued_on", "patient_name", "pharmacist", "restricted_buyer",
    "promotion", "suggested_by", "type", "original", "insured_fen", "rating",
)  # fmt: skip
MEMBER_CSV_COLUMNS = (
    "card_no", "phone", "name", "gender", "birthday", "tier", "points", "enrolled_at",
    "health_consent", "allergies", "conditions", "consents", "tier_until", "referrer",
    "segment",
)  # fmt: skip


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2026-11-25T09:30:00Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SaleExtras:
    """What the export adds to a batch of sales from the pharmacy records."""

    prescriptions: dict[int, Prescription] = field(default_factory=dict)
    """By sale id."""
    buyers: dict[int, str] = field(default_factory=dict)
    """The restricted-sale buyer's ID number, by sale id."""
    trace_codes: dict[int, list[str]] = field(default_factory=dict)
    """The traceability codes sold, by sale line id."""
    ratings: dict[int, int] = field(default_factory=dict)
    """The customer's satisfaction rating (1–5), by sale id (rated sales only)."""


def sale_extras(session: Session, sales: Sequence[Sale]) -> SaleExtras:
    """Prescriptions, restricted-sale buyers, traceability codes and ratings of ``sales``
    (4 queries)."""
    sale_ids = [sale.id for sale in sales]
    line_ids = [line.id for sale in sales for line in sale.lines]
    extras = SaleExtras()
    if not sale_ids:
        return extras
    for prescription in session.scalars(
        select(Prescription).where(Prescription.sale_id.in_(sale_ids))
    ):
        extras.prescriptions[prescription.sale_id] = prescription
    buyers = session.execute(
        select(RestrictedSale.sale_id, RestrictedSale.buyer_id_number)
        .where(RestrictedSale.sale_id.in_(sale_ids))
        .order_by(RestrictedSale.id)
    )
    for sale_id, id_number in buyers:
        extras.buyers.setdefault(sale_id, id_number)
    if line_ids:
        codes = session.execute(
            select(TraceCode.sale_line_id, TraceCode.code)
            .where(TraceCode.sale_line_id.in_(line_ids))
            .order_by(TraceCode.id)
        )
        for line_id, code in codes:
            extras.trace_codes.setdefault(line_id, []).append(code)
    extras.ratings.update(ratings(session, sale_ids))
    return extras


def _sale_batches(
    session: Session, since: datetime | None, batch: int = 500
) -> Iterator[tuple[list[Sale], SaleExtras]]:
    """Completed sales, oldest first, a batch at a time with their pharmacy records."""
    statement = (
        select(Sale)
        .options(
            selectinload(Sale.lines).selectinload(SaleLine.lots),
            selectinload(Sale.payments),
        )
        .order_by(Sale.completed_at, Sale.id)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        statement = statement.where(Sale.completed_at >= since)
    for partition in session.scalars(statement).partitions():
        sales = list(partition)
        yield sales, sale_extras(session, sales)


def _each_sale(session: Session, since: datetime | None) -> Iterator[tuple[Sale, SaleExtras]]:
    for sales, extras in _sale_batches(session, since):
        for sale in sales:
            yield sale, extras


def _prescription_record(prescription: Prescription | None) -> dict[str, str] | None:
    if prescription is None:
        return None
    return {
        "number": prescription.number,
        "prescriber": prescription.prescriber,
        "issued_on": prescription.issued_on.isoformat(),
        "patient_name": prescription.patient_name,
        "pharmacist": prescription.pharmacist_id,
    }


def _line_entries(line: SaleLine, trace_codes: list[str]) -> Iterator[dict[str, Any]]:
    """One entry per lot a line came from; quantities, discount and total split by lot.

    The line's traceability codes go on its first entry (the others get ``[]``). A line
    with no lot (imported history) is one entry with ``lot`` and ``expiry`` null.
    """
    lots: list[tuple[str | None, str | None, int]] = [
        (lot.lot_number, lot.expiry.isoformat(), lot.qty) for lot in line.lots
    ] or [(None, None, line.qty)]
    remaining_discount = line.discount_fen
    for index, (lot_number, expiry, qty) in enumerate(lots):
        last = index == len(lots) - 1
        discount = remaining_discount if last else line.discount_fen * qty // line.qty
        remaining_discount -= discount
        yield {
            "sku": line.sku,
            "barcode": line.barcode,
            "name": line.name,
            "qty": qty,
            "unit_price_fen": line.unit_price_fen,
            "discount_fen": discount,
            "total_fen": qty * line.unit_price_fen - discount,
            "lot": lot_number,
            "expiry": expiry,
            "line_no": line.line_no,
            "guidance_given": line.guidance_given,
            "trace_codes": trace_codes if index == 0 else [],
            "promotion": line.promotion_id,
            "suggested_by": line.suggested_by,
        }


def sale_record(sale: Sale, extras: SaleExtras | None = None) -> dict[str, Any]:
    """The export object of one sale (``extras`` from :func:`sale_extras`, else looked up)."""
    if extras is None:
        session = object_session(sale)
        extras = sale_extras(session, [sale]) if session is not None else SaleExtras()
    buyer = extras.buyers.get(sale.id)
    return {
        "type": "sale",
        "original": None,
        "number": sale.number,
        "completed_at": iso_utc(sale.completed_at),
        "store": sale.store_code,
        "register": sale.register_id,
        "cashier": sale.cashier,
        "member": sale.member,
        "points_earned": sale.points_earned,
        "points_redeemed": sale.points_redeemed,
        "lines": [
            entry
            for line in sale.lines
            for entry in _line_entries(line, extras.trace_codes.get(line.id, []))
        ],
        "payments": [
            {"tender": payment.tender.value, "amount_fen": payment.amount_fen}
            | ({"tendered_fen": payment.tendered_fen} if payment.tendered_fen is not None else {})
            for payment in sale.payments
        ],
        "subtotal_fen": sale.subtotal_fen,
        "discount_fen": sale.discount_fen,
        "total_fen": sale.total_fen,
        "change_fen": sale.change_fen,
        "prescription": _prescription_record(extras.prescriptions.get(sale.id)),
        "restricted_buyer": mask_id(buyer) if buyer else None,
        "rounding_fen": sale.rounding_fen,
        "insured_fen": sum(p.amount_fen for p in sale.payments if p.tender is Tender.INSURANCE),
        "rating": extras.ratings.get(sale.id),
    }


def _records(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    """Sales and returns, oldest first, as export objects."""

    def sales() -> Iterator[tuple[datetime, int, dict[str, Any]]]:
        for sale, extras in _each_sale(session, since):
            yield sale.completed_at, 0, sale_record(sale, extras)

    def returned() -> Iterator[tuple[datetime, int, dict[str, Any]]]:
        for record in each_return(session, since):
            moment = record["completed_at"]
            yield moment, 1, record | {"completed_at": iso_utc(moment)}

    for _moment, _kind, record in heapq.merge(sales(), returned(), key=lambda item: item[:2]):
        yield record


def export_sales_jsonl(session: Session, since: datetime | None = None) -> Iterator[str]:
    """One JSON object per completed sale or return (``type``), oldest first."""
    for record in _records(session, since):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def export_sales_csv(session: Session, since: datetime | None = None) -> Iterator[str]:
    """One CSV row per line entry (per lot), the sale's fields repeated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SALE_CSV_COLUMNS)
    for record in _records(session, since):
        if record["type"] == "return":
            _return_rows(writer, record)
            continue
        prescription = record["prescription"] or {}
        payments = "|".join(
            f"{p['tender']}:{p['amount_fen']}"
            + (f":{p['tendered_fen']}" if "tendered_fen" in p else "")
            for p in record["payments"]
        )
        for entry in record["lines"]:
            writer.writerow([
                record["number"], record["completed_at"], record["store"], record["register"],
                record["cashier"] or "", record["member"] or "", entry["line_no"], entry["sku"],
                entry["barcode"] or "", entry["name"], entry["qty"], entry["unit_price_fen"],
                entry["discount_fen"], entry["total_fen"], entry["lot"] or "",
                entry["expiry"] or "",
                record["subtotal_fen"], record["discount_fen"], record["total_fen"],
                record["change_fen"], payments, record["points_earned"],
                record["points_redeemed"], "yes" if entry["guidance_given"] else "no",
                "|".join(entry["trace_codes"]), prescription.get("number", ""),
                prescription.get("prescriber", ""), prescription.get("issued_on", ""),
                prescription.get("patient_name", ""), prescription.get("pharmacist", ""),
                record["restricted_buyer"] or "", entry["promotion"] or "",
                entry["suggested_by"] or "", "sale", "", record["insured_fen"],
                "" if record["rating"] is None else record["rating"],
            ])  # fmt: skip
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _return_rows(writer: Any, record: dict[str, Any]) -> None:
    """A return's CSV rows: money columns are refunds; points: taken back, given back."""
    refunds = "|".join(f"{r['tender']}:{r['amount_fen']}" for r in record["refunds"])
    gross = sum(item["qty"] * item["unit_price_fen"] for item in record["lines"])
    insured = sum(r["amount_fen"] for r in record["refunds"] if r["tender"] == Tender.INSURANCE)
    for item in record["lines"]:
        writer.writerow([
            record["number"], record["completed_at"], record["store"], record["register"],
            record["cashier"] or "", record["member"] or "", item["line_no"], item["sku"],
            item["barcode"] or "", item["name"], item["qty"], item["unit_price_fen"],
            item["qty"] * item["unit_price_fen"] - item["total_fen"], item["total_fen"], "", "",
            gross, gross - record["total_fen"], record["total_fen"], 0, refunds,
            record["points_reversed"], record["points_restored"], "", "", "", "", "", "", "",
            "", "", "", "return", record["original"], insured, "",
        ])  # fmt: skip


_MEMBER_FIELDS = (
    Member.id, Member.card_no, Member.phone, Member.name, Member.gender, Member.birthday,
    Member.tier, Member.enrolled_at, Member.consent_terms, Member.consent_marketing,
    Member.consent_health, Member.allergies, Member.conditions, Member.tier_floor,
    Member.tier_until, Member.referrer_id, Member.visits, Member.last_visit_at,
)  # fmt: skip


def health_lists(consent: bool, allergies: str, conditions: str) -> dict[str, list[str]] | None:
    """A member's allergies and conditions as lists; None without the health-data consent."""
    if not consent:
        return None
    return {
        "allergies": [item for item in allergies.split(",") if item],
        "conditions": [item for item in conditions.split(",") if item],
    }


def _member_records(
    session: Session, segments: Segmenter, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Members not erased, by id, a batch at a time; points (and referrers' card numbers)
    from one query per batch."""
    last_id = 0
    while True:
        rows = session.execute(
            select(*_MEMBER_FIELDS)
            .where(Member.erased_at.is_(None), Member.id > last_id)
            .order_by(Member.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        points = dict(
            session.execute(
                select(PointsEntry.member_id, func.sum(PointsEntry.delta))
                .where(PointsEntry.member_id.in_(ids))
                .group_by(PointsEntry.member_id)
            ).all()
        )
        referrers = {row.referrer_id for row in rows if row.referrer_id is not None}
        cards = (
            dict(
                session.execute(
                    select(Member.id, Member.card_no).where(Member.id.in_(referrers))
                ).all()
            )
            if referrers
            else {}
        )
        for row in rows:
            yield {
                "card_no": row.card_no,
                "phone": row.phone,
                "name": row.name,
                "gender": row.gender,
                "birthday": row.birthday.isoformat() if row.birthday else None,
                "tier": row.tier,
                "points": int(points.get(row.id) or 0),
                "enrolled_at": iso_utc(row.enrolled_at),
                "consents": {
                    "terms": row.consent_terms,
                    "marketing": row.consent_marketing,
                    "health": row.consent_health,
                },
                "health": health_lists(row.consent_health, row.allergies, row.conditions),
                "tier_until": _tier_until(row.tier, row.tier_floor, row.tier_until),
                "referrer": cards.get(row.referrer_id) if row.referrer_id else None,
                "segment": segments(row.enrolled_at, row.visits, row.last_visit_at),
            }
        last_id = ids[-1]


def _tier_until(tier: str, floor: str | None, until: date | None) -> str | None:
    """The last day of the floor that holds the member's tier (None: no floor, or no end)."""
    return until.isoformat() if floor == tier and until is not None else None


class Segmenter:
    """A member's segment on one day, from the enrolment and visits (store's dates)."""

    def __init__(self, today: date, timezone: str, rules: SegmentRules) -> None:
        self.today = today
        self.zone = ZoneInfo(timezone)
        self.rules = rules

    def __call__(self, enrolled_at: datetime, visits: int, last_visit_at: datetime | None) -> str:
        last = last_visit_at.astimezone(self.zone).date() if last_visit_at else None
        enrolled = enrolled_at.astimezone(self.zone).date()
        return segment(enrolled, visits, last, self.today, self.rules)


def _segmenter(segments: Segmenter | None) -> Segmenter:
    if segments is not None:
        return segments
    return Segmenter(datetime.now(UTC).date(), "UTC", SegmentRules())


def export_members_jsonl(session: Session, segments: Segmenter | None = None) -> Iterator[str]:
    """One JSON object per member (erased members left out), by enrolment order."""
    for record in _member_records(session, _segmenter(segments)):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def export_members_csv(session: Session, segments: Segmenter | None = None) -> Iterator[str]:
    """One CSV row per member; ``consents`` lists the given ones, ``|``-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MEMBER_CSV_COLUMNS)
    for count, record in enumerate(_member_records(session, _segmenter(segments)), 1):
        consents = "|".join(name for name, given in record["consents"].items() if given)
        health = record["health"] or {"allergies": [], "conditions": []}
        writer.writerow([
            record["card_no"], record["phone"] or "", record["name"] or "",
            record["gender"] or "", record["birthday"] or "", record["tier"], record["points"],
            record["enrolled_at"], "yes" if record["health"] is not None else "no",
            "|".join(health["allergies"]), "|".join(health["conditions"]), consents,
            record["tier_until"] or "", record["referrer"] or "", record["segment"],
        ])  # fmt: skip
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_stock_csv(session: Session) -> Iterator[str]:
    """``sku,lot,expiry,quantity`` for every lot, by SKU then expiry."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("sku", "lot", "expiry", "quantity"))
    rows = session.execute(
        select(Product.sku, Lot.lot_number, Lot.expiry, Lot.quantity)
        .join(Lot, Lot.product_id == Product.id)
        .order_by(Product.sku, Lot.expiry, Lot.lot_number)
    )
    for sku, lot, expiry, quantity in rows:
        writer.writerow((sku, lot, expiry.isoformat(), quantity))
    yield buffer.getvalue()
