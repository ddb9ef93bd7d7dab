"""Reports at the register: a manager's, so anyone else needs a manager's approval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pos.domain.reports.store_report import StoreReport, store_report
from pos.i18n import _
from pos.register.overrides import ACTIONS, Approval, OverrideDesk

ReportReader = Callable[[date], StoreReport]
"""The store report of one business day, for the Reports screen while it is open."""


class ReportDesk(OverrideDesk):
    """The Reports screen's data (a part of :class:`RegisterService`)."""

    def open_reports(self, approval: Approval | None = None) -> ReportReader:
        """A manager (logged in, or approving now) opens the reports; recorded."""
        action = "report.view"
        approved_by = self.authorize(action, approval, _(ACTIONS[action]))
        with self._sessions.begin() as session:
            self.audit(session, action, approved_by=approved_by)
        return self._report

    def _report(self, day: date) -> StoreReport:
        with self._sessions() as session:
            identity = self.identity
            return store_report(session, day, day, identity.store_code, identity.timezone)
