"""Money is an integer number of fen inside; these are the only conversions."""

from __future__ import annotations

import re

_YUAN = re.compile(r"^(?P<yuan>[0-9]{1,9})(?:\.(?P<fen>[0-9]{1,2}))?$")


class MoneyError(ValueError):
    """A text that is not an amount of money."""


def parse_yuan(text: str) -> int:
    """Parse a non-negative yuan amount with up to two decimals into fen.

    >>> parse_yuan("12.5")
    1250
    """
    cleaned = text.strip().lstrip("¥￥").strip()
    match = _YUAN.match(cleaned)
    if match is None:
        raise MoneyError(text)
    fen = (match["fen"] or "").ljust(2, "0")
    return int(match["yuan"]) * 100 + int(fen)


def format_fen(fen: int, *, sign: str = "") -> str:
    """Format fen as yuan with two decimals, e.g. ``-1250`` → ``-12.50``."""
    minus = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{minus}{sign}{yuan}.{rest:02d}"
