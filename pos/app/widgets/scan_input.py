"""The scan field: a barcode scanner types a code and Enter in a burst."""

from __future__ import annotations

from typing import Any

from pos.app.widgets.ordered_input import OrderedInput, SubmitHandler


class ScanInput(OrderedInput):
    """Hands each code over whole, in order, and clears itself on Enter."""

    def __init__(self, on_scan: SubmitHandler, **kwargs: Any) -> None:
        super().__init__(on_scan, clear_on_submit=True, **kwargs)
