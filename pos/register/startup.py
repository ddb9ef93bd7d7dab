"""The register's start-up: open the store, build the register with its chain sync agent and
the audit anchor of its daily backup, and take that backup.

The front end's ``build_app`` and ``run_register`` (pos/app/app.py) call these, so pos.app
reaches pos.store and pos.sync only through the register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from pos.config import Settings
from pos.domain.printing.print_queue import Sender
from pos.domain.staff import audit
from pos.i18n import _
from pos.register.service import Clock, RegisterService, system_clock
from pos.register.setup import register_from_settings

if TYPE_CHECKING:  # pos.sync is imported only by a register of a chain (``[sync] hq_url``)
    from pos.sync.background import SyncAgent as SyncAgent

__all__ = [
    "Sender",
    "Started",
    "StoreNotOpened",
    "back_up_today",
    "boot_register",
    "open_store",
    "start_register",
]


@dataclass(frozen=True)
class Started:
    """What the app runs: the register, its sync agent (None outside a chain), the anchor
    written to the audit log just before each daily backup copies the database, a
    notice for the cashier from opening the store (a demo store was created), and the
    checkpoint of the store's write-ahead log, which the app runs in a worker thread
    after each sale and now and then (the register's commits do not)."""

    register: RegisterService
    sync: SyncAgent | None
    backup_anchor: Callable[[], None]
    notice: str | None = None
    checkpoint: Callable[[], None] | None = None


def start_register(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock = system_clock,
    send: Sender | None = None,
    notice: str | None = None,
) -> Started:
    """The register as the settings describe it, with what runs beside it (the chain sync
    only in a chain: a lone store's register never imports it)."""
    redemption = health = agent = None
    if settings.sync.hq_url:
        from pos.sync.background import SyncAgent
        from pos.sync.health import health_fetch
        from pos.sync.redemption import redemption_check

        redemption = redemption_check(settings)
        health = health_fetch(settings)
        agent = SyncAgent(
            sessions, settings.sync.hq_url, settings.store.code, settings.register.id, settings.sync
        )
    register = register_from_settings(
        settings, sessions, clock, send, redemption=redemption, health=health
    )

    def backup_anchor() -> None:
        audit.anchor_in(sessions, audit.BACKUP, clock())

    def checkpoint() -> None:
        from pos.store.db import checkpoint as copy_log  # in its worker, not at start

        copy_log(sessions)

    return Started(register, agent, backup_anchor, notice, checkpoint)


class StoreNotOpened(Exception):
    """The register could not start: the text says why, as ``pos`` prints it."""


def boot_register(settings: Settings) -> Started:
    """Open (or create) the store and build its register, as ``pos run`` starts: the app
    runs this in a worker thread after its first screen is painted. Any failure is a
    :class:`StoreNotOpened` whose text is the message for the cashier."""
    from pos.store.store_key import StoreKeyError

    try:
        sessions, notice = open_store(settings)
        return start_register(settings, sessions, notice=notice)
    except StoreKeyError as exc:  # the audit log is signed with it: nothing runs without it
        raise StoreNotOpened(_("Store key error: {error}").format(error=exc)) from exc
    except Exception as exc:  # a damaged file, a failed migration, a folder not writable
        from sqlalchemy.exc import DBAPIError

        cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        text = _("The store could not be opened: {error}").format(error=cause)
        raise StoreNotOpened(text) from exc


def open_store(settings: Settings) -> tuple[sessionmaker[Session], str | None]:
    """Open (or create, with the demo store) the register's database; and a notice to show."""
    from pos.store.bootstrap import ensure_store  # loads the demo data only when needed

    _engine, sessions, notice = ensure_store(settings)
    return sessions, notice


def back_up_today(
    settings: Settings, now: datetime, anchor: Callable[[], object] | None = None
) -> None:
    """The day's automatic backup of the database (none if ``now``'s day has one already)."""
    from pos.store.backups import daily_backup  # in the backup worker, not at start

    backup = settings.backup
    daily_backup(settings.database_path, backup.folder_path, now, backup.keep, anchor)
