"""Text wrapped on screen as Chinese typesetting wraps it (避头尾).

Textual breaks Chinese text between any two characters, so a line on screen
can begin with ，、。） or end with （《. Receipts follow the rule already
(:func:`printer.layout.wrap`); :class:`CjkText` is a Rich renderable that wraps
its text with that same function at whatever width it is given, so a screen
shows guidance and warnings broken the way the receipt breaks them.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from printer.layout import text_width, wrap


class CjkText:
    """``text`` wrapped without a closing mark at a line's start (a Rich renderable)."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def lines(self, width: int) -> list[str]:
        """The lines shown at ``width`` columns."""
        return wrap(self.text, max(width, 2))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line, style=self.style, no_wrap=True, end="\n")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((text_width(line) for line in self.text.split("\n")), default=0)
        return Measurement(min(2, widest), min(widest, options.max_width))

    def __str__(self) -> str:
        return self.text


def cut(text: str, width: int) -> str:
    """``text`` within ``width`` screen cells: whole if it fits, else cut with "…" after the
    last whole character that fits (a Chinese character takes two cells and is never
    halved), without a space before the "…"."""
    if cell_len(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += get_character_cell_size(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"
