"""A yes/no question confirmed with a function key, never Enter (a scanner types Enter)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from pos.i18n import N_, _
from pos.screens.common import localize_bindings


class ConfirmModal(ModalScreen[bool]):
    """Press ``key`` again to confirm; Esc to cancel."""

    BINDINGS = [Binding("escape", "answer(False)", N_("Cancel"), id="cancel")]

    def __init__(self, question: str, key: str) -> None:
        super().__init__()
        self._bindings.bind(key, "answer(True)", N_("Confirm"), key_display=key.upper())
        localize_bindings(self)
        self.question = question
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Label(self.question, classes="modal-title")
            yield Label(
                _("Press {key} again to confirm, Esc to cancel").format(key=self.key.upper())
            )
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
