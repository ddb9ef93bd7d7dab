"""``pos shift open|cash-in|cash-out|x|close``: cash shifts from the command line.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, fail, open_existing_store
from pos.config import Settings
from pos.i18n import _

NAME = "shift"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos shift open|cash-in|cash-out|x|close``."""
    shift = commands.add_parser(NAME, help="cash shifts: float, cash in/out, X and Z reports")
    what = shift.add_subparsers(dest="what", metavar="WHAT", required=True)
    opening = what.add_parser("open", parents=[common], help="open a shift with a cash float")
    opening.add_argument("--float", dest="float_yuan", metavar="YUAN", required=True)
    opening.add_argument("--by", metavar="USER", help="who opens the shift")
    for name, help_text in (
        ("cash-in", "put cash into the drawer"),
        ("cash-out", "take cash out of the drawer"),
    ):
        sub = what.add_parser(name, parents=[common], help=help_text)
        sub.add_argument("amount", metavar="YUAN")
        sub.add_argument("--reason", metavar="TEXT", required=True)
        sub.add_argument("--by", metavar="USER", help="who moves the cash")
    what.add_parser("x", parents=[common], help="print an X report of the open shift")
    close = what.add_parser("close", parents=[common], help="count the cash, close, Z report")
    close.add_argument(
        "--counted", metavar="COUNTS", required=True,
        help='cash counted per denomination in yuan, e.g. "100=3,50=2,10=5,1=7,0.5=2"',
    )  # fmt: skip
    close.add_argument("--by", metavar="USER", help="who closes the shift")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos shift open|cash-in|cash-out|x|close``."""
    from pos.domain.shifts import shifts
    from pos.money import MoneyError, format_fen, parse_yuan
    from pos.register.setup import RegisterRules

    amount, counts = 0, dict[int, int]()
    try:
        if args.what in ("open", "cash-in", "cash-out"):
            text = args.float_yuan if args.what == "open" else args.amount
            try:
                amount = parse_yuan(text)
            except MoneyError:
                return fail(_("Not an amount in yuan: {text}").format(text=text), EXIT_USAGE)
            shifts.check_amount(amount, allow_zero=args.what == "open")
        if args.what == "close":
            counts = shifts.parse_counts(args.counted)
    except shifts.ShiftError as exc:
        return fail(str(exc), EXIT_USAGE)
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    rules = RegisterRules.from_settings(settings)
    register, now, profile = settings.register.id, datetime.now(UTC), rules.printing
    try:
        with sessions.begin() as session:
            if args.what == "open":
                shifts.open_shift(session, register, amount, now, args.by)
                message = _("Shift opened on register {register} with a float of ¥{amount}")
                message = message.format(register=register, amount=format_fen(amount))
            elif args.what in ("cash-in", "cash-out"):
                kind = shifts.CASH_IN if args.what == "cash-in" else shifts.CASH_OUT
                shifts.move_cash(session, register, kind, amount, args.reason, now, args.by)
                message = (
                    _("Cash in of ¥{amount} recorded")
                    if kind == shifts.CASH_IN
                    else _("Cash out of ¥{amount} recorded")
                ).format(amount=format_fen(amount))
            elif args.what == "x":
                report, _receipt = shifts.x_report(session, register, profile, now)
                message = report.text
            else:
                report, _receipt = shifts.close_shift(
                    session, register, counts, profile, now, args.by
                )
                message = report.text
    except shifts.ShiftError as exc:
        return fail(str(exc))
    print(message)
    return EXIT_OK
