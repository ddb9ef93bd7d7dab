"""What the checkout screen's handlers may do at the counter, and the scan field settled first.

Each handler of the checkout screen (members, safety, receipts, returns, held
sales, shifts, manager keys) is a plain object given the register, this small
:class:`Counter` interface (the screen implements it) and, where a manager may
have to approve, the :class:`~pos.app.checkout.overrides.OverrideGuard`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from textual.message import Message
from textual.screen import Screen, ScreenResultCallbackType
from textual.widget import AwaitMount

from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.scan_input import ScanInput

if TYPE_CHECKING:  # the register's read models: types only (the first paint needs none)
    from pos.register.views import CartView

R = TypeVar("R")
P = ParamSpec("P")
S = TypeVar("S", bound=Screen[Any])


class Counter(Protocol):
    """The checkout screen as its handlers see it."""

    @property
    def message(self) -> MessageBar:
        """The message line."""
        ...

    def refresh_cart(self, cart: CartView) -> None:
        """Show ``cart`` in the table, the totals and the panels."""
        ...

    def selected_index(self) -> int | None:
        """The highlighted cart line."""
        ...

    def announce_added(self, cart: CartView) -> None:
        """Say what the last change added."""
        ...

    async def scanned(self, text: str) -> None:
        """Add a scanned code (held back while a prompt was open)."""
        ...

    def open(
        self, screen: Screen[R], callback: ScreenResultCallbackType[R] | None = None
    ) -> AwaitMount:
        """Show ``screen`` on top (await the result to hold keys back until it is mounted)."""
        ...

    def open_after_refresh(
        self, screen: Screen[R], callback: ScreenResultCallbackType[R] | None = None
    ) -> None:
        """Show ``screen`` once the modal that called this has closed."""
        ...

    def post_message(self, message: Message) -> bool:
        """Post ``message`` (it bubbles up to the app)."""
        ...


def settled(
    action: Callable[Concatenate[S, P], Awaitable[None]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, None]]:
    """The one way an action waits for the scan field: every key typed before it counts first."""

    async def run(screen: S, /, *args: P.args, **kwargs: P.kwargs) -> None:
        await screen.query_one(ScanInput).settle()
        await action(screen, *args, **kwargs)

    functools.update_wrapper(run, action)  # its name, docstring and parameters
    return run
