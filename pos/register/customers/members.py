"""The register's members: lookup, enrolment, member prices, points and tiers.

:class:`Members` is one of the register's collaborators: it attaches and detaches
the member on the cart state it is given; the register then prices and stores the
cart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import loyalty, members, points_ledger, referrals
from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.members.members import MemberForm, MemberRow
from pos.domain.members.segments import SegmentRules, segment
from pos.domain.sales.codes import InputError
from pos.domain.sales.tendering import Tendering
from pos.domain.staff import audit
from pos.i18n import _
from pos.models import Member, Sale
from pos.register.staff.login import Login
from pos.register.state import CartState, RegisterIdentity, StoreTime
from pos.register.views import CartView, MemberView

if TYPE_CHECKING:  # a chain's register only (pos.register.startup)
    from pos.sync.health import HealthSource

MEMBER_FIELDS = (
    "phone", "name", "birthday", "gender", "consent_terms", "consent_marketing",
    "consent_health", "allergies", "conditions",
)  # fmt: skip
"""The member's fields a form sets (their names go to the audit log, never their values)."""


def _fields(member: Member) -> dict[str, object]:
    return {name: getattr(member, name) for name in MEMBER_FIELDS}


class Members:
    """Members at the register: the member attached to the sale, points earned and spent."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        identity: RegisterIdentity,
        login: Login,
        rules: LoyaltyRules,
        segments: SegmentRules | None = None,
        health: HealthSource | None = None,
    ) -> None:
        """``health``: head office, asked for an attached member's health notes (a chain)."""
        self._sessions = sessions
        self._health = health
        self._health_note: tuple[int, str] | None = None
        """The attached member whose notes head office could not give, and what to say."""
        self._segments = segments or SegmentRules()
        self._state = state
        self._time = time
        self._identity = identity
        self._login = login
        self.rules = rules

    def present(self) -> CartView:
        """The cart with the attached member (a pure read: one erased meanwhile is not shown)."""
        view = self._state.cart.view()
        if self._state.member_id is None:
            return view
        with self._sessions() as session:
            member = session.get(Member, self._state.member_id)
            if member is None or member.erased_at is not None:
                return view
            shown = self.view(session, member, details=False)
        note = self._health_note
        if note is not None and note[0] == member.id:
            shown = replace(shown, health_note=note[1])
        return replace(view, member=shown)

    def settle(self) -> None:
        """Detach the member if they were erased meanwhile (at the next change of the cart)."""
        if self._state.member_id is None:
            return
        with self._sessions() as session:
            member = session.get(Member, self._state.member_id)
            erased = member is None or member.erased_at is not None
        if erased:
            self.detach()

    def reward(
        self,
        session: Session,
        sale: Sale,
        member: Member,
        tendering: Tendering,
        now: datetime,
        today: date,
    ) -> None:
        """Points redeemed and earned, the visit and the tier (the birthday gift, offered
        at the counter, is :class:`~pos.register.customers.care.MemberCare`'s)."""
        rules = self.rules
        # The tier the member had before this sale earns its points (a floor may have run out).
        members.settle_tier(session, member, rules, now, today, leave_out_fen=sale.total_fen)
        redeemed_fen = tendering.points_fen
        if redeemed_fen:
            sale.points_redeemed = rules.points_for_fen(redeemed_fen)
            points_ledger.post_points(
                session, member.id, -sale.points_redeemed, "redeem", now, sale.id
            )
        lines = [
            (line.drug_class, line.category, line.total_fen) for line in self._state.cart.lines
        ]
        birthday_month = loyalty.is_birthday_month(member.birthday, today)
        sale.points_earned = self._state.cart.points_multiplier * loyalty.points_earned(
            loyalty.eligible_fen(lines, rules),
            sale.total_fen,
            redeemed_fen,
            rules.tier(member.tier),
            birthday_month,
            rules,
        )
        if sale.points_earned:
            points_ledger.post_points(session, member.id, sale.points_earned, "earn", now, sale.id)
        member.last_visit_at = now
        members.settle_tier(session, member, rules, now, today)

    # -- members ----------------------------------------------------------
    def find_members(self, query: str) -> list[MemberView]:
        """Members by full phone, last four digits, card number, name or pinyin initials."""
        with self._sessions() as session:
            return [self.view(session, m) for m in members.lookup(session, query)]

    def attach(self, member_id: int) -> None:
        """Sell to this member (or the one head office merged it into): member prices,
        points (the register prices the cart).

        In a chain, a member whose health notes this register does not have: head office
        is asked for them (kept here with the member's consent); offline, the member
        panel says they are not on this register."""
        with self._sessions() as session:
            member = session.get(Member, member_id)
            if member is None or member.erased_at is not None:
                raise InputError(_("That member is no longer on file"))
            survivor = _merged_into(session, member)
            if survivor is not None:
                member, member_id = survivor, survivor.id
            uid, ask = member.uid, self._health is not None and _without_notes(member)
        if member_id != self._state.member_id:
            self._health_note = None
        if self._health is not None and ask:
            self._fetch_notes(self._health, member_id, uid)
        self._state.member_id = member_id
        self._state.cart.set_member_pricing(True)

    def _fetch_notes(self, source: HealthSource, member_id: int, uid: str) -> None:
        """Head office's notes of the member being attached (the network outside any local
        transaction; then one short write)."""
        from pos.sync import health as chain_health  # a chain's register only

        try:
            notes = source.fetch(uid)
        except chain_health.HealthUnavailable:
            self._health_note = (member_id, _("health notes not on this register (offline)"))
            return
        self._health_note = None
        if notes is None:
            return  # not at head office yet (enrolled here, still to be sent)
        with self._sessions.begin() as session:
            chain_health.keep(session, session.get_one(Member, member_id), notes)

    def by_card(self, card_no: str) -> tuple[int, str]:
        """The id of the member whose card was scanned, and a note for the cashier: a card
        head office merged into another member's attaches that member ('' otherwise)."""
        with self._sessions() as session:
            member = members.by_card(session, card_no)
            if member is None:
                raise InputError(_("No member with card {card}").format(card=card_no))
            survivor = _merged_into(session, member)
            if survivor is not None:
                note = _("Card {card} merged into {survivor}").format(
                    card=card_no, survivor=survivor.card_no
                )
                return survivor.id, note
            return member.id, ""

    def detach(self) -> None:
        """Sell to a walk-in customer again: list prices, no points."""
        self._state.member_id = None
        self._health_note = None
        self._state.cart.set_member_pricing(False)

    def member(self, member_id: int) -> MemberView:
        """One member, with recent purchases and health notes."""
        with self._sessions() as session:
            member = session.get(Member, member_id)
            if member is None or member.erased_at is not None:
                raise InputError(_("That member is no longer on file"))
            return self.view(session, member)

    def member_form(self, member_id: int) -> MemberForm:
        """A member's details as the edit form shows them."""
        with self._sessions() as session:
            member = session.get_one(Member, member_id)
            return MemberForm(
                phone=member.phone or "",
                name=member.name or "",
                birthday=member.birthday.isoformat() if member.birthday else "",
                gender=member.gender or "",
                consent_terms=member.consent_terms,
                consent_marketing=member.consent_marketing,
                consent_health=member.consent_health,
                allergies=member.allergies,
                conditions=member.conditions,
            )

    def enrol(self, form: MemberForm) -> int:
        """Enrol a customer; the new member's id (the register attaches them to the sale).

        A phone already enrolled raises :class:`members.DuplicatePhone`, naming
        that member, so the screen can offer them instead. A wrong referrer (the form's
        referral code or phone) enrols nobody.
        """
        now = self._time.now()
        with self._sessions.begin() as session:
            member = members.enrol(
                session,
                form,
                now,
                self._time.today(),
                self._identity.store_code,
                self._login.cashier,
            )
            member_id = member.id
            if form.referrer.strip():
                referrals.set_referrer(session, member, form.referrer)
            given = sorted(name for name, value in _fields(member).items() if value)
            self._audit_member(session, "member.enrol", member, given)
        return member_id

    def edit_member(self, member_id: int, form: MemberForm) -> MemberView:
        """Change a member's details at the member's request (the changed fields are recorded)."""
        with self._sessions.begin() as session:
            member = session.get_one(Member, member_id)
            before = _fields(member)
            members.update(session, member, form, self._time.now(), self._time.today())
            after = _fields(member)
            changed = sorted(name for name in after if after[name] != before[name])
            if changed:
                self._audit_member(session, "member.edit", member, changed)
            return self.view(session, member)

    def _audit_member(
        self, session: Session, action: str, member: Member, fields: list[str]
    ) -> None:
        """Record an enrolment or edit: the card number and field names, never their values."""
        audit.record(
            session, action, at=self._time.now(), actor=self._login.cashier, subject=member.card_no,
            detail={"fields": fields},
        )  # fmt: skip

    def view(
        self, session: Session, member: Member | MemberRow, details: bool = True
    ) -> MemberView:
        last = member.last_visit_at
        kind = ""
        if isinstance(member, Member):  # a lookup row carries no visit count
            kind = segment(
                self._time.local_time(member.enrolled_at).date(),
                member.visits,
                self._time.local_time(last).date() if last else None,
                self._time.today(),
                self._segments,
            )
        return MemberView(
            id=member.id,
            card_no=member.card_no,
            name=member.name or "",
            masked_phone=members.mask_phone(member.phone),
            tier=member.tier,
            points=points_ledger.balance(session, member.id),
            last_visit=self._time.local_time(last).date() if last else None,
            recent_purchases=(
                tuple(members.recent_purchases(session, member.id)) if details else ()
            ),
            birthday=member.birthday,
            birthday_month=loyalty.is_birthday_month(member.birthday, self._time.today()),
            allergies=member.allergies,
            conditions=member.conditions,
            consent_marketing=member.consent_marketing,
            consent_health=member.consent_health,
            segment=kind,
        )


def _without_notes(member: Member) -> bool:
    """Whether attaching ``member`` should ask head office: no health notes here."""
    return not (member.allergies or member.conditions)


def _merged_into(session: Session, member: Member) -> Member | None:
    """The member head office merged ``member`` into (None: not merged, or that one is
    no longer on file)."""
    if not member.merged_into_uid:
        return None
    return session.scalar(
        select(Member).where(Member.uid == member.merged_into_uid, Member.erased_at.is_(None))
    )
