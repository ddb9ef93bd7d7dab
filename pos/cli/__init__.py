"""The ``pos`` command: run the register, set up a store, import and export.

One module per top-level command, each with ``NAME``, ``add_parser(commands, common)``
and ``run(args, settings) -> int``; :data:`COMMANDS` lists them in the order ``pos --help``
shows them. The modules import the database, the importers and Textual only when their
command runs, so ``pos --help`` stays quick.

Exit codes: 0 done, 1 a reported failure, 2 usage or configuration error.
"""

from __future__ import annotations

from pos.startup import quiet_collector

# What pos imports to start (pydantic and the settings' models among it) lives as long as
# the process: no collection walks it while it is built, and it is frozen after (pos.startup).
with quiet_collector():
    import argparse
    import sys
    from collections.abc import Sequence

    from pos import __version__, i18n
    from pos.cli import common
    from pos.cli.chain import hq, sync
    from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Command
    from pos.cli.counter import printer, quarantine, reprint, run, shift
    from pos.cli.data import export, import_
    from pos.cli.people import followup, member, user
    from pos.cli.reports import report, suggestions
    from pos.cli.service import adr, complaint
    from pos.cli.store import audit, backup, bench, init, restore
    from pos.config import ConfigError, Settings, load_settings
    from pos.i18n import _
    from pos.store.store_key import StoreKeyError

COMMANDS: tuple[Command, ...] = (
    run,
    init,
    import_,
    export,
    member,
    followup,
    user,
    complaint,
    adr,
    audit,
    quarantine,
    suggestions,
    report,
    shift,
    backup,
    restore,
    bench,
    sync,
    hq,
    printer,
    reprint,
)
"""The commands of ``pos``, in the order its help lists them."""

__all__ = ["COMMANDS", "build_parser", "common", "main", "parse_args", "settings_for"]

VALUE_OPTIONS = ("--config", "--db", "--printer")
"""The options of ``pos`` itself that take a value (before the command)."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``pos`` and its subcommands (with ``only``, that one command's
    alone: every other is left out of the tree, whose 80 parsers take ~20 ms to build)."""
    # The same options are accepted before and after the subcommand; after it,
    # they default to "not given" so they never overwrite the ones given before.
    options = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    options.add_argument("--config", metavar="PATH", help="configuration file (TOML)")
    options.add_argument("--db", metavar="PATH", help="store database (SQLite file)")

    parser = argparse.ArgumentParser(
        prog="pos",
        description=(
            "Pharmacy register: sell at the counter, set up a store, import and export, "
            "print receipts."
        ),
        epilog="Without a command, 'pos' runs the register. Exit codes: 0 done, "
        "1 a reported failure, 2 usage or configuration error.",
    )
    parser.add_argument("--config", metavar="PATH", help="configuration file (TOML)")
    parser.add_argument("--db", metavar="PATH", help="store database (SQLite file)")
    parser.add_argument(
        "--printer",
        metavar="URI",
        help="receipt printer: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, "
        "file:///PATH or none",
    )
    parser.add_argument("--version", action="version", version=f"pos {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        if only is None or only == command.NAME:
            command.add_parser(commands, options)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when it plainly names one (``run`` when it names none);
    None when only the whole parser can tell (help, the version, a mistake)."""
    names = {command.NAME for command in COMMANDS}
    tokens = iter(argv)
    for token in tokens:
        if not token.startswith("-"):
            return token if token in names else None
        name, given, _value = token.partition("=")
        if not name.startswith("--") or len(name) < 3:
            return None  # -h, --, a short option
        matches = [option for option in VALUE_OPTIONS if option.startswith(name)]
        if len(matches) != 1 or any(other.startswith(name) for other in ("--help", "--version")):
            return None  # unknown, ambiguous, or help and the version
        if not given and next(tokens, None) is None:
            return None  # its value is missing
    return run.NAME


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: the command line) parsed by the parser of the command it names."""
    given = sys.argv[1:] if argv is None else list(argv)
    return build_parser(command_named(given)).parse_args(given)


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings ``pos`` runs with: its configuration, ``--db`` and ``--printer`` over
    it (:class:`ConfigError` names what is wrong)."""
    overrides: dict[str, dict[str, str]] = {}
    if args.db:
        overrides["register"] = {"database": args.db}
    if getattr(args, "printer", None):
        overrides["printer"] = {"uri": args.printer}
    return load_settings(args.config, **overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pos`` console script."""
    args = parse_args(argv)
    try:
        settings = settings_for(args)
    except ConfigError as exc:
        print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    i18n.setup(settings.locale)
    handlers = {command.NAME: command.run for command in COMMANDS}
    try:
        return handlers[args.command or run.NAME](args, settings)
    except StoreKeyError as exc:  # the audit log is signed with it: nothing runs without it
        print(_("Store key error: {error}").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl+C: a command with more to say has said it
        print(_("Interrupted."), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
