"""The store report (``pos report daily|range`` and the Reports screen): a day or a range.

It extends the daily report (:mod:`pos.domain.reports.daily_report`) with sales by hour
and by cashier, refunds, voids, manual discounts, new members, the suggestion
attach rate, guidance coverage and the members due a follow-up. Every number is
an SQL aggregate; only the few audit rows of voids and price changes are read.
No personal data: members appear by card number and masked phone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pos.domain.members.follow_up import FollowUp, members_due
from pos.domain.reports.daily_report import DailyReport, daily_report, sale_filter
from pos.enums import DrugClass, Tender
from pos.models import (
    AuditEvent,
    Member,
    Product,
    Refund,
    Sale,
    SaleLine,
    SaleReturn,
    SuggestionEvent,
)

MANUAL_DISCOUNTS = ("discount", "override.discount", "override.price")
"""Audit actions of discounts and price changes made by hand at the register."""


@dataclass(frozen=True)
class HourTotal:
    """Sales started in one local hour."""

    hour: int
    sales: int
    net_fen: int


@dataclass(frozen=True)
class CashierTotal:
    """One cashier's sales (``cashier`` empty: nobody signed in)."""

    cashier: str
    sales: int
    net_fen: int


@dataclass(frozen=True)
class Ratio:
    """``part`` of ``whole`` (suggestions accepted of shown, lines guided of medicine lines)."""

    whole: int
    part: int

    @property
    def rate(self) -> float:
        """``part / whole`` from 0 to 1 (0 when ``whole`` is 0)."""
        return self.part / self.whole if self.whole else 0.0


@dataclass(frozen=True)
class StoreReport:
    """The daily report of a day or range, and the store's other indicators; money in fen."""

    first: date
    last: date
    day: DailyReport
    hours: list[HourTotal]
    cashiers: list[CashierTotal]
    returns: int
    refund_fen: int
    refund_tenders: dict[str, int]
    voids: int
    void_fen: int
    manual_discounts: dict[str, int]
    new_members: int
    suggestions: Ratio
    guidance: Ratio
    follow_up: list[FollowUp] = field(default_factory=list)
    refund_rounding_fen: int = 0
    """Cash rounding of the refunds: their total minus what they paid back."""

    @property
    def net_after_refunds_fen(self) -> int:
        """Net sales less refunds."""
        return self.day.net_fen - self.refund_fen

    def as_json(self) -> dict[str, Any]:
        """The daily report's JSON with the other sections added."""
        data = self.day.as_json()
        data.update(
            {
                "from": self.first.isoformat(),
                "to": self.last.isoformat(),
                "hours": [asdict(hour) for hour in self.hours],
                "cashiers": [asdict(cashier) for cashier in self.cashiers],
                "refunds": {
                    "returns": self.returns,
                    "total_fen": self.refund_fen,
                    "tenders": self.refund_tenders,
                    "rounding_fen": self.refund_rounding_fen,
                },
                "net_after_refunds_fen": self.net_after_refunds_fen,
                "voids": {"count": self.voids, "total_fen": self.void_fen},
                "manual_discounts": self.manual_discounts,
                "new_members": self.new_members,
                "suggestions": {
                    "shown": self.suggestions.whole,
                    "accepted": self.suggestions.part,
                    "attach_rate": round(self.suggestions.rate, 4),
                },
                "guidance": {
                    "medicine_lines": self.guidance.whole,
                    "guided": self.guidance.part,
                    "coverage": round(self.guidance.rate, 4),
                },
                "follow_up": [item.as_json() for item in self.follow_up],
            }
        )
        return data


def utc_bounds(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC start of ``first`` and the UTC end of ``last`` in the store's time zone."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def _hours(session: Session, where: list[Any], first: date, timezone: str) -> list[HourTotal]:
    """Sales by local hour, grouped in SQL by UTC hour and minute (the offset of ``first``)."""
    offset = datetime.combine(first, time(12), tzinfo=ZoneInfo(timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    hour = func.extract("hour", Sale.completed_at)
    minute = func.extract("minute", Sale.completed_at)
    totals: dict[int, list[int]] = {}
    for utc_hour, utc_minute, count, net in session.execute(
        select(hour, minute, func.count(Sale.id), func.coalesce(func.sum(Sale.total_fen), 0))
        .where(*where)
        .group_by(hour, minute)
    ):
        local = ((int(utc_hour) * 60 + int(utc_minute) + minutes) // 60) % 24
        slot = totals.setdefault(local, [0, 0])
        slot[0] += int(count)
        slot[1] += int(net)
    return [HourTotal(h, sales, net) for h, (sales, net) in sorted(totals.items())]


def _refunds(
    session: Session, first: date, last: date, store_code: str, register_id: str | None
) -> tuple[int, int, dict[str, int], int]:
    where = [SaleReturn.business_date.between(first, last), SaleReturn.store_code == store_code]
    if register_id is not None:
        where.append(SaleReturn.register_id == register_id)
    count, total, rounding = session.execute(
        select(
            func.count(SaleReturn.id),
            func.coalesce(func.sum(SaleReturn.total_fen), 0),
            func.coalesce(func.sum(SaleReturn.rounding_fen), 0),
        ).where(*where)
    ).one()
    tenders = {
        Tender(tender).value: int(amount)
        for tender, amount in session.execute(
            select(Refund.tender, func.sum(Refund.amount_fen))
            .join(SaleReturn, SaleReturn.id == Refund.return_id)
            .where(*where)
            .group_by(Refund.tender)
            .order_by(func.sum(Refund.amount_fen).desc())
        )
    }
    return int(count), int(total), tenders, int(rounding)


def _audit_counts(
    session: Session, start: datetime, end: datetime
) -> tuple[int, int, dict[str, int]]:
    """Voids (count and total) and manual discounts by action, from the audit log."""
    in_range = [AuditEvent.at >= start, AuditEvent.at < end]
    voids = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "void", *in_range)
    ).all()
    void_fen = sum(int(detail.get("total_fen", 0) or 0) for detail in voids)
    manual = {
        action: int(count)
        for action, count in session.execute(
            select(AuditEvent.action, func.count(AuditEvent.id))
            .where(AuditEvent.action.in_(MANUAL_DISCOUNTS), *in_range)
            .group_by(AuditEvent.action)
            .order_by(AuditEvent.action)
        )
    }
    return len(voids), void_fen, manual


def store_report(
    session: Session,
    first: date,
    last: date,
    store_code: str,
    timezone: str,
    register_id: str | None = None,
) -> StoreReport:
    """The report of business days ``first`` to ``last`` (inclusive)."""
    day = daily_report(session, first, store_code, register_id, until=last, top=1000)
    where = sale_filter(first, last, store_code, register_id)
    start, end = utc_bounds(first, last, timezone)
    cashiers = [
        CashierTotal(cashier or "", int(count), int(net))
        for cashier, count, net in session.execute(
            select(Sale.cashier, func.count(Sale.id), func.coalesce(func.sum(Sale.total_fen), 0))
            .where(*where)
            .group_by(Sale.cashier)
            .order_by(func.sum(Sale.total_fen).desc(), Sale.cashier)
        )
    ]
    returns, refund_fen, refund_tenders, refund_rounding = _refunds(
        session, first, last, store_code, register_id
    )
    voids, void_fen, manual = _audit_counts(session, start, end)
    new_members = session.scalar(
        select(func.count(Member.id)).where(
            Member.enrolled_at >= start,
            Member.enrolled_at < end,
            Member.enrolled_store == store_code,
        )
    )
    shown, accepted = session.execute(
        select(
            func.count(SuggestionEvent.id),
            func.coalesce(func.sum(case((SuggestionEvent.accepted, 1), else_=0)), 0),
        )
        .join(Sale, Sale.id == SuggestionEvent.sale_id)
        .where(*where)
    ).one()
    medicine, guided = session.execute(
        select(
            func.count(SaleLine.id),
            func.coalesce(func.sum(case((SaleLine.guidance_given, 1), else_=0)), 0),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .join(Product, Product.id == SaleLine.product_id)
        .where(*where, Product.drug_class != DrugClass.NONE)
    ).one()
    return StoreReport(
        first=first,
        last=last,
        day=day,
        hours=_hours(session, where, first, timezone),
        cashiers=cashiers,
        returns=returns,
        refund_fen=refund_fen,
        refund_tenders=refund_tenders,
        refund_rounding_fen=refund_rounding,
        voids=voids,
        void_fen=void_fen,
        manual_discounts=manual,
        new_members=int(new_members or 0),
        suggestions=Ratio(int(shown), int(accepted)),
        guidance=Ratio(int(medicine), int(guided)),
        follow_up=members_due(session, last),
    )
