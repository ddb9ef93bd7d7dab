"""The daily report: a business day's sales, tenders, categories, members and top products.

Every number is an SQL aggregate over the day's sales (found through the
``business_date`` index), so a day is as quick to report in a million sales as in ten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from pos.domain.sales.tendering import tender_name
from pos.enums import Tender
from pos.i18n import _
from pos.models import Payment, Product, Sale, SaleLine
from pos.money import format_fen

TOP = 10


@dataclass(frozen=True)
class CategoryTotal:
    """A product category's sales on the day."""

    category: str
    qty: int
    net_fen: int


@dataclass(frozen=True)
class ProductTotal:
    """A product's sales on the day."""

    sku: str
    name: str
    qty: int
    net_fen: int


@dataclass(frozen=True)
class DailyReport:
    """A business day's numbers; money in fen."""

    business_date: date
    store_code: str
    register_id: str | None
    sales: int
    gross_fen: int
    discount_fen: int
    net_fen: int
    tenders: dict[str, int]
    member_sales: int
    member_net_fen: int
    categories: list[CategoryTotal]
    products: list[ProductTotal]
    rounding_fen: int = 0
    """Cash rounding of the sales: their total minus what the tenders took."""

    @property
    def member_share(self) -> float:
        """The share of the day's sales made to members (0 to 1)."""
        return self.member_sales / self.sales if self.sales else 0.0

    @property
    def member_average_fen(self) -> int:
        """The average member ticket."""
        return self.member_net_fen // self.member_sales if self.member_sales else 0

    @property
    def other_average_fen(self) -> int:
        """The average ticket of everyone else."""
        others = self.sales - self.member_sales
        return (self.net_fen - self.member_net_fen) // others if others else 0

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = asdict(self)
        data["business_date"] = self.business_date.isoformat()
        data["member_share"] = round(self.member_share, 4)
        data["member_average_fen"] = self.member_average_fen
        data["other_average_fen"] = self.other_average_fen
        return data


def sale_filter(
    first: date, last: date, store_code: str, register_id: str | None = None
) -> list[ColumnElement[bool]]:
    """The sales of business days ``first`` to ``last`` at ``store_code`` (one register, or all)."""
    where: list[ColumnElement[bool]] = [
        Sale.business_date == first if first == last else Sale.business_date.between(first, last),
        Sale.store_code == store_code,
    ]
    if register_id is not None:
        where.append(Sale.register_id == register_id)
    return where


def daily_report(
    session: Session,
    business_date: date,
    store_code: str,
    register_id: str | None = None,
    until: date | None = None,
    top: int = TOP,
) -> DailyReport:
    """The numbers of ``business_date`` (to ``until``) at ``store_code`` (one register, or all)."""
    day = sale_filter(business_date, until or business_date, store_code, register_id)
    member = Sale.member_id.is_not(None)
    count, gross, discount, net, members, member_net, rounding = session.execute(
        select(
            func.count(Sale.id),
            func.coalesce(func.sum(Sale.subtotal_fen), 0),
            func.coalesce(func.sum(Sale.discount_fen), 0),
            func.coalesce(func.sum(Sale.total_fen), 0),
            func.count(Sale.member_id),
            func.coalesce(func.sum(case((member, Sale.total_fen), else_=0)), 0),
            func.coalesce(func.sum(Sale.rounding_fen), 0),
        ).where(*day)
    ).one()
    tenders = {
        Tender(tender).value: int(amount)
        for tender, amount in session.execute(
            select(Payment.tender, func.sum(Payment.amount_fen))
            .join(Sale, Sale.id == Payment.sale_id)
            .where(*day)
            .group_by(Payment.tender)
            .order_by(func.sum(Payment.amount_fen).desc())
        )
    }
    qty, line_net = func.sum(SaleLine.qty), func.sum(SaleLine.total_fen)
    categories = [
        CategoryTotal(category or "", int(q), int(n))
        for category, q, n in session.execute(
            select(Product.category, qty, line_net)
            .join(Sale, Sale.id == SaleLine.sale_id)
            .join(Product, Product.id == SaleLine.product_id)
            .where(*day)
            .group_by(Product.category)
            .order_by(line_net.desc(), Product.category)
            .limit(top)
        )
    ]
    products = [
        ProductTotal(sku, name, int(q), int(n))
        for sku, name, q, n in session.execute(
            select(Product.sku, Product.name, qty, line_net)
            .join(Sale, Sale.id == SaleLine.sale_id)
            .join(Product, Product.id == SaleLine.product_id)
            .where(*day)
            .group_by(Product.id, Product.sku, Product.name)
            .order_by(line_net.desc(), Product.sku)
            .limit(TOP)
        )
    ]
    return DailyReport(
        business_date=business_date,
        store_code=store_code,
        register_id=register_id,
        sales=count,
        gross_fen=int(gross),
        discount_fen=int(discount),
        net_fen=int(net),
        tenders=tenders,
        member_sales=members,
        member_net_fen=int(member_net),
        categories=categories,
        products=products,
        rounding_fen=int(rounding),
    )


def report_text(report: DailyReport) -> list[str]:
    """The report as lines of text for the terminal."""
    where = report.store_code + (f"/{report.register_id}" if report.register_id else "")
    lines = [
        _("Daily report {day} ({where})").format(day=report.business_date, where=where),
        _("Sales: {n}").format(n=report.sales),
        _("Gross: {gross}  Discounts: {discount}  Net: {net}").format(
            gross=format_fen(report.gross_fen),
            discount=format_fen(report.discount_fen),
            net=format_fen(report.net_fen),
        ),
        _(
            "Members: {share:.1%} of sales; average ticket {member} (members), {other} (others)"
        ).format(
            share=report.member_share,
            member=format_fen(report.member_average_fen),
            other=format_fen(report.other_average_fen),
        ),
        _("Tenders:"),
    ]
    lines += [
        f"  {tender_name(Tender(tender))}: {format_fen(amount)}"
        for tender, amount in report.tenders.items()
    ]
    if report.rounding_fen:
        lines.append(_("Cash rounding: {amount}").format(amount=format_fen(-report.rounding_fen)))
    lines.append(_("Top categories:"))
    lines += [f"  {c.category or '-'}: {c.qty}  {format_fen(c.net_fen)}" for c in report.categories]
    lines.append(_("Top products:"))
    lines += [f"  {p.sku} {p.name}: {p.qty}  {format_fen(p.net_fen)}" for p in report.products]
    return lines
