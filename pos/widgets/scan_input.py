"""The scan field: a barcode scanner types a code and Enter in a burst."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Input


class ScanInput(Input):
    """An input that hands over its text and clears itself in the same step as Enter.

    Clearing on Enter (not later, in the screen's handler) is what keeps a
    scanner burst intact: keys of the next code that are already queued land
    in an empty field instead of being wiped with the previous code.
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

    async def action_submit(self) -> None:
        text = self.value
        self.value = ""
        self.post_message(self.Scanned(self, text))
