"""Keys in at most two lines, every entry whole: the checkout's function keys on screens
too narrow for its footer, and every modal's footer."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.screen import Screen

from pos.app.widgets.plain import Static


class KeyBar(Static):
    """``F1 Keys  F2 Member …``: every entry whole, wrapped between entries."""

    DEFAULT_CSS = """
    KeyBar { height: auto; max-height: 2; padding: 0 0; background: $footer-background; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[tuple[str, str]] = []

    def show(self, entries: Sequence[tuple[str, str]]) -> None:
        """Show ``entries`` as (key, what it does)."""
        self.entries = list(entries)
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        width = self.size.width or 80
        text = Text(no_wrap=True, overflow="crop")
        used = 0
        for key, description in self.entries:
            entry = Text.assemble((key, "bold reverse"), " " + description)
            size = entry.cell_len
            if used and used + 1 + size > width:
                text.append("\n")
                used = 0
            elif used:
                text.append(" ")
                used += 1
            text.append_text(entry)
            used += size
        self.update(text)

    @property
    def text(self) -> str:
        """The keys shown."""
        return str(self.render())


class ScreenKeys(KeyBar):
    """A modal's footer: the keys its screen's bindings show, every entry whole, wrapped
    between entries onto a second line when one is not enough (Textual's footer cuts the
    last keys off: at 80 columns in English the payment form ended in a bare "Esc")."""

    DEFAULT_CSS = """
    ScreenKeys { dock: bottom; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Show the keys of ``screen`` (when they changed)."""
        entries = [
            (self.app.get_key_display(binding), binding.description)
            for (_node, binding, _enabled, _tooltip) in screen.active_bindings.values()
            if binding.show
        ]
        if entries != self.entries:
            self.show(entries)
