"""The checkout screen's member desk: find (F2), enrol (F5), edit, detach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pos.app.checkout.counter import Counter
from pos.app.modals.members.member_form import MemberFormModal
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.domain.members.members import DuplicatePhone, MemberForm
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.register.service import RegisterService
from pos.register.views import CartView


class MemberPrompts:
    """Members at the checkout screen; ``pay`` returns to payment after enrolling there."""

    def __init__(
        self, register: RegisterService, counter: Counter, pay: Callable[[], Awaitable[None]]
    ) -> None:
        self.register = register
        self.counter = counter
        self.pay = pay

    async def find_member(self) -> None:
        """Find a member by phone, last 4 digits, card, name or pinyin, and attach them."""
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
        """Show ``cart`` with its member just attached, and ``text`` naming them."""
        self.counter.refresh_cart(cart)
        name = cart.member.name if cart.member else ""
        self.counter.message.success(text.format(name=name))

    def _detach_member(self) -> str | None:
        try:
            cart = self.register.detach_member()
        except InputError as exc:
            return str(exc)
        self.counter.refresh_cart(cart)
        self.counter.message.info(_("Member detached: list prices"))
        return None

    async def _edit_member(self, member_id: int) -> None:
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
