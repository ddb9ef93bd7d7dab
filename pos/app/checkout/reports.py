"""The checkout screen's Ctrl+Y: the Reports screen (a manager's; anyone else asks one)."""

from __future__ import annotations

from pos.app.checkout.counter import Counter
from pos.app.checkout.overrides import OverrideGuard
from pos.register.service import RegisterService
from pos.register.staff.reports import ReportReader


class ReportKeys:
    """Reports from the checkout screen."""

    def __init__(self, register: RegisterService, counter: Counter, guard: OverrideGuard) -> None:
        self.register = register
        self.counter = counter
        self.guard = guard

    def reports(self) -> None:
        """Open today's report; a manager logged in opens it, anyone else needs one's approval."""
        self.guard.say(self.register.open_reports, self._show_reports)

    def _show_reports(self, read: ReportReader) -> None:
        from pos.app.modals.staff.reports import ReportsModal

        identity = self.register.identity
        where = f"{identity.store_code}/{identity.register_id}"
        service = self.register.aftercare.service_report
        self.counter.open(
            ReportsModal(read, self.register.today(), where, lambda day: service(day, day))
        )
