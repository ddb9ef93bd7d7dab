"""F1: every key of the screen that is open (a modal's too), grouped, and the app's own."""

from __future__ import annotations

import re
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _

FUNCTION_KEY = re.compile(r"f\d+")

MODIFIERS = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt"}
KEY_NAMES = {
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "home": "Home",
    "end": "End",
    "space": "Space",
    "delete": "Del",
    "backspace": "Backspace",
}
"""Keys as the keyboard's keycaps name them (README's keys table writes them so too)."""

ALIASES = {
    "f13",
    "f14",
    "f15",
    "inverted_exclamation_mark",
    "trade_mark_sign",
    "pound_sign",
    "cent_sign",
    "infinity",
}
"""Shift+F1…F3 as some terminals send them, and Alt+1…5 as plain terminals send them
(¡ ™ £ ¢ ∞): listed under Shift+F1…F3 and Alt+1…5."""

GROUPS = (
    N_("Function keys"),
    N_("Ctrl keys"),
    N_("Moving and answering"),
    N_("Anywhere"),
)
"""The headings of the keys table, in order."""


def key_label(key: str) -> str:
    """``ctrl+k`` → ``Ctrl+K``, ``shift+f1`` → ``Shift+F1``, ``pageup`` → ``PgUp``."""
    *modifiers, name = key.split("+")
    if FUNCTION_KEY.fullmatch(name) or len(name) == 1:
        shown = name.upper()
    else:
        shown = KEY_NAMES.get(name, name.replace("_", " ").capitalize())
    return "+".join([*(MODIFIERS.get(m, m.capitalize()) for m in modifiers), shown])


def _own(binding: Binding) -> bool:
    """The register's keys have an id; Textual's own (focus, copy) do not, Quit excepted."""
    return binding.id is not None or binding.action == "quit"


def _group(key: str, app_key: bool) -> str:
    if app_key:
        return GROUPS[3]
    first = key.split(",")[0]
    if (
        first.startswith(("f", "shift+f"))
        and first.removeprefix("shift+").removeprefix("f").isdigit()
    ):
        return GROUPS[0]
    if first.startswith("ctrl+"):
        return GROUPS[1]
    return GROUPS[2]


def key_groups(screen: Screen[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys, what they do)]) for every binding of ``screen`` and of the app.

    Keys bound to the same action are listed together ("Shift+F1 / Alt+1"), under the
    heading of the first. Only the register's keys: not Textual's own (copy, focus).
    """
    rows: dict[tuple[str, str], list[str]] = {}
    groups: dict[tuple[str, str], str] = {}
    seen: set[str] = set()
    for node in (screen, screen.app):
        for key, binding in node._bindings:
            if key in seen or key in ALIASES or not binding.description:
                continue
            if key.startswith("super+") or not _own(binding):
                continue
            seen.add(key)
            display = binding.key_display or key_label(key)
            entry = (binding.action, binding.description)
            groups.setdefault(entry, _group(key, node is screen.app))
            rows.setdefault(entry, []).append(display)
    if screen.__class__.__name__ == "CheckoutScreen":
        entry = ("enter", _("Add the scanned or typed code (N*CODE adds N)"))
        rows[entry], groups[entry] = ["Enter"], GROUPS[2]
    result = []
    for heading in GROUPS:
        entries = [
            (" / ".join(keys), description)
            for (action, description), keys in rows.items()
            if groups[(action, description)] == heading
        ]
        if entries:
            result.append((_(heading), entries))
    return result


def key_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """Every (keys, what they do) of ``screen`` and of the app, group after group."""
    return [row for _heading, rows in key_groups(screen) for row in rows]


class HelpModal(ModalScreen[None]):
    """The keys table of the screen underneath."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close", priority=True),
        Binding("f1", "close", N_("Close"), id="close-f1", show=False, priority=True),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        localize_bindings(self)
        self.groups = key_groups(screen)

    def compose(self) -> ComposeResult:
        # Two keys a row, so that every key fits on a 40-line screen.
        table = Table(show_header=False, expand=True, box=None)
        for _column in range(2):
            table.add_column(style="bold", no_wrap=True)
            table.add_column(ratio=1)
        for heading, rows in self.groups:
            table.add_row(Text(heading, style="bold underline"), "", "", "")
            half = (len(rows) + 1) // 2
            for left, right in zip(rows[:half], [*rows[half:], ("", "")], strict=False):
                table.add_row(Text(left[0]), Text(left[1]), Text(right[0]), Text(right[1]))
        with VerticalScroll(classes="modal-box", id="help-box"):
            yield Label(_("Keys"), classes="modal-title")
            yield Static(table, id="keys-table")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def action_close(self) -> None:
        """Back to the screen underneath."""
        self.dismiss(None)
