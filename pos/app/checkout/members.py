"""The checkout screen's member desk: find (F2), enrol (F5), edit, detach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from pos.app.checkout.counter import Counter
from pos.i18n import _
from pos.register.api import DuplicatePhone, InputError, MemberForm
from pos.register.service import RegisterService
from pos.register.views import CartView


class MemberPrompts:
    """Members at the checkout screen; ``pay`` returns to payment after enrolling there."""

    def __init__(
        self,
        register: RegisterService,
        counter: Counter,
        pay: Callable[[], Awaitable[None]],
        report_reaction: Callable[[str], Awaitable[None]],
    ) -> None:
        """``report_reaction`` opens the adverse-reaction form for a member's card."""
        self.register = register
        self.counter = counter
        self.pay = pay
        self.report_reaction = report_reaction
        self.gift_declined: set[tuple[int, date]] = set()
        """(member, day) already offered their birthday gift at this register."""

    async def find_member(self) -> None:
        """Find a member by phone, last 4 digits, card, name or pinyin, and attach them."""
        from pos.app.modals.members.member_lookup import MemberLookupModal

        await self.counter.open(
            MemberLookupModal(
                self.register,
                self._attach_member,
                self.open_member_form,
                self._edit_member,
                self._detach_member,
            )
        )

    async def open_member_form(self, phone: str, then_pay: bool = False) -> None:
        """The enrolment form; ``then_pay`` returns to payment once it closes."""
        from pos.app.modals.members.member_form import MemberFormModal

        async def closed(saved: bool | None) -> None:
            if then_pay:
                await self.pay()

        await self.counter.open(
            MemberFormModal(
                _("Enrol a member"),
                MemberForm(phone=phone, name=""),
                self._enrol,
                self._attach_member,
            ),
            closed,
        )

    def _enrol(self, form: MemberForm) -> str | None:
        try:
            cart = self.register.enrol(form)
        except DuplicatePhone:
            raise
        except InputError as exc:
            return str(exc)
        self.show_member(cart, _("Welcome, {name}: enrolled and attached to this sale"))
        return None

    def _attach_member(self, member_id: int) -> str | None:
        try:
            cart = self.register.attach_member(member_id)
        except InputError as exc:
            return str(exc)
        self.show_member(cart, _("{name} attached: member prices and points"))
        return None

    def show_member(self, cart: CartView, text: str) -> None:
        """Show ``cart`` with its member just attached, and ``text`` naming them; a member
        long away is welcomed back, and a birthday gift due is offered (F9 gives it)."""
        from pos.app.modals.confirm import ConfirmModal

        self.counter.refresh_cart(cart)
        name = cart.member.name if cart.member else ""
        offer = self.register.member_offer()
        if offer is not None and offer.segment == "lapsed" and offer.days_away is not None:
            back = _("Welcome back: {name} last came {days} days ago").format(
                name=name, days=offer.days_away
            )
            self.counter.message.info(text.format(name=name) + "  " + back)
        else:
            self.counter.message.success(text.format(name=name))
        if offer is None or offer.gift is None or cart.member is None:
            return
        key = (cart.member.id, self.register.today())
        if key in self.gift_declined:
            return
        self.gift_declined.add(key)  # asked once a day; F9 gives it
        question = _("Birthday month: give {name} this year's birthday gift, {gift}?").format(
            name=name, gift=offer.gift.name
        )
        hint = _("F9 gives it with this sale, Esc: not now")
        self.counter.open_after_refresh(ConfirmModal(question, "f9", self._give_gift, hint))

    async def follow_ups(self) -> None:
        """The follow-up calls due (回访): pharmacists and managers call and record them."""
        from pos.app.modals.members.follow_ups import FollowUpModal

        async def closed(card_no: str | None) -> None:
            if card_no:  # a side effect reported on the call: record it for the ADR report
                await self.report_reaction(card_no)

        await self.counter.open(FollowUpModal(self.register.care), closed)

    def _give_gift(self) -> None:
        try:
            cart = self.register.give_birthday_gift()
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.refresh_cart(cart)
        self.counter.message.success(_("Birthday gift given: recorded with this sale"))

    def _detach_member(self) -> str | None:
        try:
            cart = self.register.detach_member()
        except InputError as exc:
            return str(exc)
        self.counter.refresh_cart(cart)
        self.counter.message.info(_("Member detached: list prices"))
        return None

    async def _edit_member(self, member_id: int) -> None:
        from pos.app.modals.members.member_form import MemberFormModal

        def save(form: MemberForm) -> str | None:
            try:
                member = self.register.edit_member(member_id, form)
            except DuplicatePhone:
                raise
            except InputError as exc:
                return str(exc)
            self.counter.refresh_cart(self.register.cart())
            self.counter.message.success(_("{name}: details saved").format(name=member.name))
            return None

        await self.counter.open(
            MemberFormModal(_("Edit member"), self.register.member_form(member_id), save)
        )
