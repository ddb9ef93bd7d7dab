"""Ctrl+Y: the store's reports for a business day (a manager's screen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _
from pos.register.api import report_renderable, service_renderable
from pos.register.customers.aftercare import ServiceReport
from pos.register.staff.reports import ReportReader

ServiceReader = Callable[[date], ServiceReport]
"""The service report of one business day."""


class ReportsModal(ModalScreen[None]):
    """One business day's report; ←/→ (or PgUp/PgDn) change the day, Esc closes."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close-reports", priority=True),
        Binding("ctrl+y", "close", N_("Close"), id="close-reports-y", show=False),
        Binding("left,pageup", "day(-1)", N_("Day before"), id="report-previous-day"),
        Binding("right,pagedown", "day(1)", N_("Day after"), id="report-next-day"),
        Binding("home", "today", N_("Today"), id="report-today"),
        Binding("f5", "service", N_("Service report"), id="report-service"),
    ]

    def __init__(
        self, read: ReportReader, today: date, where: str, service: ServiceReader | None = None
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.read = read
        self.service = service
        self.showing_service = False
        self.today = today
        self.day = today
        self.where = where

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box", id="reports-box"):
            yield Label(_("Reports"), classes="modal-title")
            yield Static(id="report-body")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.show_day()

    def show_day(self) -> None:
        """Read and show the report of ``self.day``."""
        body = self.query_one("#report-body", Static)
        if self.showing_service and self.service is not None:
            body.update(service_renderable(self.service(self.day)))
        else:
            body.update(report_renderable(self.read(self.day), self.where))

    def action_service(self) -> None:
        """F5: the service report of the same day, or back to the store report."""
        self.showing_service = not self.showing_service and self.service is not None
        self.show_day()

    def action_day(self, step: int) -> None:
        """The day before or after (never after today)."""
        day = self.day + timedelta(days=step)
        if day > self.today:
            self.notify(_("No report for a day to come"), severity="warning")
            return
        self.day = day
        self.show_day()

    def action_today(self) -> None:
        """Back to today's report."""
        self.day = self.today
        self.show_day()

    def action_close(self) -> None:
        """Back to the register."""
        self.dismiss(None)
