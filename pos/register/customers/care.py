"""Members after the sale, at the register: follow-up calls, referrals, birthday gifts, segments.

:class:`MemberCare` is a collaborator of the register facade. Its reads
(:meth:`follow_ups`, :meth:`offer`) never write; :meth:`record_follow_up` and
:meth:`plan_refills` are units of work of their own; :meth:`after_sale` runs
inside the sale's transaction, so a sale and what it sets off are stored together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import birthday, follow_up_tasks, referrals
from pos.domain.members.birthday import BirthdayGift
from pos.domain.members.follow_up_tasks import FollowUpRules, FollowUpView
from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.members.segments import SegmentRules, segment
from pos.domain.sales.codes import InputError
from pos.domain.staff import audit
from pos.i18n import _
from pos.models import Member, Sale
from pos.register.staff.login import Login
from pos.register.state import StoreTime


@dataclass(frozen=True)
class CareRules:
    """The store's service rules (``[service]``): when calls fall due, how files are classed."""

    follow_ups: FollowUpRules = field(default_factory=FollowUpRules)
    segments: SegmentRules = field(default_factory=SegmentRules)


@dataclass(frozen=True)
class MemberOffer:
    """What the cashier is told when a member is attached."""

    segment: str
    gift: BirthdayGift | None
    """This year's birthday gift, still to give."""
    days_away: int | None
    """Days since the last visit (None: never came)."""


class MemberCare:
    """Service after the sale for one register."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        time: StoreTime,
        login: Login,
        loyalty: LoyaltyRules,
        rules: CareRules,
    ) -> None:
        self._sessions = sessions
        self._time = time
        self._login = login
        self.loyalty = loyalty
        self.rules = rules

    def _now(self) -> datetime:
        return self._time.now()

    def _today(self) -> date:
        return self._time.today()

    def _local_day(self, moment: datetime) -> date:
        return self._time.local_time(moment).date()

    def _user(self) -> tuple[str, str] | None:
        """The logged-in user's (id, role), or None."""
        user = self._login.user
        return (user.id, user.role) if user else None

    # -- at the counter ---------------------------------------------------------------
    def offer(self, session: Session, member: Member) -> MemberOffer:
        """The member's segment and birthday gift due (a read)."""
        today = self._today()
        last = self._local_day(member.last_visit_at) if member.last_visit_at else None
        enrolled = self._local_day(member.enrolled_at)
        kind = segment(enrolled, member.visits, last, today, self.rules.segments)
        loyalty = self.loyalty
        gift = birthday.gift_due(
            session, member, loyalty.birthday_gift_sku, loyalty.birthday_gift_points, today
        )
        return MemberOffer(kind, gift, (today - last).days if last else None)

    def after_sale(
        self, session: Session, sale: Sale, member: Member, gift: BirthdayGift | None
    ) -> None:
        """Inside the sale's transaction: the visit counted, the member's referral code
        given, the referrer credited after a first purchase, a follow-up call planned
        after a medicine sale, the birthday gift taken recorded."""
        now = self._now()
        user = self._user()
        member.visits += 1
        referrals.ensure_code(session, member)
        referrals.credit_referrer(session, member, self.loyalty.referral_points, now, sale.id)
        follow_up_tasks.plan_after_sale(session, sale, member, self.rules.follow_ups, now)
        if gift is not None:
            birthday.record_gift(
                session, member.id, gift, self._today(), now, sale.id, user[0] if user else None
            )
            if gift.kind == "points":
                sale.points_earned += gift.points  # on the receipt with the points earned

    # -- follow-up calls --------------------------------------------------------------
    def follow_ups(self, include_later: bool = False) -> list[FollowUpView]:
        """The calls due (or all open ones), phones in full for a user allowed to call."""
        user = self._user()
        with self._sessions() as session:
            return follow_up_tasks.tasks(
                session, self._today(), user[1] if user else None, due_only=not include_later
            )

    def may_call(self) -> bool:
        """True if the logged-in user calls members (sees phones in full)."""
        user = self._user()
        return follow_up_tasks.may_call(user[1] if user else None)

    def record_follow_up(
        self, task_id: int, outcome: str, retry_on: str = "", note: str = ""
    ) -> bool:
        """Record a call's outcome; True if the task is done (False: call again later)."""
        user = self._user()
        if user is None:
            raise InputError(_("Log in first"))
        retry = None
        if retry_on.strip():
            try:
                retry = date.fromisoformat(retry_on.strip())
            except ValueError:
                raise InputError(
                    _("Not a date (YYYY-MM-DD): {text}").format(text=retry_on.strip()[:20])
                ) from None
        now = self._now()
        with self._sessions.begin() as session:
            task = follow_up_tasks.record_outcome(
                session, task_id, outcome, user[0], user[1], now, self._today(),
                retry_on=retry, note=note, rules=self.rules.follow_ups,
            )  # fmt: skip
            if outcome == "do_not_call":
                audit.record(
                    session, "member.consent", at=now, actor=user[0],
                    subject=session.get_one(Member, task.member_id).card_no,
                    detail={"fields": ["consent_follow_up"]},
                )  # fmt: skip
            return task.status == "done"

    def plan_refills(self) -> int:
        """Add a call for every member whose chronic-medication refill is due."""
        with self._sessions.begin() as session:
            return follow_up_tasks.plan_refills(session, self._today(), self._now())

    # -- referrals --------------------------------------------------------------------
    def set_referrer(self, session: Session, member: Member, text: str) -> None:
        """At enrolment: who recommended the new member (a code or a phone)."""
        if text.strip():
            referrals.set_referrer(session, member, text)
