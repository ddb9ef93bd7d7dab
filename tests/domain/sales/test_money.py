"""Money as integer fen: yuan typed at the register parsed, fen formatted."""

from __future__ import annotations

import pytest

from pos.money import MoneyError, format_fen, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("12.50", 1250), ("0", 0), ("0.01", 1), ("¥3", 300), (" 7.05 ", 705)],
)
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.234", "1,5", "abc", "1e3", "١٢"])
def test_parse_yuan_rejects(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_format_fen() -> None:
    assert format_fen(1250) == "12.50"
    assert format_fen(-5) == "-0.05"
    assert format_fen(0, sign="¥") == "¥0.00"
