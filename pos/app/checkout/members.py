"""The checkout screen's member desk: find (F2), enrol (F5), edit, detach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pos.app.checkout.safety import SafetyPrompts
from pos.app.modals.members.member_form import MemberFormModal
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.app.widgets.scan_input import ScanInput
from pos.domain.members.members import DuplicatePhone, MemberForm
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.register.views import CartView


class MemberPrompts(SafetyPrompts):
    """Members at the checkout screen (a part of it)."""

    action_pay: Callable[[], Awaitable[None]]

    async def action_find_member(self) -> None:
        """Find a member by phone, last 4 digits, card, name or pinyin, and attach them."""
        await self.query_one(ScanInput).settle()
        await self.app.push_screen(
            MemberLookupModal(
                self.register,
                self._attach_member,
                self.open_member_form,
                self._edit_member,
                self._detach_member,
            )
        )

    async def action_enrol(self) -> None:
        """Enrol the customer as a member, with consent, and attach them to the sale."""
        await self.query_one(ScanInput).settle()
        await self.open_member_form("")

    async def open_member_form(self, phone: str, then_pay: bool = False) -> None:
        """The enrolment form; ``then_pay`` returns to payment once it closes."""

        async def closed(saved: bool | None) -> None:
            if then_pay:
                await self.action_pay()

        await self.app.push_screen(
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
        self._show_member(cart, _("Welcome, {name}: enrolled and attached to this sale"))
        return None

    def _attach_member(self, member_id: int) -> str | None:
        try:
            cart = self.register.attach_member(member_id)
        except InputError as exc:
            return str(exc)
        self._show_member(cart, _("{name} attached: member prices and points"))
        return None

    def _show_member(self, cart: CartView, text: str) -> None:
        self.refresh_cart(cart)
        name = cart.member.name if cart.member else ""
        self.message.success(text.format(name=name))

    def _detach_member(self) -> str | None:
        try:
            cart = self.register.detach_member()
        except InputError as exc:
            return str(exc)
        self.refresh_cart(cart)
        self.message.info(_("Member detached: list prices"))
        return None

    async def _edit_member(self, member_id: int) -> None:
        def save(form: MemberForm) -> str | None:
            try:
                member = self.register.edit_member(member_id, form)
            except DuplicatePhone:
                raise
            except InputError as exc:
                return str(exc)
            self.refresh_cart(self.register.cart())
            self.message.success(_("{name}: details saved").format(name=member.name))
            return None

        await self.app.push_screen(
            MemberFormModal(_("Edit member"), self.register.member_form(member_id), save)
        )
