"""After the sale at the register: ratings, complaints, adverse reactions, the service report.

A plain collaborator of :class:`~pos.register.service.RegisterService` (its
``aftercare`` attribute): each public method is one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.aftercare import adverse, complaints, satisfaction
from pos.domain.aftercare.adverse import OUTCOMES, AdverseForm
from pos.domain.aftercare.adverse import SEVERITIES as REACTION_SEVERITIES
from pos.domain.aftercare.complaints import (
    CATEGORIES,
    SEVERITIES,
    STATUSES,
    ComplaintForm,
    ComplaintView,
    category_name,
)
from pos.domain.aftercare.service_report import ServiceReport, service_report
from pos.domain.members.follow_up_tasks import FollowUpRules
from pos.domain.members.segments import SegmentRules
from pos.register.state import Clock, RegisterIdentity

__all__ = [
    "CATEGORIES",
    "OUTCOMES",
    "REACTION_SEVERITIES",
    "SEVERITIES",
    "STATUSES",
    "AdverseForm",
    "Aftercare",
    "ComplaintForm",
    "ComplaintView",
    "RatingGiven",
    "ServiceReport",
    "category_name",
]

COMPLAINT_RESPONSE_HOURS = 24
"""Hours a complaint may wait for its first response before it is overdue (default)."""


@dataclass(frozen=True)
class RatingGiven:
    """A stored rating: its id (to open a complaint from it) and whether it is low."""

    id: int
    sale_number: str
    rating: int
    low: bool


class Aftercare:
    """Ratings, complaints and adverse reactions recorded at the register."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        identity: RegisterIdentity,
        clock: Clock,
        segment_rules: SegmentRules | None = None,
        follow_ups: FollowUpRules | None = None,
    ) -> None:
        self._sessions = sessions
        self.identity = identity
        self._clock = clock
        self._segment_rules = segment_rules or SegmentRules()
        self._follow_ups = follow_ups or FollowUpRules()
        """When a closed complaint's follow-up call falls due."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return self._clock().astimezone(UTC)

    def today(self) -> date:
        """The store's local date."""
        return self.now().astimezone(ZoneInfo(self.identity.timezone)).date()

    def rate(self, sale_number: str, rating: int, cashier: str | None) -> RatingGiven:
        """Store the customer's rating (1–5) of a sale; InputError for a bad one."""
        with self._sessions.begin() as session:
            stored = satisfaction.rate(session, sale_number, rating, cashier=cashier, at=self.now())
            return RatingGiven(
                stored.id, sale_number, stored.rating, stored.rating <= satisfaction.LOW
            )

    def open_complaint(self, form: ComplaintForm, by: str | None) -> ComplaintView:
        """Store a new complaint; InputError for bad input (nothing stored)."""
        with self._sessions.begin() as session:
            complaint = complaints.open_complaint(session, form, at=self.now(), by=by)
            return complaints.view(session, complaint)

    def handle_complaint(self, complaint_id: int, by: str | None, note: str = "") -> ComplaintView:
        """Take a complaint in hand (its first response)."""
        with self._sessions.begin() as session:
            complaint = complaints.handle(
                session, complaint_id, handler=by, at=self.now(), note=note
            )
            return complaints.view(session, complaint)

    def close_complaint(
        self, complaint_id: int, by: str | None, resolution: str, customer_response: str = ""
    ) -> ComplaintView:
        """Close a complaint with its resolution and the customer's response."""
        with self._sessions.begin() as session:
            complaint = complaints.close(
                session,
                complaint_id,
                by=by,
                at=self.now(),
                resolution=resolution,
                customer_response=customer_response,
                today=self.today(),
                follow_ups=self._follow_ups,
            )
            return complaints.view(session, complaint)

    def complaints(self, status: str | None = None) -> list[ComplaintView]:
        """Complaints, newest first (only those of ``status`` when given): a read."""
        with self._sessions() as session:
            return complaints.listing(session, status)

    def overdue_complaints(self, hours: int = COMPLAINT_RESPONSE_HOURS) -> list[ComplaintView]:
        """Open complaints still waiting for a first response ``hours`` after opening: a read."""
        with self._sessions() as session:
            return complaints.overdue(session, self.now(), hours)

    def record_reaction(self, form: AdverseForm, by: str | None) -> int:
        """Store a suspected adverse drug reaction; its id."""
        with self._sessions.begin() as session:
            entry = adverse.record(session, form, at=self.now(), by=by, today=self.today())
            return entry.id

    def service_report(self, first: date, last: date) -> ServiceReport:
        """The service report over business days ``first``..``last``: a read."""
        with self._sessions() as session:
            return service_report(
                session,
                first,
                last,
                self.identity.timezone,
                today=self.today(),
                segment_rules=self._segment_rules,
            )
