"""``pos.domain.catalogue.pinyin.keys``: both search keys from one pass, the same as
spelling the initials and the whole pinyin each on its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from pos.domain.catalogue import pinyin

_NAME_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # Chinese
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
    st.sampled_from("（）【】·、，ⅡⅢαβ０１ｍｌ"),  # full-width and other signs in drug names
)


def _spelled_apart(name: str) -> tuple[str, str]:
    """The keys as two separate pypinyin calls spell them (the way before one pass)."""
    first = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    whole = "".join(lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    return pinyin._clean(first), pinyin._clean(whole)


@settings(max_examples=300, deadline=None)
@given(st.text(_NAME_CHARS, max_size=16))
def test_one_pass_spells_the_keys_as_two_calls_would(name: str) -> None:
    assert pinyin.keys(name) == _spelled_apart(name)


def test_known_names() -> None:
    assert pinyin.keys("999感冒灵颗粒") == ("999gmlkl", "999ganmaolingkeli")
    assert pinyin.keys("维生素C片 100mg") == ("wsscp100mg", "weishengsucpian100mg")
    assert pinyin.initials("银行") == "yh"
    assert pinyin.full("重感灵") == _spelled_apart("重感灵")[1]


_WORDS = st.sampled_from(
    ["感冒", "颗粒", "儿童", "灵", "重", "长", "行", "银行", "维生素", "片", "胶囊", "口服液",
     "复方", "氨酚", "布洛芬", "缓释", "还原", "乐", "调", "和", "999", " ", "100mg", "（", "Ⅱ",
     "İ", "Σ", "K", "ＡＢ"]
)  # fmt: skip


def _spelled_whole(name: str) -> tuple[str, str]:
    """The keys as one pypinyin call over the whole name spells them (before words were cached)."""
    parts = lazy_pinyin(name, style=Style.NORMAL, errors=lambda run: "\x00" + run)
    first = "".join(part[1:] if part[:1] == "\x00" else part[:1] for part in parts)
    whole = "".join(part[1:] if part[:1] == "\x00" else part for part in parts)
    return pinyin._clean(first), pinyin._clean(whole)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(_NAME_CHARS, max_size=3)), max_size=8))
def test_words_spelled_once_give_the_keys_of_the_whole_name(pieces: list[str]) -> None:
    """Phrase words and heteronyms (重, 长, 行, 乐 …) across word bounds: spelled a
    word at a time from the cache, the keys are those of the whole name at once."""
    name = "".join(pieces)
    assert pinyin.keys(name) == _spelled_whole(name)
    assert pinyin.keys(name) == _spelled_whole(name)  # the second time from the cache
