"""Add-on suggestions for the cart: up to three, each with its key and what to say."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive

from pos.app.widgets.plain import Static
from pos.i18n import _, current
from pos.register.api import format_fen

if TYPE_CHECKING:  # the register is imported once ready (pos.app.boot)
    from pos.register.api import Suggestion


class SuggestionPanel(Static):
    """Shift+F1 … Shift+F3 (or Alt+1 … Alt+3) add a suggestion; the reason is a sentence to say.

    ``compact`` (a short screen) shows the suggestions on one line, their reasons on Ctrl+N.
    """

    DEFAULT_CSS = """
    SuggestionPanel {
        height: auto;
        max-height: 5;
        border: round $accent 60%;
        padding: 0 1;
        display: none;
    }
    SuggestionPanel.-compact { border: none; height: 1; background: $accent 15%; }
    """

    compact = reactive(False)
    """One line of names and keys."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.suggestions: list[Suggestion] = []
        self.painted: tuple[tuple[Suggestion, ...], bool, str] | None = None
        """The suggestions, the compactness and the language shown now."""

    def show(self, suggestions: Sequence[Suggestion]) -> None:
        """Show ``suggestions``, or hide when there are none (no repaint when those are shown)."""
        self.suggestions = list(suggestions)
        self._paint()

    def watch_compact(self) -> None:
        self._paint()

    def _paint(self) -> None:
        suggestions = self.suggestions
        shown, self.painted = self.painted, (tuple(suggestions), self.compact, current())
        if shown == self.painted:
            return
        self.display = bool(suggestions)
        self.set_class(self.compact, "-compact")
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.compact:
            self.border_title = ""
            text.append(_("Suggest:") + " ", style="bold")
            for number, suggestion in enumerate(suggestions, start=1):
                text.append(f"⇧F{number}", style="bold reverse")
                text.append(f" {suggestion.name} ¥{format_fen(suggestion.price_fen)}  ")
            text.append(_("Ctrl+N shows why"), style="italic")
            self.update(text)
            return
        self.border_title = _("Suggest: Shift+F1…F3 adds")
        for number, suggestion in enumerate(suggestions, start=1):
            if number > 1:
                text.append("\n")
            text.append(f"⇧F{number}", style="bold reverse")
            text.append(f" {suggestion.name} ", style="bold")
            text.append(f"¥{format_fen(suggestion.price_fen)}  ")
            text.append(suggestion.reason, style="italic")
        self.update(text)
