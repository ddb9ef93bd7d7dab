"""Scans that arrive while a form is open: held, then added to the cart when it closes.

A barcode scanner is a keyboard that types a code and Enter in a burst. While a
modal that takes typed input is open (an approval, a quantity, the login or
lock screen, the member lookup, a form, the payment...), such a burst must not
land in its fields: the id and PIN of an approval, say. The app hands every key
to one :class:`ScanHolder` first. It tells a scanner from a person by the time
between keys: when digits arrive faster than :data:`SCANNER_KEY_GAP` apart and
end with an equally fast Enter, they were a scan. The holder then takes the
digits back out of the field they reached, swallows the Enter and keeps the
code; the checkout screen adds the held codes once it is on top again.

A modal opts in with ``HOLDS_SCANS = True`` (every :class:`~pos.app.modals.form.FormModal`
does). The guidance prompt (:mod:`pos.app.modals.pharmacy.acknowledge`) has no fields and
holds everything typed itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from pos.app.widgets.ordered_input import SUBMIT_KEYS

SCANNER_KEY_GAP = 0.015
"""Seconds between two keys of a scanner burst, at most.

A barcode scanner types a key every 1 to 10 ms and ends the code with Enter; a
person, even a fast one, takes 30 ms or more from key to key (usually 100+).
15 ms lies between the two, with room on both sides for a busy machine.
"""
MIN_SCAN_DIGITS = 8
"""The shortest code a scanner types: EAN-8. Shorter fast runs (a PIN, an amount) are typing."""


class ScanHeld(Message):
    """Posted to the modal on top when a scan typed into it was held for the cart."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


def holds_scans(screen: Screen[Any]) -> bool:
    """True for a modal that takes typed input and holds scans meanwhile."""
    return bool(getattr(screen, "HOLDS_SCANS", False))


async def _settled(widget: Widget) -> None:
    """Wait until every key already sent to ``widget`` has been handled."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    widget.call_later(done.set_result, None)
    await done


class ScanHolder:
    """Tells scanner bursts from typing in typed-input modals and keeps the scans."""

    def __init__(self, gap: float = SCANNER_KEY_GAP, min_digits: int = MIN_SCAN_DIGITS) -> None:
        self.gap = gap
        self.min_digits = min_digits
        self.held: list[str] = []
        self._run = ""
        """The digits typed so far at scanner speed."""
        self._last: float | None = None
        """When the previous key was pressed (the key event's time)."""

    async def intercept(self, event: events.Key, screen: Screen[Any]) -> bool:
        """Look at every key first; True when it ended a scan (held; not passed on)."""
        fast = self._last is not None and event.time - self._last <= self.gap
        self._last = event.time
        if not holds_scans(screen):
            self._run = ""
            return False
        if event.key in SUBMIT_KEYS:
            code, self._run = self._run, ""
            if not (fast and len(code) >= self.min_digits):
                return False
            await self._take_back(screen.focused, code)
            self.held.append(code)
            screen.post_message(ScanHeld(code))
            return True
        character = event.character
        if character is not None and character.isdigit() and character.isascii():
            self._run = (self._run if fast else "") + character
        else:
            self._run = ""
        return False

    async def _take_back(self, field: Widget | None, code: str) -> None:
        """Remove the scan's digits from the field they were typed into."""
        if not isinstance(field, Input):
            return
        await _settled(field)
        if field.value.endswith(code):
            field.value = field.value[: -len(code)]

    def next(self) -> str | None:
        """The oldest held scan, handed over (None when none is held)."""
        return self.held.pop(0) if self.held else None
