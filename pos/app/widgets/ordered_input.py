"""An input field that keeps the cashier's keys in order.

A barcode scanner, or a fast cashier, can have several keys queued before the
first is handled. Textual runs Enter as a binding only after the key bubbles up
to the app, by which time later keys may already be in the field; and a
function key (a priority binding) can run before the characters typed just
ahead of it have landed. This field therefore

- given ``on_submit``, takes Enter (or a line feed, :data:`SUBMIT_KEYS`) itself, in
  key order, handing its text over (and, for the scan field, clearing itself in the
  same step);
- runs its own editing keys (Backspace, Delete, the arrows, Home/End, Ctrl+W,
  ...) inline, in key order. Textual runs them as bindings only after the key
  has bubbled up to the app (Textual issue #6605), so in a burst the
  characters typed after Backspace landed before it ran;
- moves focus on Tab and Shift+Tab through a priority binding that first
  settles the field: the app runs priority bindings before it hands later keys
  on, so the characters before Tab stay in this field and those after it reach
  the next one (a :class:`~pos.app.modals.form.FormModal` does the same with
  its own Tab binding);
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
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingsMap, BindingType
from textual.widgets import Input

SubmitHandler = Callable[[str], Awaitable[None] | None]

SUBMIT_KEYS = frozenset({"enter", "ctrl+j"})
"""Keys that end a code: Enter, and a line feed (Ctrl+J), which a scanner set to end its
codes with LF sends, and which the terminal turns a scanner's Enter into while the
register is still starting (before Textual has put the terminal in raw mode)."""


class OrderedInput(Input):
    """An input whose keys all take effect in key order (see module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "move_focus(1)", show=False, priority=True, id="ordered-next"),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True, id="ordered-previous"),
    ]

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
        if event.key in SUBMIT_KEYS and self._on_submit is not None:
            event.stop()
            event.prevent_default()
            text = self.value
            if self._clear_on_submit:
                self.value = ""
            result = self._on_submit(text)
            if inspect.isawaitable(result):
                await result
            return
        if not event.is_printable and await self._run_own_binding(event):
            return
        await super()._on_key(event)

    def _own_bindings(self) -> BindingsMap:
        """This field's bindings as the app's keymap sets them."""
        keymap = self.app._keymap
        if not keymap:
            return self._bindings
        bindings = self._bindings.copy()
        bindings.apply_keymap(keymap)
        return bindings

    async def _run_own_binding(self, event: events.Key) -> bool:
        """Run the field's own binding for ``event`` now, in key order; False when it has none.

        Priority bindings are left alone: the app has run them before handing the key on.
        """
        for binding in self._own_bindings().key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue
            event.stop()
            event.prevent_default()
            await self.run_action(binding.action)
            return True
        return False

    async def action_move_focus(self, step: int) -> None:
        """Tab / Shift+Tab: move on once every key typed before has landed here."""
        await self.settle()
        if step > 0:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    async def settle(self) -> None:
        """Wait until every key already sent to this field has been handled."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_later(done.set_result, None)
        await done
