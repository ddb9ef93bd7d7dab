"""Pinyin search keys of product names: initials and full spelling."""

from __future__ import annotations

from pos.domain.catalogue import pinyin


def test_pinyin_keys() -> None:
    assert pinyin.initials("999感冒灵颗粒") == "999gmlkl"
    assert pinyin.full("感冒灵") == "ganmaoling"
    assert pinyin.initials("白加黑 氨酚伪麻美芬片") == "bjhafwmmfp"
