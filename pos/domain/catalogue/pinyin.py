"""Pinyin keys for searching Chinese product names.

The keys are computed when products are imported and stored with them, so the
register's start never imports pypinyin (its phrase dictionary takes 0.2 s).
"""

from __future__ import annotations


def _clean(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def initials(name: str) -> str:
    """First letters of each syllable, other letters and digits kept: ``999感冒灵`` → ``999gml``."""
    from pypinyin import Style, lazy_pinyin

    return _clean("".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")))


def full(name: str) -> str:
    """Whole pinyin without tones or spaces: ``感冒灵`` → ``ganmaoling``."""
    from pypinyin import Style, lazy_pinyin

    return _clean("".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")))
