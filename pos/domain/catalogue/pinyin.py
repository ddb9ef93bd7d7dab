"""Pinyin keys for searching Chinese product names.

The keys are computed when products are imported and stored with them, so the
register's start never imports pypinyin (its phrase dictionary takes 0.2 s).
"""

from __future__ import annotations

from functools import lru_cache


def _clean(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


_NOT_HAN = "\x00"
"""Marks a run of characters that are not Chinese (kept whole, not cut to a first letter)."""


def keys(name: str) -> tuple[str, str]:
    """Both keys in one pass over ``name``: :func:`initials` and :func:`full`.

    The name is cut into words as pypinyin cuts it (a word of its phrase dictionary, a
    single character, or a run of characters that are not Chinese), and each word is
    spelled once (:func:`_word`): a catalogue's tens of thousands of names are made of a
    few hundred words. pypinyin spells each word on its own, so the keys are the same
    as spelling the whole name at once.
    """
    from pypinyin.seg.simpleseg import seg

    parts = [_word(word) for word in seg(name)]
    return "".join(part[0] for part in parts), "".join(part[1] for part in parts)


@lru_cache(maxsize=65_536)
def _word(word: str) -> tuple[str, str]:
    """A word's first letters and whole pinyin (a run that is not Chinese: as it is),
    cleaned (:func:`_clean` keeps or drops each character on its own, so the cleaned
    words make the cleaned name)."""
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(word, style=Style.NORMAL, errors=lambda run: _NOT_HAN + run)
    first = "".join(part[1:] if part[:1] == _NOT_HAN else part[:1] for part in parts)
    whole = "".join(part[1:] if part[:1] == _NOT_HAN else part for part in parts)
    return _clean(first), _clean(whole)


def initials(name: str) -> str:
    """First letters of each syllable, other letters and digits kept: ``999感冒灵`` → ``999gml``."""
    return keys(name)[0]


def full(name: str) -> str:
    """Whole pinyin without tones or spaces: ``感冒灵`` → ``ganmaoling``."""
    return keys(name)[1]
