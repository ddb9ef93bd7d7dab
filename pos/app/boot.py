"""How the app receives its register: the one step between the first paint and selling.

``pos`` paints the first screen having imported only Textual and the screen's widgets;
the register (open the store, migrate, build the service) is built in a worker thread
right after, by :func:`pos.register.startup.boot_register`. Tests and ``build_app`` hand
over a register built already: the app takes it through the same step, at once.
This module imports nothing of the register at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from pos.register.startup import Started


class RegisterStart:
    """The register of the app: ``built`` already, or to be built by ``build`` (in a
    worker thread, after the first paint)."""

    def __init__(
        self, build: Callable[[], Started] | None = None, built: Started | None = None
    ) -> None:
        if (build is None) == (built is None):
            raise ValueError("a register start needs either build or built")
        self.build = build
        self.built = built

    def load(self) -> Started:
        """The register (built now if it was not yet): run in a worker thread."""
        if self.built is not None:
            return self.built
        assert self.build is not None
        return self.build()


class RegisterFailed(Message):
    """The store could not be opened: ``text`` says why, as ``pos`` prints it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RegisterLoaded(Message):
    """The worker built the register."""

    def __init__(self, started: Started) -> None:
        super().__init__()
        self.started = started


def needs_register(key: str, bound: bool) -> bool:
    """Whether ``key`` (a key bound on the screen when ``bound``) needs the register:
    function keys and Ctrl/Alt combinations do; typing into the scan field does not."""
    if not bound:
        return False
    return key not in FREE_KEYS


FREE_KEYS = frozenset({"f1", "ctrl+n", "pagedown", "pageup", "escape", "tab", "shift+tab"})
"""Bound keys that work before the register is ready (the key list, the panels' layout,
clearing the scan field, moving between fields): they read nothing from the store."""
