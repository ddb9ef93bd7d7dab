"""A manager approves one action at the register with their id and PIN."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.api import InputError
from pos.register.staff.overrides import ACTIONS, Approval

Approve = Callable[[str, str, str], Approval]
"""(action, manager id, PIN) → the approval; raises InputError when refused."""


class OverrideModal(FormModal):
    """Ask a manager to approve ``action``; dismissed with the Approval, or None."""

    BINDINGS = [
        Binding("f12", "approve", N_("Approve"), id="approve", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, action: str, what: str, approve: Approve) -> None:
        super().__init__()
        localize_bindings(self)
        self.action = action
        self.what = what
        self.approve = approve

    def compose(self) -> ComposeResult:
        with Vertical(id="override-form", classes="modal-box"):
            yield Label(_("Manager approval"), classes="modal-title")
            yield Label(_(ACTIONS[self.action]), id="override-action")
            if self.what and self.what != _(ACTIONS[self.action]):
                yield Label(self.what, id="override-what")
            for field, label, placeholder, secret in (
                ("manager-id", _("Manager"), _("manager's user id"), False),
                ("manager-pin", _("PIN"), _("manager's PIN"), True),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(placeholder=placeholder, password=secret, id=field)
            yield Label(
                _("Good for this one action only. F12 approves, Esc cancels"), id="form-status"
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#manager-id", OrderedInput).focus()

    async def action_approve(self) -> None:
        """Check the manager's id and PIN; close with the approval if they are right."""
        await self.settle_fields()
        try:
            approval = self.approve(
                self.action, self.value("manager-id"), self.value("manager-pin")
            )
        except InputError as exc:
            self.query_one("#manager-pin", OrderedInput).value = ""
            self.fail(str(exc))
            return
        await self.dismiss(approval)

    async def action_close(self) -> None:
        """Nothing approved; nothing done."""
        await self.dismiss(None)
