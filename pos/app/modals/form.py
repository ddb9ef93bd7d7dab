"""A modal form the keyboard can drive at scanner speed.

Enter and Tab move to the next field, Shift+Tab back; they are priority
bindings that settle the field first, so keys typed after them land in the
next field however fast they come. Enter never saves (a scanner types Enter):
the form's own key does (F12). A scan while the form is open never reaches its
fields: it is held and added to the cart when the form closes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_


class FormModal(ModalScreen[Any]):
    """Base of the register's forms: field navigation, a status line, settling."""

    HOLDS_SCANS: ClassVar[bool] = True
    """A scanner burst while the form is open is held for the cart (pos.app.widgets.scan_hold)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_field", N_("Next"), id="next-field", show=False, priority=True),
        Binding("tab", "next_field", N_("Next"), id="next-field-tab", show=False, priority=True),
        Binding(
            "shift+tab",
            "next_field(-1)",
            N_("Previous"),
            id="previous-field",
            show=False,
            priority=True,
        ),
    ]

    async def action_next_field(self, step: int = 1) -> None:
        """Move to the next (or previous) field once the current one has every key."""
        if isinstance(self.focused, OrderedInput):
            await self.focused.settle()
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A field of choices scrolls its choices (under it) into view with it."""
        if event.widget.id:
            for choices in self.query(f"#{event.widget.id}-choices"):
                # after the screen's own scroll to the field (which may center it)
                self.call_after_refresh(choices.scroll_visible, animate=False)

    async def settle_fields(self) -> None:
        """Wait until every field has every key typed so far."""
        for field in self.query(OrderedInput):
            await field.settle()

    def value(self, field_id: str) -> str:
        """The text of the field ``#field_id``."""
        return self.query_one(f"#{field_id}", OrderedInput).value

    def fail(self, error: str) -> None:
        """Say why the form cannot be saved."""
        self.query_one("#form-status", Label).update(error)
        self.app.bell()
