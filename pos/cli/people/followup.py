"""``pos followup list|done|plan``: follow-up calls (回访) to members, as work.

Phones are shown in full only to a user allowed to call (``--by`` a pharmacist or a
manager); masked otherwise. The database modules are imported when a command runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands, fail, open_existing_store, parse_day
from pos.config import Settings
from pos.i18n import _, ngettext

NAME = "followup"
OUTCOME_CHOICES = (
    "reached", "not_reached", "doing_well", "side_effect", "wants_refill", "do_not_call",
)  # fmt: skip


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos followup list|done|plan`` to the command's subparsers."""
    followup = commands.add_parser(NAME, help="follow-up calls to members: list, record, plan")
    what = followup.add_subparsers(dest="what", metavar="WHAT", required=True)
    listing = what.add_parser("list", parents=[common], help="the calls due (most overdue first)")
    listing.add_argument(
        "--by", metavar="USER", help="who is calling (a pharmacist or manager sees full phones)"
    )
    listing.add_argument("--all", action="store_true", help="also calls not yet due and done")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    done = what.add_parser("done", parents=[common], help="record how a call went")
    done.add_argument("task_id", metavar="ID", type=int)
    done.add_argument("outcome", metavar="OUTCOME", choices=OUTCOME_CHOICES,
                      help=", ".join(OUTCOME_CHOICES))  # fmt: skip
    done.add_argument("--by", required=True, metavar="USER", help="who called")
    done.add_argument("--retry", metavar="YYYY-MM-DD", help="not reached: when to call again")
    done.add_argument("--note", default="", help="what was said (no health details)")
    what.add_parser(
        "plan", parents=[common], help="add a call for every member whose refill is due"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos followup …``."""
    from pos.domain.members import follow_up_tasks
    from pos.domain.sales.codes import InputError
    from pos.models import User
    from pos.register.setup import RegisterRules

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(settings.store.timezone)).date()
    if args.what == "plan":
        with sessions.begin() as session:
            created = follow_up_tasks.plan_refills(session, today, now)
        print(
            ngettext("{n} follow-up planned", "{n} follow-ups planned", created).format(n=created)
        )
        return EXIT_OK
    role = None
    if args.by:
        with sessions() as session:
            user = session.get(User, args.by)
            if user is None or not user.active:
                return fail(_("No active user {user}").format(user=args.by))
            role = user.role
    if args.what == "list":
        with sessions() as session:
            found = follow_up_tasks.tasks(
                session, today, role, due_only=not args.all, include_done=args.all
            )
        if args.json:
            print(json.dumps([item.as_json() for item in found], ensure_ascii=False, indent=2))
            return EXIT_OK
        for item in found:
            outcome = follow_up_tasks.outcome_name(item.outcome) if item.outcome else ""
            print(
                "\t".join((
                    str(item.id), item.due_on.isoformat(), item.card_no, item.name, item.phone,
                    follow_up_tasks.reason_name(item.reason), item.detail, outcome,
                ))
            )  # fmt: skip
        return EXIT_OK
    retry = None
    if args.retry:
        retry = parse_day(args.retry)
        if retry is None:
            return fail(_("Not a date (YYYY-MM-DD): {text}").format(text=args.retry))
    rules = RegisterRules.from_settings(settings).care.follow_ups
    try:
        with sessions.begin() as session:
            task = follow_up_tasks.record_outcome(
                session, args.task_id, args.outcome, args.by, role, now, today,
                retry_on=retry, note=args.note, rules=rules,
            )  # fmt: skip
            status, due = task.status, task.due_on
    except InputError as exc:
        return fail(str(exc))
    if status == "open":
        print(_("Follow-up {id}: call again on {day}").format(id=args.task_id, day=due.isoformat()))
    else:
        print(_("Follow-up {id} done").format(id=args.task_id))
    return EXIT_OK
