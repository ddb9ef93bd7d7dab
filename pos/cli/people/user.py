"""``pos user add|list|disable|pin``: the people who may sign in at the register.

The PIN of a new user (or a user's new PIN, ``pos user pin ID``) is read from
the terminal (asked twice, not echoed), or as one line from standard input when
that is not a terminal. It is never an argument, so it stays out of the shell
history and the process list. Pharmacists and managers need at least
``register.staff_pin_digits`` digits.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands, database_missing
from pos.config import Settings
from pos.i18n import _
from pos.names import role_name

NAME = "user"


ROLES = ("cashier", "pharmacist", "manager")


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos user add|list|disable|pin`` to the command's subparsers."""
    user = commands.add_parser(NAME, help="register users: cashiers, pharmacists, managers")
    what = user.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = what.add_parser(
        "add",
        parents=[common],
        help="add a user (the PIN, 4 to 8 digits, is asked for; pharmacists and managers"
        " need register.staff_pin_digits)",
    )
    add.add_argument("user_id", metavar="ID", help="e.g. yaoshi01")
    add.add_argument("--name", required=True, help="the name shown and recorded")
    add.add_argument("--role", required=True, choices=ROLES)
    what.add_parser("list", parents=[common], help="id, name, role and whether active")
    disable = what.add_parser("disable", parents=[common], help="stop a user from signing in")
    disable.add_argument("user_id", metavar="ID")
    new_pin = what.add_parser("pin", parents=[common], help="give a user a new PIN (asked for)")
    new_pin.add_argument("user_id", metavar="ID")


def _read_pin() -> str | None:
    """The new PIN: asked twice on a terminal, else one line of standard input."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        first = getpass.getpass(_("PIN (4 to 8 digits): "))
        second = getpass.getpass(_("PIN again: "))
        if first != second:
            print(_("The two PINs differ"), file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos user …``."""
    from pos.domain.sales.codes import InputError
    from pos.domain.staff import audit, users
    from pos.store.bootstrap import open_store

    if database_missing(settings):
        return EXIT_FAILED
    pin = None
    if args.what in ("add", "pin"):
        pin = _read_pin()
        if pin is None:
            return EXIT_FAILED
    _engine, sessions = open_store(settings)
    try:
        with sessions.begin() as session:
            if args.what == "add":
                assert pin is not None
                now = datetime.now(UTC)
                user = users.add_user(
                    session,
                    args.user_id,
                    args.name,
                    args.role,
                    pin,
                    now,
                    staff_digits=settings.register.staff_pin_digits,
                )
                audit.record(
                    session, "user.add", at=now, subject=user.id, detail={"role": user.role}
                )
                print(_("User {id} added ({role})").format(id=user.id, role=role_name(user.role)))
            elif args.what == "pin":
                assert pin is not None
                user = users.change_pin(
                    session,
                    args.user_id,
                    pin,
                    staff_digits=settings.register.staff_pin_digits,
                )
                audit.record(session, "user.pin", at=datetime.now(UTC), subject=user.id)
                print(_("User {id} has a new PIN").format(id=user.id))
            elif args.what == "disable":
                user = users.disable_user(session, args.user_id)
                audit.record(session, "user.disable", at=datetime.now(UTC), subject=user.id)
                print(_("User {id} disabled").format(id=user.id))
            else:
                for user in users.list_users(session):
                    active = _("active") if user.active else _("disabled")
                    print(f"{user.id}\t{user.name}\t{user.role}\t{active}")
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
