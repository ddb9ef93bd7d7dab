"""Money is an integer number of fen inside; these are the only conversions."""

from __future__ import annotations

import re

from pos.enums import CashRounding

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


_STEP_FEN = {CashRounding.NONE: 1, CashRounding.JIAO: 10}


def round_cash(fen: int, rule: CashRounding) -> int:
    """The cash the drawer takes or pays for ``fen`` due: the one rounding rule of the register.

    ``jiao`` rounds to the nearest 10 fen, half up (5 fen and more rounds up), so the
    rounding (due minus paid) is always between -5 and +4 fen. Sales and refunds use it
    alike; card, WeChat Pay, Alipay, insurance and points are never rounded.

    >>> round_cash(1234, CashRounding.JIAO), round_cash(1235, CashRounding.JIAO)
    (1230, 1240)
    """
    step = _STEP_FEN[rule]
    return (fen + step // 2) // step * step
