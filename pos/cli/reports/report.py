"""``pos report suggestions|daily|range|restricted|service``: the add-on suggestions' attach
rate, the store report as rich tables, text, CSV or JSON, the restricted-sales register for
the authorities, and the service report (members, satisfaction, complaints, reactions).

The database modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pos.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    fail,
    open_existing_store,
    parse_day,
    start_of_day,
)
from pos.config import Settings
from pos.i18n import _

NAME = "report"

FORMATS = ("table", "text", "csv", "json")
RESTRICTED_FORMATS = ("table", "csv", "json")


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos report suggestions|daily|range|restricted|service``."""
    report = commands.add_parser(NAME, help="reports")
    what = report.add_subparsers(dest="what", metavar="WHAT", required=True)
    attach = what.add_parser(
        "suggestions", parents=[common], help="attach rate of add-on suggestions"
    )
    attach.add_argument("--since", metavar="YYYY-MM-DD", help="only suggestions shown from then")
    attach.add_argument("--format", choices=("text", "csv"), default="text")
    for name, help_text in (
        ("daily", "a business day's sales by hour, tender, category and cashier, "
         "refunds, voids, discounts, members, attach rate, guidance, follow-ups"),
        ("range", "the same report over business days --from to --to"),
    ):  # fmt: skip
        sub = what.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.add_argument("--date", metavar="YYYY-MM-DD", help="business day (default today)")
        sub.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day")
        sub.add_argument(
            "--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: today)"
        )
        sub.add_argument("--register", metavar="ID", help="one register only (default all)")
        sub.add_argument(
            "--format", choices=FORMATS, default=None,
            help="table (rich, the default on a terminal), text (the default otherwise), csv, json",
        )  # fmt: skip
    _add_period_report(
        what,
        common,
        "restricted",
        "restricted sales (ephedrine-class) for the authorities: buyer, masked ID, product, "
        "spec, quantity, manufacturer, lots, repeat-buyer threshold and the pharmacist",
    )
    _add_period_report(
        what,
        common,
        "service",
        "service figures: member share of visits, member vs non-member ticket, repeat rate, "
        "90-day retention, satisfaction, complaints by category and response times, "
        "adverse reactions",
    )


def _add_period_report(
    what: Commands, common: argparse.ArgumentParser, name: str, help_text: str
) -> None:
    """A report over ``--from``…``--to`` as table, csv or json (restricted, service)."""
    sub = what.add_parser(name, parents=[common], help=help_text, description=help_text)
    sub.set_defaults(date=None)
    sub.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (default today)")
    sub.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: today)")
    sub.add_argument(
        "--format", choices=RESTRICTED_FORMATS, default=None,
        help="table (rich, the default on a terminal), csv (the default otherwise), json",
    )  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report …``."""
    if args.what == "suggestions":
        return _suggestions(args, settings)
    if args.what == "restricted":
        return _restricted(args, settings)
    if args.what == "service":
        return _service(args, settings)
    return _days_report(args, settings)


def _suggestions(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report suggestions``."""
    from pos.domain.suggestions.suggestion_report import report_csv, report_text, suggestion_report

    since = None
    if args.since:
        day = parse_day(args.since)
        if day is None:
            return fail(
                _("--since is not a date YYYY-MM-DD: {value}").format(value=args.since),
                EXIT_USAGE,
            )
        since = start_of_day(day, settings.store.timezone)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    with sessions() as session:
        report = suggestion_report(session, since)
    if args.format == "csv":
        sys.stdout.write(report_csv(report))
    else:
        for line in report_text(report):
            print(line)
    return EXIT_OK


def _days(args: argparse.Namespace, today: date) -> tuple[date, date] | str:
    """The first and last business day asked for, or what is wrong."""
    if args.date is not None and (args.first or args.last):
        return _("Give --date, or --from and --to, not both")
    if args.what == "range" and args.first is None:
        return _("pos report range needs --from YYYY-MM-DD")
    days: list[date] = []
    for option, value, default in (
        ("--date", args.date, None),
        ("--from", args.first, None),
        ("--to", args.last, today if args.first else None),
    ):
        if value is None:
            if default is not None:
                days.append(default)
            continue
        day = parse_day(value)
        if day is None:
            return _("{option} is not a date YYYY-MM-DD: {value}").format(
                option=option, value=value
            )
        days.append(day)
    if not days:
        return today, today
    if len(days) == 1:
        return (days[0], days[0]) if args.first is None else (days[0], today)
    if days[0] > days[1]:
        return _("--from must not be after --to")
    return days[0], days[1]


def _days_report(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report daily|range``."""
    today = datetime.now(ZoneInfo(settings.store.timezone)).date()
    days = _days(args, today)
    if isinstance(days, str):
        return fail(days, EXIT_USAGE)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    from pos.domain.reports.report_formats import report_csv, report_text
    from pos.domain.reports.store_report import store_report

    store = settings.store
    with sessions() as session:
        report = store_report(session, days[0], days[1], store.code, store.timezone, args.register)
    form = args.format or ("table" if sys.stdout.isatty() else "text")
    if form == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    elif form == "csv":
        sys.stdout.write(report_csv(report))
    elif form == "text":
        for line in report_text(report):
            print(line)
    else:
        from rich.console import Console

        from pos.report_tables import report_renderable

        where = store.code + (f"/{args.register}" if args.register else "")
        Console().print(report_renderable(report, where))
    return EXIT_OK


def _restricted(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report restricted``."""
    today = datetime.now(ZoneInfo(settings.store.timezone)).date()
    days = _days(args, today)
    if isinstance(days, str):
        return fail(days, EXIT_USAGE)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    from pos.domain.pharmacy.restricted_report import COLUMNS, as_csv, as_json, restricted_report

    with sessions() as session:
        rows = restricted_report(session, days[0], days[1], settings.store.timezone)
    form = args.format or ("table" if sys.stdout.isatty() else "csv")
    if form == "json":
        print(json.dumps(as_json(rows), ensure_ascii=False, indent=2))
    elif form == "csv":
        sys.stdout.write(as_csv(rows))
    else:
        from rich.console import Console
        from rich.table import Table

        title = _("Restricted sales {first} to {last}").format(first=days[0], last=days[1])
        table = Table(title=title, title_justify="left")
        for column in COLUMNS:
            table.add_column(column, overflow="fold")
        for row in as_json(rows):
            values = dict(row)
            values["velocity_reached"] = _("yes") if row["velocity_reached"] else _("no")
            table.add_row(*(str(values[column]) for column in COLUMNS))
        Console().print(table)
    return EXIT_OK


def _service(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report service``."""
    today = datetime.now(ZoneInfo(settings.store.timezone)).date()
    days = _days(args, today)
    if isinstance(days, str):
        return fail(days, EXIT_USAGE)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    from pos.domain.aftercare.service_report import report_csv, service_report
    from pos.register.setup import RegisterRules

    rules = RegisterRules.from_settings(settings).care.segments
    with sessions() as session:
        report = service_report(
            session,
            days[0],
            days[1],
            settings.store.timezone,
            today=today,
            segment_rules=rules,
        )
    form = args.format or ("table" if sys.stdout.isatty() else "csv")
    if form == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    elif form == "csv":
        sys.stdout.write(report_csv(report))
    else:
        from rich.console import Console

        from pos.report_tables import service_renderable

        Console().print(service_renderable(report))
    return EXIT_OK
