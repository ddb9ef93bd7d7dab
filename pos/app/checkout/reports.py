"""The checkout screen's Ctrl+Y: the Reports screen (a manager's; anyone else asks one)."""

from __future__ import annotations

from pos.app.checkout.overrides import ManagerKeys
from pos.app.modals.staff.reports import ReportsModal
from pos.app.widgets.scan_input import ScanInput
from pos.register.reports import ReportReader


class ReportKeys(ManagerKeys):
    """Reports from the checkout screen (a part of it)."""

    async def action_reports(self) -> None:
        """Open today's report; a manager logged in opens it, anyone else needs one's approval."""
        await self.query_one(ScanInput).settle()
        self.guard(self.register.open_reports, self._show_reports)

    def _show_reports(self, read: ReportReader) -> None:
        identity = self.register.identity
        where = f"{identity.store_code}/{identity.register_id}"
        service = self.register.aftercare.service_report
        self.app.push_screen(
            ReportsModal(read, self.register.today(), where, lambda day: service(day, day))
        )
