"""Complaints (投诉): opened against a sale, a member or nobody; open → in hand → closed.

Every step is audited with its category and severity only: the complaint's text
never goes into the audit log or any other log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.members import members
from pos.domain.members.follow_up_tasks import FollowUpRules, plan_after_complaint
from pos.domain.returns.returns import find_sale
from pos.domain.sales.codes import InputError
from pos.domain.staff import audit
from pos.i18n import N_, _
from pos.models import Complaint, Member, Sale

CATEGORIES = {
    "product": N_("product quality"),
    "service": N_("service attitude"),
    "price": N_("price"),
    "waiting": N_("waiting time"),
    "medicine": N_("wrong medicine or advice"),
    "other": N_("other"),
}
"""Complaint categories by key, with their names (translated where shown)."""
SEVERITIES = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
STATUSES = {"open": N_("open"), "in_hand": N_("in hand"), "closed": N_("closed")}
OPEN, IN_HAND, CLOSED = "open", "in_hand", "closed"
DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class ComplaintForm:
    """A new complaint as entered: a sale number, a member card, or neither (anonymous)."""

    category: str
    description: str
    severity: str = "medium"
    sale_number: str = ""
    member_card: str = ""
    rating_id: int | None = None


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as lists and details show it (member as card number, never a phone)."""

    id: int
    opened_at: datetime
    opened_by: str | None
    category: str
    severity: str
    status: str
    description: str
    sale_number: str | None
    member_card: str | None
    handler: str | None
    first_response_at: datetime | None
    resolution: str
    customer_response: str
    closed_at: datetime | None
    from_rating: bool


def category_name(key: str) -> str:
    """The category's name in the current language."""
    return _(CATEGORIES[key]) if key in CATEGORIES else key


def _choice(value: str, known: dict[str, str], what: str) -> str:
    cleaned = value.strip().lower()
    if not cleaned:
        raise InputError(_("Give the {what}").format(what=what))
    if cleaned not in known:
        raise InputError(
            _("Unknown {what} {value}: choose one of {choices}").format(
                what=what, value=value, choices=", ".join(known)
            )
        )
    return cleaned


def _text(value: str, what: str, limit: int, required: bool = True) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise InputError(_("Give the {what}").format(what=what))
    if len(cleaned) > limit:
        raise InputError(
            _("The {what} is longer than {limit} characters").format(what=what, limit=limit)
        )
    return cleaned


def open_complaint(
    session: Session, form: ComplaintForm, *, at: datetime, by: str | None
) -> Complaint:
    """Store a new complaint (the caller commits); InputError for bad input, nothing stored."""
    category = _choice(form.category, CATEGORIES, _("category"))
    severity = _choice(form.severity, SEVERITIES, _("severity"))
    description = _text(form.description, _("description"), DESCRIPTION_MAX)
    sale: Sale | None = find_sale(session, form.sale_number) if form.sale_number.strip() else None
    member: Member | None = None
    if form.member_card.strip():
        member = members.by_card(session, form.member_card.strip())
        if member is None:
            raise InputError(_("No member with card {card}").format(card=form.member_card))
    member_id = member.id if member is not None else (sale.member_id if sale else None)
    complaint = Complaint(
        opened_at=at,
        opened_by=by,
        sale_id=sale.id if sale else None,
        member_id=member_id,
        category=category,
        severity=severity,
        description=description,
        status=OPEN,
        resolution="",
        customer_response="",
        rating_id=form.rating_id,
    )
    session.add(complaint)
    session.flush()
    audit.record(
        session,
        "complaint.open",
        at=at,
        actor=by,
        subject=f"complaint:{complaint.id}",
        detail={"category": category, "severity": severity, "sale": sale.number if sale else ""},
    )
    return complaint


def get(session: Session, complaint_id: int) -> Complaint:
    """Complaint ``complaint_id``; InputError when there is none."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise InputError(_("No complaint #{id}").format(id=complaint_id))
    return complaint


def _not_closed(complaint: Complaint) -> None:
    if complaint.status == CLOSED:
        raise InputError(_("Complaint #{id} is already closed").format(id=complaint.id))


def handle(
    session: Session, complaint_id: int, *, handler: str | None, at: datetime, note: str = ""
) -> Complaint:
    """Take a complaint in hand (the first response); InputError once it is closed."""
    complaint = get(session, complaint_id)
    _not_closed(complaint)
    note = _text(note, _("resolution"), DESCRIPTION_MAX, required=False)
    complaint.status = IN_HAND
    complaint.handler = handler
    if complaint.first_response_at is None:
        complaint.first_response_at = at
    if note:
        complaint.resolution = note
    audit.record(
        session, "complaint.handle", at=at, actor=handler, subject=f"complaint:{complaint.id}"
    )
    return complaint


def close(
    session: Session,
    complaint_id: int,
    *,
    by: str | None,
    at: datetime,
    resolution: str,
    customer_response: str = "",
    today: date | None = None,
    follow_ups: FollowUpRules | None = None,
) -> Complaint:
    """Close a complaint with its resolution and the customer's response; a member's
    complaint gets a follow-up call (回访) a few days later (``today``: the store's day)."""
    complaint = get(session, complaint_id)
    _not_closed(complaint)
    complaint.resolution = _text(resolution, _("resolution"), DESCRIPTION_MAX)
    complaint.customer_response = _text(
        customer_response, _("customer's response"), 200, required=False
    )
    if complaint.first_response_at is None:
        complaint.first_response_at = at
    if complaint.handler is None:
        complaint.handler = by
    complaint.status = CLOSED
    complaint.closed_at = at
    complaint.closed_by = by
    audit.record(session, "complaint.close", at=at, actor=by, subject=f"complaint:{complaint.id}")
    if complaint.member_id is not None:
        plan_after_complaint(
            session, complaint.member_id, complaint.id, today or at.date(),
            follow_ups or FollowUpRules(), at,
        )  # fmt: skip
    return complaint


def view(session: Session, complaint: Complaint) -> ComplaintView:
    """The read model of ``complaint``."""
    sale_number = session.scalar(select(Sale.number).where(Sale.id == complaint.sale_id))
    card = session.scalar(select(Member.card_no).where(Member.id == complaint.member_id))
    return ComplaintView(
        id=complaint.id,
        opened_at=complaint.opened_at,
        opened_by=complaint.opened_by,
        category=complaint.category,
        severity=complaint.severity,
        status=complaint.status,
        description=complaint.description,
        sale_number=sale_number,
        member_card=card,
        handler=complaint.handler,
        first_response_at=complaint.first_response_at,
        resolution=complaint.resolution,
        customer_response=complaint.customer_response,
        closed_at=complaint.closed_at,
        from_rating=complaint.rating_id is not None,
    )


def listing(session: Session, status: str | None = None, limit: int = 200) -> list[ComplaintView]:
    """Complaints, newest first; only those of ``status`` when given."""
    statement = select(Complaint).order_by(Complaint.opened_at.desc(), Complaint.id.desc())
    if status is not None:
        statement = statement.where(Complaint.status == _choice(status, STATUSES, _("status")))
    return [view(session, complaint) for complaint in session.scalars(statement.limit(limit))]


def overdue(session: Session, now: datetime, hours: int) -> list[ComplaintView]:
    """Open complaints with no first response ``hours`` after they were opened, oldest first."""
    statement = (
        select(Complaint)
        .where(
            Complaint.status == OPEN,
            Complaint.first_response_at.is_(None),
            Complaint.opened_at <= now - timedelta(hours=hours),
        )
        .order_by(Complaint.opened_at, Complaint.id)
    )
    return [view(session, complaint) for complaint in session.scalars(statement)]
