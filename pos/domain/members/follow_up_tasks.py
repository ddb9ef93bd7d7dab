"""Follow-up visits (回访) as work: created by rules, assigned, done with an outcome.

Rules create a task: a chronic-medication refill due (:mod:`follow_up`), a few
days after a prescription or OTC-A sale, after a complaint is closed. A task has a
member, a reason, a due day and an assignee (a pharmacist for a medicine
question, else anyone who may call). Each call records an outcome; every outcome
but *not reached* closes the task. A member who asks not to be called again has
that consent withdrawn, and no rule creates a task for them afterwards.

Data functions take a Session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.members.follow_up import members_due
from pos.domain.members.members import mask_phone
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import N_, _
from pos.models import FollowUpTask, Member, Product, Sale, SaleLine

REASONS = {
    "refill": N_("refill due"),
    "after_sale": N_("after a medicine sale"),
    "complaint": N_("after a complaint"),
}
OUTCOMES = {
    "reached": N_("reached"),
    "not_reached": N_("not reached, call again"),
    "doing_well": N_("doing well"),
    "side_effect": N_("side effect reported"),
    "wants_refill": N_("wants a refill"),
    "do_not_call": N_("do not call again"),
}
"""Every outcome but ``not_reached`` closes the task."""
GUIDED_CLASSES = (DrugClass.RX, DrugClass.OTC_A)
"""Sales of these classes are followed up: how the medicine suits the customer."""


@dataclass(frozen=True)
class FollowUpRules:
    """When follow-ups fall due (``[service]`` in the settings)."""

    after_sale_days: int = 3
    """Days after a prescription or OTC-A sale to ask how the medicine suits the member."""
    after_complaint_days: int = 2
    """Days after a complaint is closed to ask whether the customer is satisfied."""
    retry_days: int = 1
    """Default days before calling again a member not reached."""


@dataclass(frozen=True)
class FollowUpView:
    """One task as the follow-up screen and ``pos followup list`` show it."""

    id: int
    card_no: str
    name: str
    phone: str
    """In full only for a user allowed to call; masked otherwise."""
    reason: str
    due_on: date
    assignee: str
    attempts: int
    detail: str
    """What the call is about: the products of the sale, or the refill."""
    status: str = "open"
    outcome: str | None = None

    def as_json(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "id": self.id, "card_no": self.card_no, "phone": self.phone, "reason": self.reason,
            "due_on": self.due_on.isoformat(), "assignee": self.assignee,
            "attempts": self.attempts, "detail": self.detail, "status": self.status,
            "outcome": self.outcome,
        }  # fmt: skip


def reason_name(code: str) -> str:
    """The reason in the UI language."""
    return _(REASONS[code]) if code in REASONS else code


def outcome_name(code: str) -> str:
    """The outcome in the UI language."""
    return _(OUTCOMES[code]) if code in OUTCOMES else code


def may_call(role: str | None) -> bool:
    """Pharmacists and managers call members; cashiers see the list masked."""
    return role in ("pharmacist", "manager")


def _open_task(session: Session, member_id: int, reason: str) -> FollowUpTask | None:
    return session.scalar(
        select(FollowUpTask).where(
            FollowUpTask.member_id == member_id,
            FollowUpTask.reason == reason,
            FollowUpTask.status == "open",
        )
    )


def plan_after_sale(
    session: Session, sale: Sale, member: Member, rules: FollowUpRules, now: datetime
) -> FollowUpTask | None:
    """After a sale to ``member``: a task if it held a prescription or OTC-A medicine."""
    if not member.consent_follow_up or rules.after_sale_days <= 0:
        return None
    guided = session.scalar(
        select(SaleLine.id)
        .join(Product, Product.id == SaleLine.product_id)
        .where(SaleLine.sale_id == sale.id, Product.drug_class.in_(GUIDED_CLASSES))
        .limit(1)
    )
    if guided is None:
        return None
    task = FollowUpTask(
        member_id=member.id,
        reason="after_sale",
        due_on=sale.business_date + timedelta(days=rules.after_sale_days),
        assignee="pharmacist",
        sale_id=sale.id,
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


def plan_after_complaint(
    session: Session,
    member_id: int,
    complaint_id: int,
    today: date,
    rules: FollowUpRules,
    now: datetime,
) -> FollowUpTask | None:
    """After a member's complaint is closed: ask whether they are satisfied."""
    member = session.get(Member, member_id)
    if member is None or member.erased_at is not None or not member.consent_follow_up:
        return None
    task = FollowUpTask(
        member_id=member_id,
        reason="complaint",
        due_on=today + timedelta(days=rules.after_complaint_days),
        assignee="any",
        complaint_id=complaint_id,
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


def plan_refills(session: Session, today: date, now: datetime) -> int:
    """A task for each member whose chronic-medication refill is due and who has none open."""
    created = 0
    for due in members_due(session, today):
        if _open_task(session, due.member_id, "refill") is not None:
            continue
        member = session.get(Member, due.member_id)
        if member is None or not member.consent_follow_up:
            continue
        session.add(
            FollowUpTask(
                member_id=due.member_id, reason="refill", due_on=today, assignee="any",
                created_at=now,
            )
        )  # fmt: skip
        created += 1
    session.flush()
    return created


def _detail(session: Session, task: FollowUpTask) -> str:
    if task.sale_id is None:
        return ""
    names = session.scalars(
        select(SaleLine.name).where(SaleLine.sale_id == task.sale_id).order_by(SaleLine.line_no)
    ).all()
    return "、".join(names)


def tasks(
    session: Session,
    today: date,
    role: str | None,
    *,
    due_only: bool = True,
    include_done: bool = False,
) -> list[FollowUpView]:
    """The follow-ups a user of ``role`` sees, most overdue first (a read)."""
    query = (
        select(FollowUpTask, Member)
        .join(Member, Member.id == FollowUpTask.member_id)
        .where(Member.erased_at.is_(None))
        .order_by(FollowUpTask.due_on, FollowUpTask.id)
    )
    if not include_done:
        query = query.where(FollowUpTask.status == "open")
    if due_only:
        query = query.where(FollowUpTask.due_on <= today)
    full = may_call(role)
    return [
        FollowUpView(
            id=task.id,
            card_no=member.card_no,
            name=member.name or "",
            phone=(member.phone or "") if full else mask_phone(member.phone),
            reason=task.reason,
            due_on=task.due_on,
            assignee=task.assignee,
            attempts=task.attempts,
            detail=_detail(session, task),
            status=task.status,
            outcome=task.outcome,
        )
        for task, member in session.execute(query)
    ]


def record_outcome(
    session: Session,
    task_id: int,
    outcome: str,
    by: str | None,
    role: str | None,
    now: datetime,
    today: date,
    *,
    retry_on: date | None = None,
    note: str = "",
    rules: FollowUpRules | None = None,
) -> FollowUpTask:
    """Record a call's outcome; bad input raises :class:`InputError` and changes nothing."""
    if outcome not in OUTCOMES:
        raise InputError(
            _("Unknown outcome {outcome}: use one of {known}").format(
                outcome=outcome, known=", ".join(OUTCOMES)
            )
        )
    task = session.get(FollowUpTask, task_id)
    if task is None:
        raise InputError(_("No follow-up number {id}").format(id=task_id))
    if task.status != "open":
        raise InputError(_("Follow-up {id} is already done").format(id=task_id))
    if task.assignee == "pharmacist" and role != "pharmacist":
        raise InputError(_("Only a pharmacist may do this follow-up"))
    if not may_call(role):
        raise InputError(_("Only a pharmacist or a manager calls members"))
    if len(note) > 200:
        raise InputError(_("Keep the note under 200 characters"))
    retry = None
    if outcome == "not_reached":
        retry = retry_on or today + timedelta(days=(rules or FollowUpRules()).retry_days)
        if retry <= today:
            raise InputError(_("Call again on a later day than today"))
    member = session.get_one(Member, task.member_id)
    task.attempts += 1
    task.outcome = outcome
    task.note = note.strip()
    task.done_by = by
    if retry is not None:
        task.due_on = retry
    else:
        task.status = "done"
        task.done_at = now
    if outcome == "wants_refill":
        member.next_visit_on = today + timedelta(days=1)
    if outcome == "do_not_call":
        member.consent_follow_up = False
        member.consents_at = now
        member.updated_at = now
        for other in session.scalars(
            select(FollowUpTask).where(
                FollowUpTask.member_id == member.id,
                FollowUpTask.status == "open",
                FollowUpTask.id != task.id,
            )
        ):
            other.status = "done"
            other.outcome = "do_not_call"
            other.done_by = by
            other.done_at = now
    session.flush()
    return task
