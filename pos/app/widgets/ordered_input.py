"""An input field that keeps the cashier's keys in order.

A barcode scanner, or a fast cashier, can have several keys queued before the
first is handled. Textual runs Enter as a binding only after the key bubbles up
to the app, by which time later keys may already be in the field; and a
function key (a priority binding) can run before the characters typed just
ahead of it have landed. This field therefore

- given ``on_submit``, takes Enter itself, in key order, handing its text over
  (and, for the scan field, clearing itself in the same step);
- offers :meth:`settle`, which a function-key action awaits so that every key
  typed before the function key is in the field when the action reads it.

Modals bind Enter as a priority binding instead, and await :meth:`settle`: the
app then holds later keys back until the modal has closed, so they reach the
checkout screen rather than a closing modal.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.widgets import Input

SubmitHandler = Callable[[str], Awaitable[None] | None]


class OrderedInput(Input):
    """An input whose Enter is handled in key order (see module docstring)."""

    def __init__(
        self,
        on_submit: SubmitHandler | None = None,
        *,
        clear_on_submit: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._on_submit = on_submit
        self._clear_on_submit = clear_on_submit

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self._on_submit is not None:
            event.stop()
            event.prevent_default()
            text = self.value
            if self._clear_on_submit:
                self.value = ""
            result = self._on_submit(text)
            if inspect.isawaitable(result):
                await result
            return
        await super()._on_key(event)

    async def settle(self) -> None:
        """Wait until every key already sent to this field has been handled."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_later(done.set_result, None)
        await done
