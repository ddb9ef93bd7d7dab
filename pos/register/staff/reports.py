"""Reports at the register: a manager's, so anyone else needs a manager's approval.

:class:`Reports` is one of the register's collaborators (it takes the overrides
that record the approval).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.reports.store_report import StoreReport, store_report
from pos.i18n import _
from pos.register.staff.overrides import ACTIONS, Approval, Overrides
from pos.register.state import RegisterIdentity

ReportReader = Callable[[date], StoreReport]
"""The store report of one business day, for the Reports screen while it is open."""


class Reports:
    """The Reports screen's data."""

    def __init__(
        self, sessions: sessionmaker[Session], identity: RegisterIdentity, overrides: Overrides
    ) -> None:
        self._sessions = sessions
        self._identity = identity
        self._overrides = overrides

    def open_reports(self, approval: Approval | None = None) -> ReportReader:
        """A manager (logged in, or approving now) opens the reports; recorded."""
        action = "report.view"
        approved_by = self._overrides.authorize(action, approval, _(ACTIONS[action]))
        with self._sessions.begin() as session:
            self._overrides.audit(session, action, approved_by=approved_by)
        return self._report

    def _report(self, day: date) -> StoreReport:
        with self._sessions() as session:
            identity = self._identity
            return store_report(session, day, day, identity.store_code, identity.timezone)
