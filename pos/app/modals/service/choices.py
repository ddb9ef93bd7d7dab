"""A choice typed into a form field: its number in the list shown, or its key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget

from pos.app.widgets.cjk_text import CjkText
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label, Static
from pos.i18n import _
from printer.layout import text_width

Field = tuple[str, str, str | Mapping[str, str], str]
"""A form field: (id, label, placeholder — or the choices typed as their number —, value)."""


def chosen(text: str, choices: Mapping[str, str]) -> str:
    """The key ``text`` names: ``2`` is the second choice; anything else is taken as a key
    (the register refuses an unknown one)."""
    cleaned = text.strip()
    keys = list(choices)
    if cleaned.isdigit() and 1 <= int(cleaned) <= len(keys):
        return keys[int(cleaned) - 1]
    return cleaned


def form_rows(fields: Iterator[Field] | tuple[Field, ...]) -> Iterator[Widget]:
    """A form's rows: a label and its field each; a field of choices has the choices, whole,
    under it (as a placeholder they were cut at 80 columns: "… 5 死亡 · 6 不")."""
    for field, label, placeholder, value in fields:
        if isinstance(placeholder, str):
            yield Horizontal(
                Label(label, classes="form-label"),
                OrderedInput(value=value, placeholder=placeholder, id=field),
                classes="form-row",
            )
            continue
        typed = _("its number, 1–{last}").format(last=len(placeholder))
        yield Horizontal(
            Label(label, classes="form-label"),
            OrderedInput(value=value, placeholder=typed, id=field),
            classes="form-row -choice",
        )
        yield Static(Choices(placeholder), id=f"{field}-choices", classes="choices")


class Choices:
    """``1 name · 2 name …`` wrapped between the choices, each kept whole on its line (one
    longer than the line is wrapped as Chinese text wraps); a Rich renderable."""

    SEPARATOR = " · "

    def __init__(self, choices: Mapping[str, str]) -> None:
        self.items = [f"{n} {_(name)}" for n, name in enumerate(choices.values(), start=1)]

    def lines(self, width: int) -> list[str]:
        """The lines shown at ``width`` cells."""
        lines: list[str] = []
        for item in self.items:
            if lines and text_width(lines[-1] + self.SEPARATOR + item) <= width:
                lines[-1] += self.SEPARATOR + item
            else:
                lines.extend(CjkText(item).lines(width))
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line, no_wrap=True, end="\n")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __str__(self) -> str:
        return self.SEPARATOR.join(self.items)
