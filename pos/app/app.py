"""The Textual app: paints the first screen, then receives its register (pos.app.boot)."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.worker import WorkerState

from pos.app.boot import RegisterFailed, RegisterLoaded, RegisterStart, needs_register
from pos.app.checkout.screen import CheckoutScreen
from pos.app.language import language_notice, use_language
from pos.app.messages import (
    BackupFinished,
    LanguageChosen,
    PrinterStatusChanged,
    PrintJobsQueued,
    PrintRetryRequested,
    SyncStatusChanged,
)
from pos.app.modals.common import localize_bindings
from pos.app.modals.help import HelpModal, key_label
from pos.app.modals.staff.login import LoginModal
from pos.app.widgets.scan_hold import ScanHolder
from pos.config import Settings
from pos.crash_report import default_log_dir, write_report
from pos.i18n import N_, _, current

if TYPE_CHECKING:  # the register is imported by the worker that builds it, after the first paint
    from sqlalchemy.orm import Session, sessionmaker

    from pos.register.api import PrinterStatus, SyncStatus
    from pos.register.service import Clock, RegisterService
    from pos.register.startup import Sender, Started, SyncAgent

PALETTE_SKIPS = {
    "cursor(-1)",
    "cursor(1)",
    "clear_field",
    "scroll_guidance(1)",
    "scroll_guidance(-1)",
}
"""Keys that move or clear, not actions worth searching for."""

MAX_CRASH_REPORTS = 20
"""Unexpected errors survived in one run before the register stops after all."""

BACKUP_CHECK_SECONDS = 60
"""How often the register looks whether the business day changed (a new daily backup)."""

CHECKPOINT_SECONDS = 30
"""How often, besides after each sale, the register copies its write-ahead log into the
database (:attr:`Started.checkpoint`; its commits do not)."""

WARM_UP_SECONDS = 0.5
"""After the first screen is painted, the register waits this long before it readies in a
worker what the first sale needs and that screen does not (receipt renderer, search index)."""


class PosApp(App[None]):
    """The pharmacy register."""

    CSS_PATH = "app.tcss"
    # Below 100 columns the totals move under the cart (app.tcss, -narrow).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Below 30 rows (80×24) every panel but the cart takes one line (app.tcss, -short).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    ENABLE_COMMAND_PALETTE = True

    # What the checkout screen shows from the app's workers (it watches these).
    printer_status: var[PrinterStatus | None] = var(None)
    """The print queue after the last pass of the print worker (None before the first)."""
    sync_status: var[tuple[SyncStatus, str] | None] = var(None)
    """The chain sync after its last pass, and the local time of the last sync ("" if none)."""
    failure: var[str | None] = var(None, always_update=True)
    """The last failure of a background task (the daily backup), for the message line."""

    def __init__(self, start: RegisterStart, settings: Settings) -> None:
        super().__init__()
        localize_bindings(self)
        self.start = start
        """Where the register comes from: built already, or built after the first paint."""
        self._service: RegisterService | None = None
        self.register_ready = asyncio.Event()
        """Set once the register is ready (:meth:`take_register`)."""
        self.waiting: list[CheckoutScreen | LoginModal] = []
        """The first screens, shown before the register is ready: they get it then."""
        self.start_failure: str | None = None
        """Why the store could not be opened (``pos`` prints it on exit too)."""
        self.settings = settings
        self.title = settings.store.name
        self.sub_title = _("Register {register}").format(register=settings.register.id)
        self.backup_day: date | None = None
        self.sync_agent: SyncAgent | None = None
        self.crash_reports: list[Path] = []
        """Reports of unexpected errors the register survived (``pos`` names them on exit)."""
        self.backup_anchor: Callable[[], object] | None = None
        """Anchors the audit log's head just before the daily backup copies the database."""
        self.checkpoint: Callable[[], object] | None = None
        """Copies the store's write-ahead log into the database (in a worker thread)."""
        self.scan_hold = ScanHolder()
        self.start_language = current()
        """The register's own language (``register.language``): a user who chose none sees it."""
        self.checkout_language = current()
        """The language the checkout screen was built in (rebuilt when the user's differs)."""

    BINDINGS = [
        Binding("ctrl+l", "lock", N_("Lock"), id="lock", show=False, priority=True),
        # F1 on any screen (a modal's too) lists that screen's keys.
        Binding("f1", "help", N_("Keys"), id="app-help", show=False, priority=True),
    ]

    @property
    def register(self) -> RegisterService:
        """The register service, once ready (or built already, before the app runs)."""
        if self._service is not None:
            return self._service
        if self.start.built is None:
            raise RuntimeError("the register is not ready yet")
        return self.start.built.register

    @property
    def started(self) -> bool:
        """Whether the register is ready."""
        return self._service is not None

    def on_mount(self) -> None:
        built = self.start.built
        checkout = CheckoutScreen(self.scan_hold)
        self.push_screen(checkout)
        self.waiting.append(checkout)
        self.last_input = monotonic()
        if self.settings.register.require_login and (built is None or built.register.user is None):
            login = LoginModal()
            self.push_screen(login, self._logged_in)
            self.waiting.append(login)
        if built is not None:
            self.take_register(built)
        else:  # build it once the first screen is painted, behind it
            self.waiting[-1].call_after_refresh(self._build_register)

    def _build_register(self) -> None:
        self.run_worker(self._load, thread=True, group="start", exit_on_error=False)

    def _load(self) -> None:
        """Build the register (a worker thread); a failure is said on the screen."""
        try:
            started = self.start.load()
        except Exception as exc:  # the store did not open: the message ``pos`` prints
            self.post_message(RegisterFailed(str(exc)))
            return
        self.post_message(RegisterLoaded(started))

    def on_register_loaded(self, message: RegisterLoaded) -> None:
        self.take_register(message.started)

    def on_register_failed(self, message: RegisterFailed) -> None:
        self.start_failure = message.text
        self.notify(message.text, severity="error", timeout=3600)
        self.failure = message.text

    def take_register(self, started: Started) -> None:
        """The one step where the app receives its register (built already, or by the
        worker after the first paint): the screens get it, the timers start."""
        register = started.register
        self._service = register
        self.sync_agent = started.sync
        self.backup_anchor = started.backup_anchor
        self.checkpoint = started.checkpoint
        register.on_print_queued(self._print_jobs_queued)
        for screen in self.waiting:
            screen.attach(register)
        self.waiting.clear()
        self.call_after_refresh(self.set_timer, WARM_UP_SECONDS, self._warm_up)
        if started.notice:
            self.notify(started.notice, timeout=8)
        minutes = self.settings.register.auto_lock_minutes
        if self.settings.register.require_login and minutes:
            self.set_interval(15, lambda: self._lock_when_idle(minutes * 60))
        self.set_interval(self.settings.printer.retry_seconds, self.kick_printer)
        self.kick_printer()
        if self.settings.backup.daily:
            self.set_interval(BACKUP_CHECK_SECONDS, self.check_daily_backup)
            self.check_daily_backup()
        if self.sync_agent is not None:
            self.set_interval(self.settings.sync.interval_seconds, self.kick_sync)
            self.kick_sync()
        if self.checkpoint is not None:
            self.set_interval(CHECKPOINT_SECONDS, self.kick_checkpoint)
        self.register_ready.set()

    # -- text and errors ----------------------------------------------------
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification; its text is shown as it is, never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _handle_exception(self, error: Exception) -> None:
        """Keep the register running after an unexpected error.

        Textual's handler ends the app and prints a traceback with local variables
        (which can hold a customer's data). The cart is saved as it changes, so the
        register writes a report without values, tells the cashier in one line and
        goes on. (Textual has no public hook for this; the method is its own.)
        """
        if len(self.crash_reports) >= MAX_CRASH_REPORTS:
            super()._handle_exception(error)  # failing over and over: stop, safely
            return
        folder = self.settings.register.log_dir or default_log_dir()
        try:
            path = write_report(error, folder)
        except OSError:
            path = folder
        self.crash_reports.append(path)
        self.bell()
        self.notify(
            _("Something went wrong; the cart is kept. Report: {path}").format(path=path),
            severity="error",
            timeout=15,
        )

    # -- who is at the register -----------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_input = monotonic()
            if await self.scan_hold.intercept(event, self.screen):
                return  # a scan while a form is open: held for the cart
            if not self.started and self._needs_register(event.key):
                return  # said on the message line; nothing changed
        await super().on_event(event)

    def _needs_register(self, key: str) -> bool:
        """A key of the checkout screen before the register is ready: it says "Starting,
        one moment" and does nothing (typing and scanning go on: scans wait in order)."""
        screen = self.screen
        if not isinstance(screen, CheckoutScreen):
            return False
        app_keys = self._bindings.key_to_bindings.get(key, [])
        locks = any(binding.action == "lock" for binding in app_keys)
        bound = key in screen._bindings.key_to_bindings or locks  # Ctrl+Q still quits
        if not needs_register(key, bound):
            return False
        screen.message.warning(self.start_failure or _("Starting, one moment"))
        return True

    def _logged_in(self, done: bool | None = None) -> None:
        user = self.register.user
        if user is not None and done:  # the user's own screen language (pos.app.language)
            use_language(self, self.register.user_language() or self.start_language)
            self.post_message(LanguageChosen(current()))
            self.notify(_("Welcome, {name}").format(name=user.name), timeout=3)
        self._show_who()

    def _show_who(self) -> None:
        from pos.app.checkout.service import overdue_notice  # with the register, once ready

        user = self.register.user
        register = _("Register {register}").format(register=self.settings.register.id)
        self.sub_title = f"{register} · {user.name}" if user else register
        overdue = overdue_notice(self.register, self.settings.store.complaint_response_hours)
        if overdue:
            self.notify(overdue, title=_("Complaints"), severity="warning", timeout=20)

    async def on_language_chosen(self, message: LanguageChosen) -> None:
        """Speak ``message.language``: the checkout is rebuilt in it (its sale kept)."""
        use_language(self, message.language)
        self._show_who()
        screen = self.screen
        if isinstance(screen, CheckoutScreen) and self.checkout_language != current():
            fresh = CheckoutScreen(self.scan_hold)
            fresh.attach(self.register)
            fresh.last_sale = screen.last_sale
            await self.switch_screen(fresh)
            self.checkout_language = current()
            if self.printer_status is not None:
                fresh.show_printer_status(self.printer_status)
            fresh.message.info(language_notice(message.language))

    async def action_lock(self) -> None:
        """Lock the register (the cart stays); a user id and PIN unlock it."""
        if not self.settings.register.require_login or isinstance(self.screen, LoginModal):
            return
        self.register.lock()
        self._show_who()
        login = LoginModal()
        login.attach(self.register)
        await self.push_screen(login, self._logged_in)

    def _lock_when_idle(self, seconds: float) -> None:
        if monotonic() - self.last_input >= seconds and not isinstance(self.screen, LoginModal):
            self.run_worker(self.action_lock(), exclusive=True, group="lock")

    def _warm_up(self) -> None:
        """Ready the first sale's needs in a thread, off the way to the first screen (a
        failure is harmless: each is readied again when first needed)."""
        self.run_worker(self._ready_to_sell, thread=True, group="warm-up", exit_on_error=False)

    def _ready_to_sell(self) -> None:
        try:
            self.register.warm_up()
        finally:
            # What the register built to sell (its models, caches, the search index) lives
            # as long as it does: frozen out of the collector's way, as the start-up's
            # imports are (pos.startup). Otherwise each full collection walked all of it
            # again, a pause of 40-70 ms at a chain's size, now and then in a scan.
            gc.freeze()

    # -- printing ---------------------------------------------------------
    def kick_printer(self) -> None:
        """Send waiting receipts in a worker thread; the register never waits on the printer.

        One pass runs at a time; at most one more waits behind it, so a receipt
        queued while a pass ends is not left for the next retry.
        """
        busy = [
            worker
            for worker in self.workers
            if worker.group == "printer"
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if len(busy) < 2:
            self.run_worker(self._print_pending, thread=True, group="printer", exit_on_error=False)

    def _print_pending(self) -> None:
        from pos.register.api import PrinterStatus  # the register is ready: imported already

        try:
            status = self.register.print_pending()
        except Exception as exc:  # a locked or broken database must not stop the register
            status = PrinterStatus(self.settings.printer.uri, -1, str(exc))
        self.post_message(PrinterStatusChanged(status))

    def _print_jobs_queued(self) -> None:
        """The register queued print jobs (called once their transaction committed)."""
        self.post_message(PrintJobsQueued())  # thread-safe: it may come from a worker

    def on_print_jobs_queued(self, _message: PrintJobsQueued) -> None:
        self.kick_printer()
        self.kick_sync()
        self.kick_checkpoint()

    # -- the store's write-ahead log ---------------------------------------
    def kick_checkpoint(self) -> None:
        """Copy the store's log into the database in a worker thread, off the sale's commit
        (a passive checkpoint: it waits for no sale and no sale waits for it). One that
        fails (another program checkpointing) changes nothing: the next one copies it."""
        if self.checkpoint is not None:
            self.run_worker(self.checkpoint, thread=True, group="checkpoint", exit_on_error=False)

    # -- head office ------------------------------------------------------
    def kick_sync(self) -> None:
        """Sync with head office in a worker thread (one pass at a time)."""
        if self.sync_agent is not None:
            self.run_worker(self._sync_pass, thread=True, group="sync", exit_on_error=False)

    def _sync_pass(self) -> None:
        from pos.register.api import SyncStatus  # the register is ready: imported already

        assert self.sync_agent is not None
        try:
            status = self.sync_agent.run()
        except Exception as exc:  # a locked or broken database must not stop the register
            status = SyncStatus(True, -1, None, str(exc)[:200])
        self.post_message(SyncStatusChanged(status))

    def on_sync_status_changed(self, message: SyncStatusChanged) -> None:
        status = message.status
        last = status.last_sync
        shown = self.register.local_time(last).strftime("%H:%M") if last else ""
        self.sync_status = (status, shown)

    def on_unmount(self) -> None:
        if self._service is not None:
            self._service.on_print_queued(None)
        if self.sync_agent is not None:
            self.sync_agent.close()

    def on_print_retry_requested(self, _message: PrintRetryRequested) -> None:
        self.kick_printer()

    def on_printer_status_changed(self, message: PrinterStatusChanged) -> None:
        self.printer_status = message.status

    # -- the daily backup ---------------------------------------------------
    def check_daily_backup(self) -> None:
        """Back up once per business day (at start, then when the day changes) in a thread."""
        today = self.register.today()
        if today != self.backup_day:
            self.backup_day = today
            self.run_worker(self._back_up, thread=True, group="backup", exit_on_error=False)

    def _back_up(self) -> None:
        from pos.register.startup import back_up_today  # the register is ready: imported

        now = self.register.local_time(self.register.now())
        try:
            back_up_today(self.settings, now, self.backup_anchor)
        except Exception as exc:  # a full disk or a bad folder must not stop the register
            self.post_message(BackupFinished(str(exc)))
            return
        self.post_message(BackupFinished(None))

    def on_backup_finished(self, message: BackupFinished) -> None:
        if message.failure is None:
            return
        text = _("The daily backup failed: {error}").format(error=message.failure)
        self.backup_day = None  # tried again at the next check
        self.notify(text, severity="error", timeout=10)
        self.failure = text

    async def action_help(self) -> None:
        """F1: the keys of the screen that is open; F1 again closes them."""
        if isinstance(self.screen, HelpModal):
            self.screen.dismiss(None)
        elif not isinstance(self.screen, CommandPalette):
            await self.push_screen(HelpModal(self.screen))

    def action_command_palette(self) -> None:
        """Ctrl+P: the register's actions, searched in the UI language."""
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            placeholder = _("Search the register's actions…")
            self.push_screen(CommandPalette(id="--command-palette", placeholder=placeholder))

    def get_key_display(self, binding: Binding) -> str:
        """Keys as their keycaps read (F9, Ctrl+S, Esc), in every footer and the palette,
        as F1 and the README's keys table write them."""
        if binding.key_display:
            return binding.key_display
        return key_label(binding.key.split(",")[0])

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers the register's own actions ("Checkout: Pay") and Quit.

        Textual's own commands (theme, screenshot, maximize) are not for a cashier.
        """
        area = _("Checkout") if isinstance(screen, CheckoutScreen) else _("Register")
        seen: set[str] = set()
        for _key, binding in screen._bindings:
            action = binding.action
            if binding.id is None:  # Textual's own (focus, copy): not the register's
                continue
            if not binding.description or action in seen or action in PALETTE_SKIPS:
                continue
            seen.add(action)
            key = self.get_key_display(binding)

            def run(action: str = action, screen: Screen[Any] = screen) -> None:
                self.call_later(screen.run_action, action)

            yield SystemCommand(f"{area}: {binding.description}", key, run)
        yield SystemCommand(_("Lock"), _("Lock the register (the cart stays)"), self.action_lock)
        yield SystemCommand(_("Quit"), _("Close the register program"), self.action_quit)


def build_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock | None = None,
    notice: str | None = None,
    send: Sender | None = None,
) -> PosApp:
    """The app on a register built now (tests use this factory): it takes the register
    through the same step as ``pos`` (:meth:`PosApp.take_register`), at once."""
    from pos.register.service import system_clock
    from pos.register.startup import start_register

    started = start_register(settings, sessions, clock or system_clock, send, notice)
    return PosApp(RegisterStart(built=started), settings)


def _boot(settings: Settings) -> Started:
    """Open the store and build the register (in the app's worker, after the first paint).

    No collection runs meanwhile (the database's modules, the models and the register are
    ~300 ms of imports and objects that live as long as the register): what it built is
    frozen after, as ``pos``'s own imports are. The collections it would run walk all of
    that again, ~30 ms of the start at a chain's size."""
    from pos.startup import quiet_collector

    with quiet_collector():
        from pos.register.startup import boot_register

        return boot_register(settings)


def register_app(settings: Settings) -> PosApp:
    """The app as ``pos`` starts it: it paints its first screen, then opens (or creates)
    the store and builds the register in a worker behind it."""
    return PosApp(RegisterStart(build=lambda: _boot(settings)), settings)


def run_register(settings: Settings) -> int:
    """Run the register (:func:`register_app`) until the cashier quits."""
    app = register_app(settings)
    app.run()
    for path in app.crash_reports:
        print(_("An unexpected error was recorded: {path}").format(path=path), file=sys.stderr)
    if app.start_failure is not None:
        print(app.start_failure, file=sys.stderr)
        return 1
    return 0
