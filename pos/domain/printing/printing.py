"""Receipts: built from a stored sale, rendered to ESC/POS bytes and queued for printing.

The receipt is rendered and stored as a print job in the sale's own transaction
(:func:`queue_receipt`), so a sale is never stored without its receipt;
:mod:`pos.domain.printing.print_queue` sends the queued jobs to the printer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

import printer
from pos.domain.members import members, points_ledger
from pos.domain.members.loyalty import tier_name
from pos.domain.pharmacy.guidance import guidance_by_keys_all, line_keys
from pos.domain.pharmacy.safety import mask_id
from pos.domain.printing.print_queue import queue_job
from pos.domain.sales.tendering import tender_name
from pos.enums import DrugClass, Tender
from pos.i18n import N_, translator
from pos.models import (
    Guidance,
    JobKind,
    Member,
    PointsEntry,
    Product,
    ProductIngredient,
    Promotion,
    Sale,
    User,
)

# Receipt labels, translated into the receipt's language (not the screen's).
LABELS = {
    "title": N_("Sales receipt"),
    "sale_number": N_("Sale No."),
    "time": N_("Time"),
    "register": N_("Register"),
    "cashier": N_("Cashier"),
    "subtotal": N_("Subtotal"),
    "discount": N_("Discount"),
    "total": N_("TOTAL"),
    "tendered": N_("Cash tendered"),
    "change": N_("CHANGE"),
    "copy": N_("COPY"),
    "tax_id": N_("Tax ID"),
    "phone": N_("Tel"),
}
PAYMENT_LABELS = {
    "rounding": N_("Cash rounding"),
    "insured": N_("Insurance paid"),
    "self_paid": N_("Self-paid"),
}
"""Rows of the payment block (not :class:`printer.ReceiptLabels` fields)."""


@dataclass(frozen=True)
class StoreHeader:
    """The store as printed at the top of a receipt."""

    name: str
    address: str = ""
    phone: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class PrintProfile:
    """How this register prints: the printer, the paper and the receipt's language."""

    store: StoreHeader = field(default_factory=lambda: StoreHeader(""))
    uri: str = "none"
    paper_width: int = 80
    encoding: str = "gbk"
    chinese_commands: bool = True
    cash_drawer: bool = True
    timeout: float = 5.0
    language: str = "zh_CN"
    footer: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"


class HeaderFields(TypedDict):
    """The fields every printed document of the store starts with (see :func:`header`)."""

    store_name: str
    address: str
    phone: str
    tax_id: str
    when: str


def header(profile: PrintProfile, moment: datetime) -> HeaderFields:
    """The store's name, address, phone and tax id, and ``moment`` in the store's time."""
    local = moment.astimezone(ZoneInfo(profile.timezone))
    store = profile.store
    return {
        "store_name": store.name,
        "address": store.address,
        "phone": store.phone,
        "tax_id": store.tax_id,
        "when": f"{local:%Y-%m-%d %H:%M:%S}",
    }


@dataclass(frozen=True)
class RenderedReceipt:
    """A receipt's bytes, and the characters the printer's encoding lacks."""

    data: bytes
    substituted: tuple[str, ...]


@dataclass(frozen=True)
class LineProduct:
    """What a receipt prints under a line from its product: the maker, and the guidance
    of the first of ``guidance_keys`` that has one (a medicine's; none for other goods)."""

    manufacturer: str
    guidance_keys: tuple[str, ...]


LINE_PRODUCTS = (
    select(
        Product.id,
        Product.sku,
        Product.manufacturer,
        Product.category,
        Product.drug_class,
        ProductIngredient.ingredient,
    )
    .outerjoin(ProductIngredient, ProductIngredient.product_id == Product.id)
    .where(Product.id.in_(bindparam("product_ids", expanding=True)))
    .order_by(ProductIngredient.position)
)
"""Products with their ingredients, in order (built once: every receipt runs it)."""


def line_products(session: Session, product_ids: set[int]) -> dict[int, LineProduct]:
    """:class:`LineProduct` of each of ``product_ids``, by id (one query)."""
    found: dict[int, tuple[str, str, str, DrugClass, list[str]]] = {}
    rows = session.execute(LINE_PRODUCTS, {"product_ids": list(product_ids)})
    for product_id, sku, manufacturer, category, drug_class, ingredient in rows:
        row = found.setdefault(product_id, (sku, manufacturer, category, drug_class, []))
        if ingredient is not None:
            row[4].append(ingredient)
    return {
        product_id: LineProduct(
            manufacturer,
            tuple(line_keys(sku, ingredients, category, drug_class))
            if drug_class is not DrugClass.NONE
            else (),
        )
        for product_id, (sku, manufacturer, category, drug_class, ingredients) in found.items()
    }


@functools.cache
def receipt_language(language: str) -> tuple[Callable[[str], str], printer.ReceiptLabels]:
    """The receipt's translation into ``language`` and its labels (read once per language)."""
    gettext = translator(language).gettext
    return gettext, printer.ReceiptLabels(**{key: gettext(text) for key, text in LABELS.items()})


def build_receipt(
    session: Session, sale: Sale, profile: PrintProfile, copy: bool = False
) -> printer.Receipt:
    """The receipt document of a stored ``sale``, in the receipt's language.

    The printed figures add up: each line is printed at quantity × unit price with
    its discount under it, 小计 (subtotal) is the sum of those line amounts, 优惠
    (discount) the sum of the line discounts, and the total is 小计 − 优惠.
    """
    gettext, labels = receipt_language(profile.language)
    english = not profile.language.lower().startswith("zh")
    products = line_products(session, {line.product_id for line in sale.lines})
    found = guidance_by_keys_all(
        session, [key for product in products.values() for key in product.guidance_keys]
    )
    lines = []
    for line in sale.lines:
        product = products.get(line.product_id)
        notes = [product.manufacturer] if product is not None and product.manufacturer else []
        notes += [
            gettext("Lot {lot}  Exp. {expiry}").format(lot=lot.lot_number, expiry=lot.expiry)
            for lot in line.lots
        ]
        if product is not None and product.guidance_keys:
            guidance = next((found[key] for key in product.guidance_keys if key in found), None)
            notes += guidance_notes(guidance, english, gettext)
        promotion = session.get(Promotion, line.promotion_id) if line.promotion_id else None
        if promotion is not None:
            notes.append(gettext("Promotion: {name}").format(name=promotion.name))
        lines.append(
            printer.ReceiptLine(
                name=line.name,
                spec=line.spec,
                qty=line.qty,
                unit_price_fen=line.unit_price_fen,
                total_fen=line.total_fen,
                discount_fen=line.discount_fen,
                notes=tuple(notes),
            )
        )
    cash = [payment for payment in sale.payments if payment.tender is Tender.CASH]
    blocks = list(safety_blocks(session, sale, gettext))
    if sale.member_id is not None:
        blocks.append(member_block(session, sale, gettext))
    blocks += preview_blocks(session, sale.business_date, gettext)
    return printer.Receipt(
        **header(profile, sale.completed_at),
        number=sale.number,
        register=sale.register_id,
        cashier=staff_name(session, sale.cashier),
        lines=tuple(lines),
        subtotal_fen=sale.subtotal_fen,
        discount_fen=sale.discount_fen,
        total_fen=sale.total_fen,
        tenders=payment_rows(sale, gettext),
        change_fen=sale.change_fen,
        cash_tendered_fen=(
            sum(payment.tendered_fen or payment.amount_fen for payment in cash) if cash else None
        ),
        blocks=tuple(blocks),
        footer=profile.footer,
        copy=copy,
        open_drawer=profile.cash_drawer and bool(cash) and not copy,
        labels=labels,
    )


STAFF_NAME = select(User.name).where(User.id == bindparam("user_id"))
"""A user's name (built once: every receipt runs it)."""


def staff_name(session: Session, user_id: str | None) -> str | None:
    """How a member of staff is printed: by name (张收银), by id when no such user."""
    if not user_id:
        return user_id
    return session.scalar(STAFF_NAME, {"user_id": user_id}) or user_id


def payment_rows(sale: Sale, gettext: Callable[[str], str]) -> tuple[printer.ReceiptTender, ...]:
    """The receipt's payment block: each tender, the cash rounding, insured and self-paid parts."""
    rows = [
        printer.ReceiptTender(tender_name(payment.tender, gettext), payment.amount_fen)
        for payment in sale.payments
    ]
    if sale.rounding_fen:  # shown as what it changed the cash by: -0.04 waived, 0.05 added
        rows.append(printer.ReceiptTender(gettext(PAYMENT_LABELS["rounding"]), -sale.rounding_fen))
    insured = sum(p.amount_fen for p in sale.payments if p.tender is Tender.INSURANCE)
    if insured:
        rows.append(printer.ReceiptTender(gettext(PAYMENT_LABELS["insured"]), insured))
        self_paid = sale.total_fen - insured
        rows.append(printer.ReceiptTender(gettext(PAYMENT_LABELS["self_paid"]), self_paid))
    return tuple(rows)


def guidance_notes(
    found: Guidance | None, english: bool, gettext: Callable[[str], str]
) -> list[str]:
    """The short guidance printed under a drug line: usage and dose."""
    if found is None:
        return []
    usage = (found.usage_en if english else "") or found.usage
    dosage = (found.dosage_en if english else "") or found.dosage
    return [gettext("Usage: {text}").format(text=" ".join(p for p in (usage, dosage) if p))]


def safety_blocks(
    session: Session, sale: Sale, gettext: Callable[[str], str]
) -> list[printer.ReceiptBlock]:
    """The prescription and the restricted-sale registration, masked."""
    blocks = []
    prescription = sale.prescription
    if prescription is not None:
        blocks.append(
            printer.ReceiptBlock(
                gettext("Prescription"),
                (
                    gettext("Rx No. {number}").format(number=prescription.number),
                    gettext("Reviewed by pharmacist {id}").format(
                        id=staff_name(session, prescription.pharmacist_id)
                    ),
                ),
            )
        )
    if sale.restricted:
        buyer = sale.restricted[0]
        blocks.append(
            printer.ReceiptBlock(
                gettext("Restricted sale register"),
                (f"{members.mask_name(buyer.buyer_name)}  {mask_id(buyer.buyer_id_number)}",),
            )
        )
    return blocks


COMING_PROMOTIONS = (
    select(Promotion)
    .where(Promotion.starts > bindparam("today"))
    .order_by(Promotion.starts)
    .limit(bindparam("most"))
)
"""The first promotions to start after a day (built once: every receipt runs it)."""


def preview_blocks(
    session: Session, today: date, gettext: Callable[[str], str], most: int = 3
) -> list[printer.ReceiptBlock]:
    """Coming promotions, previewed at the bottom of the receipt."""
    coming = session.scalars(COMING_PROMOTIONS, {"today": today, "most": most}).all()
    if not coming:
        return []
    lines = tuple(
        gettext("{start} to {end}: {name}").format(
            start=f"{promotion.starts:%m-%d}", end=f"{promotion.ends:%m-%d}", name=promotion.name
        )
        for promotion in coming
    )
    return [printer.ReceiptBlock(gettext("Coming promotions"), lines)]


def member_block(
    session: Session, sale: Sale, gettext: Callable[[str], str]
) -> printer.ReceiptBlock:
    """The member's part of a receipt: card, masked phone and name, tier, points."""
    member = session.get_one(Member, sale.member_id)
    after = session.scalar(
        select(PointsEntry.balance_after)
        .where(PointsEntry.sale_id == sale.id, PointsEntry.member_id == member.id)
        .order_by(PointsEntry.id.desc())
        .limit(1)
    )
    balance = points_ledger.balance(session, member.id) if after is None else after
    lines = [
        gettext("Card {card}").format(card=sale.member or member.card_no),
        f"{members.mask_name(member.name)}  {members.mask_phone(member.phone)}".strip(),
        gettext("Tier {tier}").format(tier=tier_name(member.tier, gettext)),
        gettext("Points earned {n}").format(n=sale.points_earned),
    ]
    if sale.points_redeemed:
        lines.append(gettext("Points redeemed {n}").format(n=sale.points_redeemed))
    lines.append(gettext("Points balance {n}").format(n=balance))
    if member.referral_code and member.erased_at is None:
        lines.append(
            gettext("Recommend a friend: referral code {code}").format(code=member.referral_code)
        )
    return printer.ReceiptBlock(gettext("Member"), tuple(line for line in lines if line))


def render_receipt(receipt: printer.Receipt, profile: PrintProfile) -> RenderedReceipt:
    """ESC/POS bytes of ``receipt`` for this register's printer."""
    data, substituted = printer.render(
        receipt, profile.paper_width, profile.encoding, profile.chinese_commands
    )
    return RenderedReceipt(data, substituted)


def queue_receipt(
    session: Session,
    sale: Sale,
    profile: PrintProfile,
    now: datetime,
    kind: JobKind = JobKind.RECEIPT,
) -> RenderedReceipt:
    """Render ``sale``'s receipt and queue it in ``session`` (the caller commits: the job is
    flushed with the transaction's last changes)."""
    rendered = render_receipt(
        build_receipt(session, sale, profile, copy=kind is JobKind.REPRINT), profile
    )
    queue_job(session, kind, rendered.data, now, sale.id)
    return rendered


def preview_receipt(session: Session, sale: Sale, profile: PrintProfile) -> str:
    """The receipt as plain text, laid out exactly as printed."""
    receipt = build_receipt(session, sale, profile)
    return printer.preview(receipt, printer.columns_for(profile.paper_width))


def find_sale(session: Session, number: str) -> Sale | None:
    """The stored sale with ``number``."""
    return session.scalar(select(Sale).where(Sale.number == number.strip().upper()))
