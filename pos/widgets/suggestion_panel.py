"""Add-on suggestions for the cart: up to three, each with its key and what to say."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from pos.domain.suggestions.suggestions import Suggestion
from pos.i18n import _
from pos.money import format_fen
from pos.widgets.plain import Static


class SuggestionPanel(Static):
    """Shift+F1 … Shift+F3 (or Alt+1 … Alt+3) add a suggestion; the reason is a sentence to say."""

    DEFAULT_CSS = """
    SuggestionPanel {
        height: auto;
        max-height: 5;
        border: round $accent 60%;
        padding: 0 1;
        display: none;
    }
    """

    def show(self, suggestions: Sequence[Suggestion]) -> None:
        """Show ``suggestions``, or hide when there are none."""
        self.display = bool(suggestions)
        self.border_title = _("Suggest: Shift+F1…F3 adds")
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, suggestion in enumerate(suggestions, start=1):
            if number > 1:
                text.append("\n")
            text.append(f"⇧F{number}", style="bold reverse")
            text.append(f" {suggestion.name} ", style="bold")
            text.append(f"¥{format_fen(suggestion.price_fen)}  ")
            text.append(suggestion.reason, style="italic")
        self.update(text)
