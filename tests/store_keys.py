"""The store key the ``pos`` commands sign audit events with in tests (one per test run)."""

from __future__ import annotations

import os
from pathlib import Path

from pos.store.store_key import ensure_key


def store_key() -> bytes:
    """The key at ``POS_REGISTER__KEY_FILE`` (tests/conftest.py sets it), created if need be."""
    return ensure_key(Path(os.environ["POS_REGISTER__KEY_FILE"]))
