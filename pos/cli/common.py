"""What every ``pos`` command shares: exit codes, the store, dates, failing, progress.

Nothing here imports the database modules at import time, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

EXIT_OK = 0
"""Done."""
EXIT_FAILED = 1
"""The command ran and failed: bad data, a missing database, a refused action."""
EXIT_USAGE = 2
"""The command line itself is wrong (argparse uses 2 as well)."""


class Commands(Protocol):
    """The subcommands of a parser, as ``ArgumentParser.add_subparsers`` returns them."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add the subcommand ``name``; its parser."""
        ...


class Command(Protocol):
    """A module of :mod:`pos.cli`: one top-level command of ``pos``."""

    NAME: str
    """The command's name on the command line."""

    def add_parser(self, commands: Commands, common: argparse.ArgumentParser) -> None:
        """Add the command (and its subcommands) to ``commands``; ``common`` is the parent
        parser of ``--config`` and ``--db``."""
        ...

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        """Run the command; the exit code."""
        ...


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Say ``message`` on standard error; the exit code ``code``."""
    print(message, file=sys.stderr)
    return code


def no_database_message(path: Path) -> str:
    """What a command says when there is no store database at ``path``."""
    return _("No database at {path}").format(path=path)


def database_missing(settings: Settings) -> bool:
    """True, after saying so, when the configured database does not exist."""
    if settings.database_path.exists():
        return False
    fail(no_database_message(settings.database_path))
    return True


def open_existing_store(settings: Settings) -> sessionmaker[Session] | None:
    """The sessions of the configured store, or None after saying it does not exist."""
    if database_missing(settings):
        return None
    from pos.store.bootstrap import open_store

    _engine, sessions = open_store(settings)
    return sessions


def parse_day(value: str) -> date | None:
    """``YYYY-MM-DD`` as a date; None when it is not one."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def start_of_day(day: date, timezone: str) -> datetime:
    """Midnight at the start of ``day`` in the store's time zone."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone))


def parse_since(value: str, timezone: str) -> datetime | None:
    """An ISO 8601 date or time: a date means the start of that day in the store; a time
    without a zone is UTC. None when it is neither."""
    if len(value) == 10:
        day = parse_day(value)
        return None if day is None else start_of_day(day, timezone)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
