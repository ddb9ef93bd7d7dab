"""The store's secret key: kept outside the database, so a copied database or backup
cannot be cracked offline, and the audit chain cannot be recomputed without it.

The key is 32 random bytes in a file of its own (mode 0600, in a 0700 folder),
created once when the store is set up (``pos init`` or the first start).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


class StoreKeyError(Exception):
    """The key file exists but cannot be used."""


def _check(path: Path, data: bytes) -> bytes:
    if len(data) != KEY_BYTES:
        raise StoreKeyError(f"{path}: not a store key ({len(data)} bytes, expected {KEY_BYTES})")
    return data


def read_key(path: Path) -> bytes | None:
    """The key in ``path``, or None when there is no such file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return _check(path, data)


def ensure_key(path: Path) -> bytes:
    """The key in ``path``, created (0600, never overwritten) when there is none."""
    found = read_key(path)
    if found is not None:
        return found
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _check(path, path.read_bytes())
    os.fchmod(fd, 0o600)  # whatever the umask
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key
