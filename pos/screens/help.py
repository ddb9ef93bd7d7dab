"""F1: every key of the screen underneath, and the app's own."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from pos.i18n import N_, _
from pos.screens.common import localize_bindings
from pos.widgets.plain import Label, Static

ALIASES = {"f13", "f14", "f15"}
"""Shift+F1…F3 as some terminals send them: listed under Shift+F1…F3."""


def key_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding of ``screen`` and of the app.

    Keys bound to the same action are listed together ("shift+f1 / alt+1").
    """
    rows: dict[tuple[str, str], list[str]] = {}
    seen: set[str] = set()
    for node in (screen, screen.app):
        for key, binding in node._bindings:
            if key in seen or key in ALIASES or not binding.description:
                continue
            if key.startswith("super+"):
                continue
            seen.add(key)
            display = binding.key_display or screen.app.get_key_display(binding)
            rows.setdefault((binding.action, binding.description), []).append(display)
    result = [(" / ".join(keys), description) for (_action, description), keys in rows.items()]
    result.append(("Enter", _("Add the scanned or typed code (N*CODE adds N)")))
    return result


class HelpModal(ModalScreen[None]):
    """The keys table."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close", priority=True),
        Binding("f1", "close", N_("Close"), id="close-f1", show=False, priority=True),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        localize_bindings(self)
        self.rows = key_rows(screen)

    def compose(self) -> ComposeResult:
        # Two keys a row, so that every key fits on a 40-line screen.
        table = Table(show_header=True, expand=True, box=None)
        for _column in range(2):
            table.add_column(_("Key"), style="bold", no_wrap=True)
            table.add_column(_("Action"), ratio=1)
        half = (len(self.rows) + 1) // 2
        for left, right in zip(self.rows[:half], [*self.rows[half:], ("", "")], strict=False):
            table.add_row(*left, *right)
        with VerticalScroll(classes="modal-box"):
            yield Label(_("Keys"), classes="modal-title")
            yield Static(table, id="keys-table")
        yield Footer()

    def action_close(self) -> None:
        """Back to the register."""
        self.dismiss(None)
