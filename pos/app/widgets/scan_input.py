"""The scan field: a barcode scanner types a code and Enter in a burst."""

from __future__ import annotations

from typing import Any

from pos.app.widgets.ordered_input import OrderedInput, SubmitHandler

ALT_DIGITS = frozenset("¡™£¢∞")
"""Alt+1..5 as Textual reads them without the kitty keyboard protocol (ESC 1..5), and as
macOS's Option+1..5 type them: never part of a code, so left to the screen's keys."""


class ScanInput(OrderedInput):
    """Hands each code over whole, in order, and clears itself on Enter."""

    def __init__(self, on_scan: SubmitHandler, **kwargs: Any) -> None:
        super().__init__(on_scan, clear_on_submit=True, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Printable keys are the field's, but for :data:`ALT_DIGITS` (the screen's)."""
        return character not in ALT_DIGITS and super().check_consume_key(key, character)
