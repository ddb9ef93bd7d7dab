"""A guidance or safety prompt: F9 acknowledges; a scan arriving meanwhile is kept, not lost.

A barcode scanner types digits, letters and Enter: none of them may acknowledge
a prompt. What is typed while the prompt is open is held and handed back when
it closes, so the register adds it then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

from pos.i18n import N_, _
from pos.screens.common import localize_bindings
from pos.widgets.plain import Label, Static


@dataclass
class PromptResult:
    """How a prompt closed, and the scans that arrived while it was open."""

    acknowledged: bool
    held_scans: list[str] = field(default_factory=list)


class AcknowledgeModal(ModalScreen[PromptResult]):
    """Show ``text``; F9 acknowledges, Esc goes back to the cart."""

    BINDINGS = [
        Binding("f9", "answer(True)", N_("Acknowledge"), id="acknowledge", priority=True),
        Binding("escape", "answer(False)", N_("Back to cart"), id="back-to-cart", priority=True),
    ]

    def __init__(self, title: str, text: str, warning: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.text = text
        self.warning = warning
        self.typed = ""
        self.held: list[str] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box" + (" warning-box" if self.warning else "")):
            yield Label(self.title_text, classes="modal-title")
            yield Static(self.text, id="prompt-text")
            yield Label(
                _("Tell the customer, then press F9. Esc goes back to the cart."),
                id="prompt-help",
            )
        yield Footer()

    async def on_key(self, event: events.Key) -> None:
        """Hold what a scanner types: Enter ends a code; nothing here acknowledges."""
        if event.key == "enter":
            if self.typed.strip():
                self.held.append(self.typed.strip())
            self.typed = ""
        elif event.character is not None and event.is_printable:
            self.typed += event.character
        else:
            return
        event.stop()
        event.prevent_default()

    async def action_answer(self, acknowledged: bool) -> None:
        """Close with the answer and the held scans."""
        if self.typed.strip():
            self.held.append(self.typed.strip())
        await self.dismiss(PromptResult(acknowledged, self.held))
