"""What every part of the checkout screen (its ``checkout_*`` mixins) shares."""

from __future__ import annotations

from textual.screen import Screen

from pos.app.widgets.message_bar import MessageBar
from pos.register.service import RegisterService


class CheckoutPart(Screen[None]):
    """A part of the checkout screen: the register it serves and its message line."""

    register: RegisterService
    last_return: str | None = None
    """The return whose receipt was printed last (F7 shows it), if after the last sale."""

    @property
    def message(self) -> MessageBar:
        """The message line."""
        return self.query_one(MessageBar)
