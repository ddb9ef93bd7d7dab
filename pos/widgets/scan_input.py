"""The scan field: a barcode scanner types a code and Enter in a burst."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import Input


class ScanInput(Input):
    """An input that hands over its text and clears itself in the same step as Enter.

    A scanner's burst puts every key in the field's queue before the first is
    handled. Textual would run Enter as a binding only after the key bubbles
    up to the app, by which time the next code's digits have been typed into
    the field. So Enter is taken here, in key order, together with clearing
    the field: each code is handed over whole, and nothing is lost or merged.
    """

    @dataclass
    class Scanned(Message):
        """Text entered in the scan field."""

        scan_input: ScanInput
        text: str

        @property
        def control(self) -> ScanInput:
            """The scan field that was submitted."""
            return self.scan_input

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        text = self.value
        self.value = ""
        self.post_message(self.Scanned(self, text))
