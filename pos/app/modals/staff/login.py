"""The login screen: user id and PIN when the register starts or is locked (Ctrl+L).

A store with no users asks for its first manager instead. While locked, the
cart and the member are hidden behind it (app.tcss). Scans at this screen are
held for the cart (it is a form: pos.app.widgets.scan_hold), so they never become a
PIN attempt; neither does a function key with empty fields.

At the register's start this screen is painted before the register is ready (pos.app.boot):
the cashier types the id and PIN meanwhile, and they are checked once it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _

if TYPE_CHECKING:
    from pos.register.service import RegisterService


class LoginModal(FormModal):
    """User id and PIN; Enter on the PIN logs in. Nothing else works until then."""

    BINDINGS = [Binding("f12", "login", N_("Log in"), id="log-in", priority=True)]

    register: RegisterService

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.attached = False
        """Whether the register is attached (:meth:`attach`): the id and PIN can be checked."""
        self.waiting = False
        """The cashier asked to log in before the register was ready: it logs in once it is."""
        self.first = False

    def attach(self, register: RegisterService) -> None:
        """The register is ready: a store with no users asks for its first manager."""
        self.register = register
        self.attached = True
        self.first = not register.has_users()
        if self.first and self.is_mounted:  # no users: the first manager's form instead
            self.waiting = False
            self.refresh(recompose=True)
            self.call_after_refresh(self.on_mount)
        elif self.waiting:
            self.waiting = False
            self.app.call_later(self.action_login)  # as its key does: from the app

    def compose(self) -> ComposeResult:
        title = _("First manager of this store") if self.first else _("Log in")
        fields = [
            ("login-id", _("User id"), False),
            ("login-pin", _("PIN"), True),
        ]
        if self.first:
            fields[1:1] = [("login-name", _("Name"), False)]
            fields.append(("login-again", _("PIN again"), True))
        with Vertical(id="login-box", classes="modal-box small"):
            yield Label(title, classes="modal-title")
            for field, label, secret in fields:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(password=secret, id=field)
            yield Label(_("Enter moves on; on the last field it logs in"), id="form-status")

    def on_mount(self) -> None:
        self.query_one("#login-id", OrderedInput).focus()

    async def action_next_field(self, step: int = 1) -> None:
        """Enter on the last field logs in; elsewhere it moves on."""
        last = self.query(OrderedInput).last()
        if step > 0 and self.focused is last:
            await self.action_login()
            return
        await super().action_next_field(step)

    async def action_login(self) -> None:
        """Check the id and PIN (or create the first manager)."""
        await self.settle_fields()
        if not self.attached:
            self.waiting = True
            self.fail(_("Starting, one moment"))
            return
        from pos.register.api import InputError  # imported with the register already

        try:
            if self.first:
                self.register.add_first_manager(
                    self.value("login-id"),
                    self.value("login-name"),
                    self.value("login-pin"),
                    self.value("login-again"),
                )
            else:
                self.register.login(self.value("login-id"), self.value("login-pin"))
        except InputError as exc:
            for field in self.query(OrderedInput):
                if field.password:
                    field.value = ""
            self.fail(str(exc))
            return
        await self.dismiss(True)  # the app welcomes the user, in their language
