"""A yes/no question confirmed with a function key, never Enter (a scanner types Enter)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import Label
from pos.i18n import N_, _


class ConfirmModal(ModalScreen[bool]):
    """Press ``key`` again to run ``on_confirm``; Esc to cancel."""

    BINDINGS = [Binding("escape", "answer(False)", N_("Cancel"), id="cancel", priority=True)]

    def __init__(
        self, question: str, key: str, on_confirm: Callable[[], None], hint: str | None = None
    ) -> None:
        """``hint`` replaces "Press KEY again to confirm, Esc to cancel"."""
        super().__init__()
        self._bindings.bind(
            key, "answer(True)", N_("Confirm"), key_display=key.upper(), priority=True
        )
        localize_bindings(self)
        self.question = question
        self.key = key
        self.on_confirm = on_confirm
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Label(self.question, classes="modal-title")
            yield Label(
                self.hint
                or _("Press {key} again to confirm, Esc to cancel").format(key=self.key.upper())
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    async def action_answer(self, yes: bool) -> None:
        """Close with the answer, acting on a yes first."""
        if yes:
            self.on_confirm()
        await self.dismiss(yes)
