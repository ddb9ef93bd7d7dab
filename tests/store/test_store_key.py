"""The store's secret key file: created once, private, never overwritten."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pos.store.store_key import KEY_BYTES, StoreKeyError, ensure_key, read_key


def test_a_key_is_created_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "store.key"
    assert read_key(path) is None
    key = ensure_key(path)
    assert len(key) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert ensure_key(path) == key
    assert read_key(path) == key


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "store.key"
    path.write_bytes(b"short")
    with pytest.raises(StoreKeyError, match="not a store key"):
        ensure_key(path)
    assert path.read_bytes() == b"short"
