"""Pinyin keys for searching Chinese product names.

The keys are computed when products are imported and stored with them, so the
register's start never imports pypinyin (its phrase dictionary takes 0.2 s).
"""

from __future__ import annotations


def _clean(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


_NOT_HAN = "\x00"
"""Marks a run of characters that are not Chinese (kept whole, not cut to a first letter)."""


def keys(name: str) -> tuple[str, str]:
    """Both keys in one pass over ``name``: :func:`initials` and :func:`full`.

    The phrase segmentation (most of the cost) is done once for both.
    """
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(name, style=Style.NORMAL, errors=lambda run: _NOT_HAN + run)
    first = "".join(part[1:] if part[:1] == _NOT_HAN else part[:1] for part in parts)
    whole = "".join(part[1:] if part[:1] == _NOT_HAN else part for part in parts)
    return _clean(first), _clean(whole)


def initials(name: str) -> str:
    """First letters of each syllable, other letters and digits kept: ``999感冒灵`` → ``999gml``."""
    return keys(name)[0]


def full(name: str) -> str:
    """Whole pinyin without tones or spaces: ``感冒灵`` → ``ganmaoling``."""
    return keys(name)[1]
