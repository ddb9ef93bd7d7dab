"""``pos adr add|list``: suspected adverse drug reactions (不良反应).

``pos export adr`` writes them as the national report form asks. The database
modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pos.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    fail,
    open_existing_store,
    parse_day,
)
from pos.config import Settings
from pos.i18n import _

NAME = "adr"

SEVERITY_KEYS = ("mild", "moderate", "severe", "serious")
OUTCOME_KEYS = ("recovered", "improving", "not_recovered", "sequelae", "death", "unknown")


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos adr add|list``."""
    adr = commands.add_parser(NAME, help="suspected adverse drug reactions: record, list")
    what = adr.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = what.add_parser("add", parents=[common], help="record a suspected reaction")
    add.add_argument("--product", required=True, metavar="SKU|BARCODE", help="the drug")
    add.add_argument("--lot", default="", metavar="LOT", help="its lot number")
    add.add_argument("--member", default="", metavar="CARD", help="the patient's member card")
    add.add_argument("--reaction", required=True, metavar="TEXT", help="the reaction's name")
    add.add_argument("--onset", required=True, metavar="YYYY-MM-DD", help="when it began")
    add.add_argument("--description", default="", metavar="TEXT", help="what happened")
    add.add_argument("--severity", required=True, choices=SEVERITY_KEYS)
    add.add_argument("--outcome", required=True, choices=OUTCOME_KEYS)
    add.add_argument("--report-type", default="", choices=("general", "new", "serious"))
    add.add_argument("--dose", default="", metavar="TEXT", help="dose and frequency")
    add.add_argument("--route", default="", metavar="TEXT", help="route (oral, topical …)")
    add.add_argument("--started", metavar="YYYY-MM-DD", help="first day the drug was taken")
    add.add_argument("--stopped", metavar="YYYY-MM-DD", help="last day the drug was taken")
    add.add_argument("--sex", default="", choices=("", "M", "F"), help="the patient's sex")
    add.add_argument("--age", type=int, metavar="YEARS", help="the patient's age")
    add.add_argument("--weight", type=int, metavar="KG", help="the patient's weight")
    add.add_argument("--by", required=True, metavar="USER", help="who reports it")
    add.add_argument(
        "--occupation", default="pharmacist", choices=("pharmacist", "doctor", "other")
    )
    what.add_parser("list", parents=[common], help="recorded reactions, oldest first")


def _day(value: str | None, option: str) -> str | None:
    """None if ``value`` is empty or a date, else the message saying it is not."""
    if value is None or parse_day(value) is not None:
        return None
    return _("{option} is not a date YYYY-MM-DD: {value}").format(option=option, value=value)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos adr …``."""
    from pos.domain.aftercare import adverse
    from pos.domain.aftercare.adverse import AdverseForm
    from pos.domain.sales.codes import InputError

    if args.what == "add":
        for value, option in ((args.onset, "--onset"), (args.started, "--started"),
                              (args.stopped, "--stopped")):  # fmt: skip
            problem = _day(value, option)
            if problem:
                return fail(problem, EXIT_USAGE)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    now = datetime.now(UTC)
    try:
        with sessions.begin() as session:
            if args.what == "list":
                for row in adverse.rows(session, timezone=settings.store.timezone):
                    print("\t".join((row["id"], row["report_date"], row["report_type"],
                                     row["generic_name"], row["lot"] or "-", row["reaction"],
                                     row["severity"], row["outcome"])))  # fmt: skip
                return EXIT_OK
            form = AdverseForm(
                product=args.product,
                reaction=args.reaction,
                onset_on=datetime.fromisoformat(args.onset).date(),
                severity=args.severity,
                outcome=args.outcome,
                description=args.description,
                lot=args.lot,
                member_card=args.member,
                dose=args.dose,
                route=args.route,
                started_on=parse_day(args.started) if args.started else None,
                stopped_on=parse_day(args.stopped) if args.stopped else None,
                patient_sex=args.sex,
                patient_age=args.age,
                patient_weight_kg=args.weight,
                report_type=args.report_type,
                occupation=args.occupation,
            )
            today = now.astimezone(ZoneInfo(settings.store.timezone)).date()
            entry = adverse.record(session, form, at=now, by=args.by, today=today)
            print(_("Adverse reaction #{id} recorded").format(id=entry.id))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
