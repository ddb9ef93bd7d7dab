"""Start-up without garbage collection: importing the register builds many long-lived objects.

Python's collector would walk them over and over while they are created (about a
tenth of a second at start-up); afterwards :func:`gc.freeze` moves them out of its
way, so the collections that happen while selling have less to look at.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_collector() -> Iterator[None]:
    """No garbage collection inside; what was built is frozen (never collected) after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
