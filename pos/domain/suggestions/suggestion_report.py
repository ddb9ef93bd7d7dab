"""The attach-rate report of add-on suggestions (``pos report suggestions``).

From the suggestions shown at the counter (:class:`SuggestionEvent`): per rule
(``pairing:ID`` or ``rule:ID``) and per cashier, how often a suggestion was
shown, how often the customer took it, and the attach rate (accepted / shown).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pos.i18n import _
from pos.models import AssociationRule, Pairing, Product, SuggestionEvent
from printer.layout import text_width

REPORT_CSV_COLUMNS = (
    "section", "rule", "trigger", "suggest_sku", "product", "cashier",
    "shown", "accepted", "attach_rate",
)  # fmt: skip


@dataclass(frozen=True)
class AttachCount:
    """Suggestions shown and accepted."""

    shown: int
    accepted: int

    @property
    def rate(self) -> float:
        """Accepted per 100 shown (0 when none was shown)."""
        return 100.0 * self.accepted / self.shown if self.shown else 0.0


@dataclass(frozen=True)
class RuleLine(AttachCount):
    """One rule's line: what triggers it and what it suggests."""

    rule: str = ""
    trigger: str = ""
    """The pairing's trigger or the rule's antecedent; empty once the rule is gone."""
    suggest_sku: str = ""
    product: str = ""


@dataclass(frozen=True)
class CashierLine(AttachCount):
    """One cashier's line (``cashier`` None: nobody signed in)."""

    cashier: str | None = None


@dataclass(frozen=True)
class SuggestionReport:
    """The whole report, best-shown rules and cashiers first."""

    rules: list[RuleLine]
    cashiers: list[CashierLine]
    total: AttachCount


def _triggers(session: Session, rules: set[str]) -> dict[str, str]:
    """The trigger (pairing) or antecedent (mined rule) of each ``kind:ID`` still on file."""
    ids: dict[str, list[int]] = {"pairing": [], "rule": []}
    for rule in rules:
        kind, _sep, number = rule.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].append(int(number))
    found: dict[str, str] = {}
    for kind, model, column in (
        ("pairing", Pairing, Pairing.trigger),
        ("rule", AssociationRule, AssociationRule.antecedent),
    ):
        for start in range(0, len(ids[kind]), 500):
            chunk = ids[kind][start : start + 500]
            rows = session.execute(select(model.id, column).where(model.id.in_(chunk)))
            found.update((f"{kind}:{number}", text) for number, text in rows)
    return found


def suggestion_report(session: Session, since: datetime | None = None) -> SuggestionReport:
    """Attach rates from the suggestions shown at or after ``since`` (default: all)."""
    event = SuggestionEvent
    accepted = func.sum(case((event.accepted, 1), else_=0))
    rule_counts = select(event.rule, event.suggest_sku, func.count(), accepted)
    cashier_counts = select(event.cashier, func.count(), accepted)
    if since is not None:
        rule_counts = rule_counts.where(event.shown_at >= since)
        cashier_counts = cashier_counts.where(event.shown_at >= since)
    by_rule = session.execute(rule_counts.group_by(event.rule, event.suggest_sku)).all()
    by_cashier = session.execute(cashier_counts.group_by(event.cashier)).all()
    triggers = _triggers(session, {row[0] for row in by_rule})
    skus = list({row[1] for row in by_rule})
    names: dict[str, str] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        names.update(
            session.execute(select(Product.sku, Product.name).where(Product.sku.in_(chunk))).all()
        )
    rules = [
        RuleLine(
            shown=shown,
            accepted=int(taken or 0),
            rule=rule,
            trigger=triggers.get(rule, ""),
            suggest_sku=sku,
            product=names.get(sku, ""),
        )
        for rule, sku, shown, taken in by_rule
    ]
    rules.sort(key=lambda line: (-line.shown, -line.accepted, line.rule, line.suggest_sku))
    cashiers = [
        CashierLine(shown=shown, accepted=int(taken or 0), cashier=cashier)
        for cashier, shown, taken in by_cashier
    ]
    cashiers.sort(key=lambda line: (-line.shown, line.cashier is None, line.cashier or ""))
    total = AttachCount(sum(line.shown for line in rules), sum(line.accepted for line in rules))
    return SuggestionReport(rules, cashiers, total)


def _percent(count: AttachCount) -> str:
    return f"{count.rate:.1f}"


def _table(header: list[str], rows: list[list[str]], numeric_from: int) -> Iterator[str]:
    """Columns padded to their widest cell (CJK characters take two columns)."""
    widths = [max(text_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            " " * (width - text_width(cell)) + cell
            if index >= numeric_from
            else cell + " " * (width - text_width(cell))
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()


def report_text(report: SuggestionReport) -> Iterator[str]:
    """The report as lines for the terminal."""
    if not report.rules:
        yield _("No suggestion was shown in this period.")
        return
    numbers = [_("Shown"), _("Accepted"), _("Attach rate %")]
    rows = [
        [
            line.rule,
            line.trigger or _("(no longer on file)"),
            f"{line.suggest_sku} {line.product}".strip(),
            str(line.shown),
            str(line.accepted),
            _percent(line),
        ]
        for line in report.rules
    ]
    yield from _table([_("Rule"), _("Trigger"), _("Suggested"), *numbers], rows, 3)
    yield ""
    yield from _table(
        [_("Cashier"), *numbers],
        [
            [line.cashier or "-", str(line.shown), str(line.accepted), _percent(line)]
            for line in report.cashiers
        ],
        1,
    )
    yield ""
    yield _("Total: {shown} shown, {accepted} accepted, attach rate {rate}%").format(
        shown=report.total.shown, accepted=report.total.accepted, rate=_percent(report.total)
    )


def report_csv(report: SuggestionReport) -> str:
    """The report as CSV: ``rule`` rows, then ``cashier`` rows, then the ``total`` row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_CSV_COLUMNS)
    for line in report.rules:
        writer.writerow(["rule", line.rule, line.trigger, line.suggest_sku, line.product, "",
                         line.shown, line.accepted, _percent(line)])  # fmt: skip
    for cashier in report.cashiers:
        writer.writerow(["cashier", "", "", "", "", cashier.cashier or "",
                         cashier.shown, cashier.accepted, _percent(cashier)])  # fmt: skip
    total = report.total
    writer.writerow(["total", "", "", "", "", "", total.shown, total.accepted, _percent(total)])
    return buffer.getvalue()
