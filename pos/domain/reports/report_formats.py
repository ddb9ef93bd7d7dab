"""The store report as sections of rows (for text and rich tables) and as CSV.

:func:`sections` is what the terminal table, the plain text and the Reports screen
show; :func:`report_csv` has one row per figure (columns: :data:`REPORT_CSV_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from pos.domain.reports.daily_report import report_text as daily_text
from pos.domain.reports.store_report import StoreReport
from pos.domain.sales.tendering import tender_name
from pos.enums import Tender
from pos.i18n import _
from pos.money import format_fen
from pos.names import category_name
from printer.layout import text_width

REPORT_CSV_COLUMNS = ("section", "key", "name", "count", "qty", "amount_fen", "percent", "date")
"""Columns of ``pos report daily|range --format csv`` (README, Reports)."""


@dataclass(frozen=True)
class Section:
    """A titled table: columns from ``numeric_from`` on are right-aligned numbers."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric_from: int = 1


def _pct(rate: float) -> str:
    return f"{rate:.1%}"


def _money(fen: int) -> str:
    return f"¥{format_fen(fen)}"


def _tender(value: str) -> str:
    return tender_name(Tender(value))


def indicators(report: StoreReport) -> Section:
    """The key figures: sales, refunds, members, attach rate, guidance coverage."""
    day = report.day
    others = day.sales - day.member_sales
    rows = [
        [_("Sales"), str(day.sales), _money(day.net_fen)],
        [_("Gross before discounts"), "", _money(day.gross_fen)],
        [_("Discounts on sales"), "", _money(day.discount_fen)],
        [_("Refunds"), str(report.returns), _money(report.refund_fen)],
        [_("Net after refunds"), "", _money(report.net_after_refunds_fen)],
        [_("Voided carts"), str(report.voids), _money(report.void_fen)],
        [_("Member share of transactions"), str(day.member_sales), _pct(day.member_share)],
        [_("Average ticket, members"), str(day.member_sales), _money(day.member_average_fen)],
        [_("Average ticket, non-members"), str(others), _money(day.other_average_fen)],
        [_("New members enrolled"), str(report.new_members), ""],
        [
            _("Suggestion attach rate (accepted / shown)"),
            f"{report.suggestions.part}/{report.suggestions.whole}",
            _pct(report.suggestions.rate),
        ],
        [
            _("Guidance coverage (medicine lines guided)"),
            f"{report.guidance.part}/{report.guidance.whole}",
            _pct(report.guidance.rate),
        ],
    ]
    return Section(_("Key figures"), [_("Figure"), _("Count"), _("Amount")], rows)


def sections(report: StoreReport) -> list[Section]:
    """Every section, key figures first."""
    day = report.day
    manual_names = {
        "discount": _("Line discounts within the cashier's limit"),
        "override.discount": _("Discounts a manager approved"),
        "override.price": _("Price changes"),
    }
    follow_rows = [
        [
            item.card_no,
            item.masked_phone,
            item.last_purchase.isoformat(),
            str(item.interval_days),
            str(item.overdue_days),
        ]
        for item in report.follow_up
    ]
    return [
        indicators(report),
        Section(
            _("Sales by hour"),
            [_("Hour"), _("Sales"), _("Net")],
            [[f"{h.hour:02d}:00", str(h.sales), _money(h.net_fen)] for h in report.hours],
        ),
        Section(
            _("Sales by tender"),
            [_("Tender"), _("Amount"), _("Refunded")],
            [
                [_tender(t), _money(day.tenders.get(t, 0)), _money(report.refund_tenders.get(t, 0))]
                for t in [*day.tenders, *(t for t in report.refund_tenders if t not in day.tenders)]
            ]
            + (  # the total minus what the tenders took (sales) or paid back (refunds)
                [[_("Cash rounding"), _money(day.rounding_fen), _money(report.refund_rounding_fen)]]
                if day.rounding_fen or report.refund_rounding_fen
                else []
            ),
        ),
        Section(
            _("Sales by category"),
            [_("Category"), _("Units"), _("Net")],
            [
                [category_name(c.category) if c.category else "-", str(c.qty), _money(c.net_fen)]
                for c in day.categories
            ],
        ),
        Section(
            _("Sales by cashier"),
            [_("Cashier"), _("Sales"), _("Net")],
            [[c.cashier or "-", str(c.sales), _money(c.net_fen)] for c in report.cashiers],
        ),
        Section(
            _("Top products"),
            [_("SKU"), _("Product"), _("Units"), _("Net")],
            [[p.sku, p.name, str(p.qty), _money(p.net_fen)] for p in day.products],
            numeric_from=2,
        ),
        Section(
            _("Manual discounts and price changes"),
            [_("What"), _("Count")],
            [[manual_names.get(a, a), str(n)] for a, n in report.manual_discounts.items()],
        ),
        Section(
            _("Members due a follow-up (chronic medication, refill overdue)"),
            [_("Card no."), _("Phone"), _("Last purchase"), _("Refill every (days)"), _("Overdue")],
            follow_rows,
            numeric_from=3,
        ),
    ]


def _padded(section: Section) -> Iterator[str]:
    """A section as aligned text (CJK characters take two columns)."""
    table = [section.columns, *section.rows]
    widths = [max(text_width(row[i]) for row in table) for i in range(len(section.columns))]
    for row in table:
        cells = [
            " " * (width - text_width(cell)) + cell
            if index >= section.numeric_from
            else cell + " " * (width - text_width(cell))
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  " + "  ".join(cells).rstrip()


def report_text(report: StoreReport) -> list[str]:
    """Plain text: the daily report's lines as before, then the other sections."""
    lines = daily_text(report.day)
    if report.first != report.last:
        lines[0] = _("Report {first} to {last}").format(first=report.first, last=report.last)
    for section in sections(report):
        if section.title == _("Key figures"):
            section = Section(section.title, section.columns, section.rows[3:])
        elif section.title in (_("Sales by tender"), _("Sales by category"), _("Top products")):
            continue
        lines.append(section.title + ":")
        lines += list(_padded(section)) if section.rows else ["  -"]
    return lines


def report_csv(report: StoreReport) -> str:
    """One row per figure; amounts in fen, percents with one decimal."""
    day = report.day
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(REPORT_CSV_COLUMNS)
    first = report.first.isoformat()

    def row(section: str, key: str, name: str = "", count: object = "", qty: object = "",
            amount: object = "", percent: float | None = None,
            when: str = first) -> None:  # fmt: skip
        share = "" if percent is None else f"{100 * percent:.1f}"
        out.writerow([section, key, name, count, qty, amount, share, when])

    row("summary", "sales", count=day.sales, amount=day.net_fen)
    row("summary", "gross", amount=day.gross_fen)
    row("summary", "discounts", amount=day.discount_fen)
    row("summary", "refunds", count=report.returns, amount=report.refund_fen)
    row("summary", "net_after_refunds", amount=report.net_after_refunds_fen)
    row("summary", "cash_rounding", amount=day.rounding_fen)
    row("summary", "refund_rounding", amount=report.refund_rounding_fen)
    row("summary", "voids", count=report.voids, amount=report.void_fen)
    row("summary", "new_members", count=report.new_members)
    row("members", "member", count=day.member_sales, amount=day.member_average_fen,
        percent=day.member_share)  # fmt: skip
    others = day.sales - day.member_sales
    row("members", "non_member", count=others, amount=day.other_average_fen,
        percent=1 - day.member_share if day.sales else 0.0)  # fmt: skip
    row("suggestions", "attach_rate", count=report.suggestions.whole,
        qty=report.suggestions.part, percent=report.suggestions.rate)  # fmt: skip
    row("guidance", "coverage", count=report.guidance.whole, qty=report.guidance.part,
        percent=report.guidance.rate)  # fmt: skip
    for hour in report.hours:
        row("hour", f"{hour.hour:02d}", count=hour.sales, amount=hour.net_fen)
    for tender, amount in day.tenders.items():
        row("tender", tender, amount=amount)
    for tender, amount in report.refund_tenders.items():
        row("refund_tender", tender, amount=amount)
    for category in day.categories:
        row("category", category.category, qty=category.qty, amount=category.net_fen)
    for cashier in report.cashiers:
        row("cashier", cashier.cashier, count=cashier.sales, amount=cashier.net_fen)
    for product in day.products:
        row("product", product.sku, product.name, qty=product.qty, amount=product.net_fen)
    for action, count in report.manual_discounts.items():
        row("discount", action, count=count)
    for item in report.follow_up:
        row("follow_up", item.card_no, item.masked_phone, count=item.purchases,
            qty=item.interval_days, amount="", when=item.last_purchase.isoformat())  # fmt: skip
    return buffer.getvalue()
