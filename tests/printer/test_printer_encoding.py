"""``printer.encoding`` and ``printer.render``: golden ESC/POS bytes, decoded back to text.

The golden files under ``tests/golden/`` are the exact bytes python-escpos' ``Dummy``
produces for two small receipts. After an intended change to the layout or encoding,
regenerate them and review the diff of the decoded text::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/printer/test_printer_encoding.py
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field

import pytest

import printer
from printer import (
    Cut,
    DrawerKick,
    QrCode,
    Raw,
    Receipt,
    ReceiptLine,
    ReceiptTender,
    TextRow,
    columns_for,
    encode,
    encode_text,
    layout,
)
from tests.helpers import TESTS

GOLDEN = TESTS / "golden"

FS_ON = b"\x1c&"
FS_OFF = b"\x1c."
QR_COMMAND = b"\x1d(k"
FULL_CUT = b"\x1dV\x00"
KICK = b"\x1bp\x0022"


def small_receipt() -> Receipt:
    """A fixed cash sale with Chinese lines, a discount and change."""
    return Receipt(
        store_name="康宁大药房",
        number="S001-01-20260310-0001",
        when="2026-03-10 10:00",
        register="01",
        cashier="张三",
        lines=(
            ReceiptLine("999感冒灵颗粒", "10g×9袋", 2, 1250, 2500),
            ReceiptLine(
                "布洛芬缓释胶囊", "0.3g×24粒", 1, 3280, 2980, 300, ("批号 2501 效期 2027-01",)
            ),
        ),
        subtotal_fen=5780,
        discount_fen=300,
        total_fen=5480,
        tenders=(ReceiptTender("现金", 5480),),
        cash_tendered_fen=6000,
        change_fen=520,
        footer=("谢谢惠顾",),
        open_drawer=True,
    )


@dataclass
class Decoded:
    """What a Chinese ESC/POS printer would do with a job, as far as these tests care."""

    lines: list[str] = field(default_factory=list)
    chinese_runs: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    cuts: int = 0
    kicks: int = 0


def decode(data: bytes, encoding: str = "gbk") -> Decoded:
    """Interpret ``data``; fails on any byte >= 0x80 outside ``FS &`` … ``FS .``."""
    assert data.startswith(b"\x1b@")
    out = Decoded()
    line = ""
    i = 0
    three_byte = (b"\x1ba", b"\x1bE", b"\x1d!", b"\x1bd")
    while i < len(data):
        two = data[i : i + 2]
        if two == b"\x1b@":
            i += 2
        elif two in three_byte:
            i += 3
        elif two == FS_ON:
            end = data.index(FS_OFF, i)
            run = data[i + 2 : end].decode(encoding)
            assert run and not any(char.isascii() for char in run), run
            out.chinese_runs.append(run)
            line += run
            i = end + 2
        elif data[i : i + 3] == QR_COMMAND:
            size = data[i + 3] + 256 * data[i + 4]
            body = data[i + 5 : i + 5 + size]
            if body[:2] == b"1P":
                out.qr.append(body[3:].decode("ascii"))
            i += 5 + size
        elif data[i : i + 3] == FULL_CUT:
            out.cuts += 1
            i += 3
        elif data[i : i + 5] == KICK:
            out.kicks += 1
            i += 5
        elif data[i] == 0x0A:
            out.lines.append(line)
            line = ""
            i += 1
        else:
            assert 0x20 <= data[i] < 0x7F, (i, data[i - 10 : i + 10])
            line += chr(data[i])
            i += 1
    assert line == ""
    return out


def expected_rows(receipt: Receipt, columns: int) -> list[str]:
    """The text of the layout's rows."""
    return [e.text for e in layout(receipt, columns) if isinstance(e, TextRow)]


@pytest.mark.parametrize("paper", [58, 80])
def test_golden_bytes(paper: int) -> None:
    data, substituted = printer.render(small_receipt(), paper)
    golden = GOLDEN / f"receipt_{paper}.bin"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(data)
    assert substituted == ()
    assert data == golden.read_bytes()


@pytest.mark.parametrize("paper", [58, 80])
def test_golden_bytes_decode_to_the_layout(paper: int) -> None:
    data = (GOLDEN / f"receipt_{paper}.bin").read_bytes()
    columns = columns_for(paper)
    rows = expected_rows(small_receipt(), columns)
    decoded = decode(data)
    assert decoded.lines == rows
    chinese = [run for row in rows for run in re.findall(r"[^\x00-\x7f]+", row)]
    assert decoded.chinese_runs == chinese
    assert "康宁大药房" in decoded.chinese_runs
    assert "感冒灵颗粒" in decoded.chinese_runs
    assert decoded.qr == ["S001-01-20260310-0001"]
    assert (decoded.cuts, decoded.kicks) == (1, 1)
    assert data.index(KICK) < data.index(b"\x1c&") < data.index(QR_COMMAND) < data.index(FULL_CUT)
    assert b"\x1d!\x11" + FS_ON + "康宁大药房".encode("gbk") + FS_OFF in data


def test_full_width_yuan_is_a3_a4() -> None:
    data, substituted = encode_text("￥12.50")
    assert data == FS_ON + b"\xa3\xa4" + FS_OFF + b"12.50"
    assert substituted == ()
    assert encode_text("¥12.50") == (data, ())
    assert encode_text("¥1", "gb18030")[0] == FS_ON + b"\xa3\xa4" + FS_OFF + b"1"


def test_runs_of_non_ascii_only() -> None:
    data, _ = encode_text("感冒灵 10g×9袋")
    gbk = "感冒灵".encode("gbk")
    bag = "袋".encode("gbk")
    times = b"\xa1\xc1"
    assert (
        data
        == FS_ON + gbk + FS_OFF + b" 10g" + FS_ON + times + FS_OFF + b"9" + FS_ON + bag + FS_OFF
    )
    assert encode_text("plain ASCII") == (b"plain ASCII", ())


def test_without_chinese_mode_commands() -> None:
    data, substituted = printer.render(small_receipt(), 58, chinese_mode_commands=False)
    assert FS_ON not in data and FS_OFF not in data
    assert "康宁大药房".encode("gbk") in data
    assert substituted == ()
    assert encode_text("￥1", chinese_mode_commands=False) == (b"\xa3\xa41", ())


def test_gb18030_encodes_what_gbk_lacks() -> None:
    rare = "䶮"  # U+4DAE: in GB18030, not in GBK
    gbk, missing = encode_text(f"药{rare}")
    assert missing == (rare,)
    assert gbk == FS_ON + "药".encode("gbk") + "□".encode("gbk") + FS_OFF
    gb18030, missing = encode_text(f"药{rare}", "gb18030")
    assert missing == ()
    assert gb18030 == FS_ON + f"药{rare}".encode("gb18030") + FS_OFF
    assert gb18030[2:-2].decode("gb18030") == f"药{rare}"


def test_unrepresentable_characters_are_substituted_and_reported() -> None:
    line = ReceiptLine("退热贴😀™ℓ", "1片", 1, 100, 100)
    receipt = dataclasses.replace(small_receipt(), lines=(line,), open_drawer=False)
    data, substituted = printer.render(receipt, 58)
    assert substituted == ("😀", "™", "ℓ")
    decoded = decode(data)
    # NFKC when it fits in the two columns the layout reserved, else a full-width box.
    assert "退热贴□TMl " in decoded.lines
    assert decoded.kicks == 0
    assert b"?" not in data


def test_never_question_mark_for_characters_gbk_has() -> None:
    text = "中文测试 打印机正常 ￥12.50 × · ！（）【】《》—…℃№"
    data, substituted = encode_text(text)
    assert substituted == ()
    assert b"?" not in data
    assert "".join(decode(b"\x1b@" + data + b"\n").lines) == text


def test_styles_are_reset_after_each_row() -> None:
    encoded = encode([TextRow("标题", "center", bold=True, double=True), TextRow("x")], "gbk", True)
    [operation] = encoded.operations
    assert operation == Raw(
        b"\x1b@\x1ba\x01\x1bE\x01\x1d!\x11"
        + FS_ON
        + "标题".encode("gbk")
        + FS_OFF
        + b"\n\x1d!\x00\x1bE\x00\x1ba\x00x\n"
    )


def test_operations_for_qr_cut_and_kick() -> None:
    encoded = encode([DrawerKick(), QrCode("S1"), Cut()])
    assert encoded.operations == (
        Raw(b"\x1b@"),
        DrawerKick(),
        Raw(b"\x1ba\x01"),
        QrCode("S1"),
        Raw(b"\x1ba\x00"),
        Cut(),
    )
    assert encoded.substituted == ()


def test_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="utf-8"):
        encode_text("x", "utf-8")
    with pytest.raises(ValueError):
        printer.render(small_receipt(), 58, "big5")


def test_gb18030_render() -> None:
    data, substituted = printer.render(small_receipt(), 80, "gb18030")
    assert substituted == ()
    decoded = decode(data, "gb18030")
    assert decoded.lines == expected_rows(small_receipt(), 48)
