"""Codes typed or scanned: quantities, ``qty*code`` scans, barcode kinds and check digits."""

from __future__ import annotations

import pytest

from pos.domain.sales.codes import (
    InputError,
    classify_barcode,
    lookup_candidates,
    parse_barcode_field,
    parse_quantity,
    parse_scan,
)
from pos.enums import BarcodeKind


@pytest.mark.parametrize("text", ["0", "10000", "a", "1.5", "-2", "", "²", "①"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_quantity(text)


def test_parse_scan() -> None:
    assert parse_scan("6930496010716").qty == 1
    request = parse_scan(" 12 * 6930496010716 ")
    assert (request.qty, request.code) == (12, "6930496010716")
    assert parse_scan("3×69031656").qty == 3
    with pytest.raises(InputError):
        parse_scan("3*")


def test_classify_barcode() -> None:
    assert classify_barcode("6930496010716") is BarcodeKind.EAN13
    assert classify_barcode("69031656") is BarcodeKind.EAN8
    assert classify_barcode("031604026172") is BarcodeKind.UPCA
    with pytest.raises(InputError, match="check digit"):
        classify_barcode("6930496010717")
    with pytest.raises(InputError, match="8, 12 or 13"):
        classify_barcode("12345")
    assert parse_barcode_field("int:A1001") == ("A1001", BarcodeKind.INTERNAL)
    assert lookup_candidates("0031604026172") == ["0031604026172", "031604026172"]
