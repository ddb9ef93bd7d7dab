"""Add-on suggestions for the cart: up to three, each with its key and what to say."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.reactive import reactive

from pos.app.widgets.cjk_text import cut
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
        if self.compact:
            self.border_title = ""
            self.update(SuggestionLine(suggestions))
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        self.border_title = _("Suggest: Shift+F1…F3 adds")
        for number, suggestion in enumerate(suggestions, start=1):
            if number > 1:
                text.append("\n")
            text.append(f"⇧F{number}", style="bold reverse")
            text.append(f" {suggestion.name} ", style="bold")
            text.append(f"¥{format_fen(suggestion.price_fen)}  ")
            text.append(suggestion.reason, style="italic")
        self.update(text)


class SuggestionLine:
    """The suggestions on one line, fitted to the width it is given (a Rich renderable).

    Every suggestion shown has its key, a name and its whole price: when the line is too
    narrow, the hint goes first, then the longest names are cut (with "…", by screen cells,
    so a Chinese name is never cut through a character), and only when even short names do
    not fit are the last suggestions left out. A key is never shown without its product.
    """

    SHORTEST_NAME = 5
    """The fewest cells a cut name keeps (two Chinese characters and "…")."""

    def __init__(self, suggestions: Sequence[Suggestion]) -> None:
        self.suggestions = list(suggestions)

    def text(self, width: int) -> Text:
        """The line at ``width`` cells."""
        label, hint = _("Suggest:") + " ", _("Ctrl+N shows why")
        for shown in range(len(self.suggestions), 0, -1):
            fixed = cell_len(label) + sum(
                cell_len(self._item("", number, suggestion))
                for number, suggestion in enumerate(self.suggestions[:shown], start=1)
            )
            room = width - fixed
            wanted = [cell_len(suggestion.name) for suggestion in self.suggestions[:shown]]
            if sum(wanted) + cell_len(hint) <= room:
                return self._line(label, shown, wanted, hint)
            fitted = _fit(wanted, room)
            if fitted is not None:
                return self._line(label, shown, fitted, "")
        return self._line(label, 0, [], "")

    @staticmethod
    def _item(name: str, number: int, suggestion: Suggestion) -> str:
        return f"⇧F{number} {name} ¥{format_fen(suggestion.price_fen)}  "

    def _line(self, label: str, shown: int, widths: list[int], hint: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(label, style="bold")
        for number, (suggestion, width) in enumerate(
            zip(self.suggestions[:shown], widths, strict=True), start=1
        ):
            text.append(f"⇧F{number}", style="bold reverse")
            text.append(f" {cut(suggestion.name, width)} ¥{format_fen(suggestion.price_fen)}  ")
        text.append(hint, style="italic")
        text.rstrip()
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __str__(self) -> str:
        return self.text(10_000).plain


def _fit(wanted: list[int], room: int) -> list[int] | None:
    """Name widths within ``room`` cells in all, the longest cut first (none below
    :attr:`SuggestionLine.SHORTEST_NAME` unless it was shorter already), or ``None``."""
    floor = SuggestionLine.SHORTEST_NAME
    if sum(min(width, floor) for width in wanted) > room:
        return None
    widths = list(wanted)
    while sum(widths) > room:
        longest = max(range(len(widths)), key=lambda index: widths[index])
        widths[longest] -= 1
    return widths
