"""The store and service reports as rich tables: ``pos report --format table`` and the
Reports screen."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pos.domain.aftercare.service_report import ServiceReport
from pos.domain.reports.report_formats import Section, sections
from pos.domain.reports.store_report import StoreReport
from pos.i18n import _


def section_table(section: Section) -> Table:
    """One section as a table with a title."""
    table = Table(title=Text(section.title), title_justify="left", expand=False)
    for index, column in enumerate(section.columns):
        table.add_column(Text(column), justify="right" if index >= section.numeric_from else "left")
    for row in section.rows:
        table.add_row(*(Text(cell) for cell in row))
    if not section.rows:
        table.add_row(*(["-"] + [""] * (len(section.columns) - 1)))
    return table


def report_heading(report: StoreReport, where: str) -> str:
    """ "Report 2026-03-10 (001)" or "Report 2026-03-01 to 2026-03-10 (001)"."""
    if report.first == report.last:
        return _("Daily report {day} ({where})").format(day=report.first, where=where)
    return _("Report {first} to {last}").format(first=report.first, last=report.last) + (
        f" ({where})"
    )


def report_renderable(report: StoreReport, where: str) -> RenderableType:
    """The heading and every section, one under another."""
    parts: list[RenderableType] = [Text(report_heading(report, where), style="bold")]
    parts += [section_table(section) for section in sections(report)]
    return Group(*parts)


def service_renderable(report: ServiceReport) -> RenderableType:
    """The service report: its heading, then one table per section."""
    heading = _("Service report {first} to {last}").format(first=report.first, last=report.last)
    tables = [
        section_table(
            Section(
                section.title,
                [_("Figure"), _("Value")],
                [[figure.name, figure.text] for figure in section.figures],
            )
        )
        for section in report.sections
    ]
    return Group(Text(heading, style="bold"), *tables)
