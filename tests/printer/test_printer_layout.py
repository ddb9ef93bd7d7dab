"""``printer.layout``: CJK widths, wrapping and the receipt layout on 58 and 80 mm paper."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

import printer
from printer import (
    Cut,
    DrawerKick,
    QrCode,
    Receipt,
    ReceiptBlock,
    ReceiptLine,
    ReceiptTender,
    TextRow,
    columns_for,
    layout,
    preview,
    text_width,
    wrap,
)


def realistic_receipt() -> Receipt:
    """Several Chinese-named lines, discounts, notes, split tenders, cash + change, a block."""
    return Receipt(
        store_name="康宁大药房（人民路店）",
        number="S001-01-20260310-0001",
        when="2026-03-10 10:00",
        register="01",
        cashier="张三",
        lines=(
            ReceiptLine("999感冒灵颗粒", "10g×9袋", 2, 1250, 2500),
            ReceiptLine(
                "布洛芬缓释胶囊（芬必得）0.3g*24粒 一个很长很长的商品名称用来测试换行",
                "0.3g×24粒/盒 国药准字H10900089",
                1,
                3280,
                2980,
                discount_fen=300,
                notes=("批号 20250101 有效期至 2027-01-01", "用法用量：口服，一次1粒，一日2次"),
            ),
            ReceiptLine("医用外科口罩 Surgical mask", "10只/袋", 10, 150, 1500),
            ReceiptLine("维生素C咀嚼片", "100片", 123, 99999, 12299877),
        ),
        subtotal_fen=12306857,
        discount_fen=300,
        total_fen=12306557,
        tenders=(ReceiptTender("微信支付", 12301557), ReceiptTender("现金", 5000)),
        cash_tendered_fen=5500,
        change_fen=500,
        address="上海市黄浦区人民路100号（地铁8号线大世界站2号口）",
        phone="021-12345678",
        tax_id="91310000MA1FL0000X",
        blocks=(ReceiptBlock("会员 Member", ("会员卡号 8800001234 本次积分 +123 累计积分 4567",)),),
        footer=("谢谢惠顾 欢迎再次光临", "药品售出后非质量问题不予退换 Thank you for shopping"),
        open_drawer=True,
    )


def rows(receipt: Receipt, columns: int) -> list[TextRow]:
    """The text rows of the layout."""
    return [element for element in layout(receipt, columns) if isinstance(element, TextRow)]


def texts(receipt: Receipt, columns: int) -> list[str]:
    """The text of every row of the layout."""
    return [row.text for row in rows(receipt, columns)]


def test_columns_for_paper_widths() -> None:
    assert columns_for(58) == 32
    assert columns_for(80) == 48
    with pytest.raises(ValueError, match="76 mm"):
        columns_for(76)


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("感冒灵 10g", 10),
        ("", 0),
        ("abc", 3),
        ("￥12.50", 7),
        ("2 × 3", 6),
        ("a·b", 4),
        ("\x1b\n", 0),
    ],
)
def test_text_width(text: str, width: int) -> None:
    assert text_width(text) == width


@pytest.mark.parametrize("columns", [2, 3, 5, 10, 16, 32, 48])
def test_wrap_never_exceeds_columns_nor_splits_characters(columns: int) -> None:
    text = (
        "布洛芬缓释胶囊 Ibuprofen sustained-release capsules 0.3g×24粒 超长名称abcdefghijklmnopqrst"
    )
    lines = wrap(text, columns)
    assert all(text_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_breaks_ascii_words_at_spaces() -> None:
    assert wrap("English test line 0123456789", 20) == ["English test line", "0123456789"]
    assert wrap("  indented", 20) == ["  indented"]


def test_wrap_long_chinese_name() -> None:
    lines = wrap("复方氨酚烷胺片（感康）成人感冒药十二片装", 32)
    assert lines == ["复方氨酚烷胺片（感康）成人感冒药", "十二片装"]
    assert text_width(lines[0]) == 32


def test_wrap_follows_chinese_line_breaking_rules() -> None:
    # 32 columns hold 16 Chinese characters: the 17th is a full stop, which never starts a line
    text = "一二三四五六七八九十一二三四五六。七"
    assert wrap(text, 32) == ["一二三四五六七八九十一二三四五", "六。七"]
    # an opening bracket never ends a line: it goes down with what follows
    assert wrap("一二三四五六七八九十一二三四五（感康）", 32) == [
        "一二三四五六七八九十一二三四五",
        "（感康）",
    ]


HAN = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=6)
CLOSING = st.sampled_from(sorted("。，、；：？！）》」"))
OPENING = st.sampled_from(sorted("（《「"))
PHRASE = st.tuples(st.one_of(st.just(""), OPENING), HAN, st.one_of(st.just(""), CLOSING)).map(
    "".join
)


@given(st.lists(PHRASE, min_size=1, max_size=30), st.sampled_from([32, 48]))
def test_no_line_starts_with_a_closing_mark_nor_ends_with_an_opening_one(
    phrases: list[str], columns: int
) -> None:
    text = "".join(phrases)
    lines = wrap(text, columns)
    assert "".join(lines) == text
    assert all(text_width(line) <= columns for line in lines)
    for line in lines[1:]:
        assert line[0] not in "。，、；：？！）》」", lines
    for line in lines[:-1]:
        assert line[-1] not in "（《「", lines


def test_wrap_odd_width_leaves_a_column_rather_than_split() -> None:
    assert wrap("中文字", 5) == ["中文", "字"]
    assert wrap("", 10) == []
    with pytest.raises(ValueError):
        wrap("中", 1)


def test_wrap_gives_a_new_list_each_time() -> None:
    """Lines of a text come from a cache: changing what one call gave changes no other."""
    first = wrap("复方氨酚烷胺片 Compound Paracetamol", 16)
    expected = list(first)
    first.pop()
    first.append("changed")
    assert wrap("复方氨酚烷胺片 Compound Paracetamol", 16) == expected
    assert wrap("复方氨酚烷胺片 Compound Paracetamol", 16) is not wrap(
        "复方氨酚烷胺片 Compound Paracetamol", 16
    )


def test_a_receipt_laid_out_twice_is_the_same() -> None:
    """The second layout (its texts' lines kept from the first) equals the first."""
    receipt = realistic_receipt()
    assert layout(receipt, 48) == layout(receipt, 48)
    assert printer.render(receipt) == printer.render(receipt)


@pytest.mark.parametrize("columns", [32, 48])
def test_every_row_fits(columns: int) -> None:
    receipt = realistic_receipt()
    for row in rows(receipt, columns):
        width = text_width(row.text) * (2 if row.double else 1)
        assert width <= columns, row
    for line in preview(receipt, columns).splitlines():
        assert text_width(line) <= columns, line


@pytest.mark.parametrize("columns", [32, 48])
def test_amounts_end_in_the_last_column(columns: int) -> None:
    receipt = realistic_receipt()
    lines = texts(receipt, columns)
    for amount in (
        "￥123068.57",
        "-￥3.00",
        "￥123065.57",
        "￥123015.57",
        "￥50.00",
        "￥55.00",
        "￥5.00",
        "-3.00",
    ):
        [row] = [line for line in lines if line.endswith(" " + amount)]
        assert text_width(row) == columns
    for total in ("25.00", "32.80", "15.00", "122998.77"):
        [row] = [line for line in lines if line.endswith(" " + total) and "×" in line]
        assert text_width(row) == columns
    assert "2 × 12.50" in "\n".join(lines)


def test_total_is_bold() -> None:
    [total] = [row for row in rows(realistic_receipt(), 32) if row.text.startswith("应收")]
    assert total.bold
    assert total.text.endswith("￥123065.57")


def test_layout_order_qr_cut_and_kick() -> None:
    elements = layout(realistic_receipt(), 48)
    assert elements[0] == DrawerKick()
    assert elements[-2:] == [QrCode("S001-01-20260310-0001"), Cut()]
    closed = layout(dataclasses.replace(realistic_receipt(), open_drawer=False), 48)
    assert DrawerKick() not in closed
    assert elements[1:] == closed


def test_header_and_sections() -> None:
    lines = texts(realistic_receipt(), 48)
    assert lines[0] == "康宁大药房（人民路店）"
    assert "电话: 021-12345678" in lines
    assert "税号: 91310000MA1FL0000X" in lines
    assert "单号: S001-01-20260310-0001" in lines
    assert "时间: 2026-03-10 10:00" in lines
    assert any(line.startswith("收银台: 01") and line.endswith("收银员: 张三") for line in lines)
    assert "  批号 20250101 有效期至 2027-01-01" in lines
    assert lines.count("-" * 48) == 5
    [store] = [row for row in rows(realistic_receipt(), 48) if "康宁" in row.text]
    assert store.double and store.align == "center"


def test_cash_rows_only_with_cash() -> None:
    receipt = dataclasses.replace(realistic_receipt(), cash_tendered_fen=None, discount_fen=0)
    lines = texts(receipt, 32)
    assert not any(line.startswith(("实收现金", "找零", "优惠 ")) for line in lines)


def test_copy_mark_only_on_copies() -> None:
    original = rows(realistic_receipt(), 32)
    assert not any("COPY" in row.text for row in original)
    copy = rows(dataclasses.replace(realistic_receipt(), copy=True), 32)
    assert copy[0] == TextRow("重印 COPY", "center", bold=True, double=True)


def test_preview_contains_names_and_totals() -> None:
    text = preview(realistic_receipt(), 32)
    for expected in ("999感冒灵颗粒", "医用外科口罩 Surgical mask", "￥123065.57", "[QR: S001-01-"):
        assert expected in text
    lines = text.splitlines()
    assert lines[-1].strip() == "[QR: S001-01-20260310-0001]"
    centered = next(line for line in lines if "销售小票" in line)
    assert centered == " " * 12 + "销售小票"


def test_test_page_has_no_lines_and_fits() -> None:
    receipt = printer.test_page("tcp://192.168.1.50:9100", "gbk", 58)
    lines = texts(receipt, 32)
    assert "中文测试 打印机正常 ￥12.50" in lines
    assert "English test line 0123456789" in lines
    assert "URI: tcp://192.168.1.50:9100" in lines
    assert "Encoding: gbk" in lines
    assert not any(line.startswith(("合计", "应收")) for line in lines)
    assert all(text_width(line) <= 32 for line in lines)
    assert layout(receipt, 32)[-2:] == [QrCode("TEST"), Cut()]
    with pytest.raises(ValueError):
        printer.test_page("none", "utf-8")
