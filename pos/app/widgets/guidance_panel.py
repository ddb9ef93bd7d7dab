"""Medication guidance for the highlighted line, where the cashier can read it out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive

from pos.app.widgets.plain import Static
from pos.i18n import _, current

if TYPE_CHECKING:  # the register's read models: types only (the first paint needs none)
    from pos.register.views import CartLineView


class GuidancePanel(VerticalScroll, can_focus=False):
    """Usage, dose, precautions and advice of one drug line; never takes the focus.

    The whole text wraps and scrolls (PageUp/PageDown) when it is longer than the panel;
    ``compact`` (a short screen) shows one line that Ctrl+N expands.
    """

    DEFAULT_CSS = """
    GuidancePanel {
        height: auto;
        max-height: 10;
        border: round $warning;
        padding: 0 1;
        display: none;
        scrollbar-size-vertical: 1;
    }
    GuidancePanel > Static { height: auto; }
    GuidancePanel.-given { border: round $success; }
    GuidancePanel.-compact {
        border: none;
        height: 1;
        background: $warning 20%;
        overflow-y: hidden;
    }
    GuidancePanel.-compact.-given { background: $success 15%; }
    """

    compact = reactive(False)
    """One line (the name and what to do), the text on Ctrl+N."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.line: CartLineView | None = None
        self.body = Static()
        self.painted: tuple[object, ...] | None = None
        """What the panel shows now: name, guidance, whether said, compact, language."""

    def compose(self) -> ComposeResult:
        yield self.body

    def render_str(self, text_content: str | Content) -> Content:
        """Border titles (product names) are text, never markup (as in pos.app.widgets.plain)."""
        return text_content if isinstance(text_content, Content) else Content(text_content)

    def show(self, line: CartLineView | None) -> None:
        """Show ``line``'s guidance, or hide when it has none (no repaint when that is shown:
        a scan of a product without guidance after another leaves the panel alone)."""
        self.line = line if line is not None and line.guidance is not None else None
        self._paint()

    def watch_compact(self) -> None:
        self._paint()

    def _title(self, line: CartLineView) -> str:
        if line.guidance_given:
            return _("Guidance: {name} ✓ said").format(name=line.name)
        return _("Guidance: {name}, tell the customer, then F9").format(name=line.name)

    def _paint(self) -> None:
        line = self.line
        now = None
        if line is not None:
            now = (line.name, line.guidance, line.guidance_given, self.compact, current())
        shown, self.painted = self.painted, now
        if shown == self.painted and shown is not None:
            return
        self.display = line is not None
        if line is None or line.guidance is None:
            return
        self.set_class(line.guidance_given, "-given")
        self.set_class(self.compact, "-compact")
        if self.compact:
            self.border_title = ""
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append("⚕ " + self._title(line), style="bold")
            text.append("  " + _("Ctrl+N shows it"), style="italic")
            self.body.update(text)
            return
        self.border_title = self._title(line)
        guidance = line.guidance
        text = Text()
        for label, value, style in (
            (_("Usage"), guidance.usage, "bold"),
            (_("Dose"), guidance.dosage, "bold"),
            (_("Precautions"), guidance.precautions, "yellow"),
            (_("Advice"), guidance.advice, "green"),
        ):
            if value:
                if text:
                    text.append("\n")
                text.append(f"{label}: ", style=style)
                text.append(value)
        self.body.update(text)
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """The text shown (all of it, scrolled or not)."""
        return str(self.body.render())
