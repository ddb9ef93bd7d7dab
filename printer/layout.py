"""Lay a receipt out on paper: document + column count -> printable elements (pure, no escpos).

Widths are printer columns: a printable ASCII character takes one, every other character
two (a printer in Chinese mode prints each double-byte GBK character, including ``×``,
``￥`` and ``·``, in two columns). Amounts are right-aligned by padding the row itself, so
every left-aligned row that carries an amount is exactly ``columns`` wide.

The cash-drawer kick, when asked for, is the first element: the drawer opens while the
receipt prints. The cut is the last element.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from printer.document import Receipt, ReceiptLine

COLUMNS = {58: 32, 80: 48}
"""Paper width in millimetres -> printable columns (font A)."""

CURRENCY = "￥"
"""The full-width yuan sign (two columns, GBK A3 A4)."""

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextRow:
    """One printed line; ``double`` is double width and height (its width counts twice)."""

    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False


@dataclass(frozen=True)
class QrCode:
    """A QR code of ``data`` (the sale number), printed centered."""

    data: str


@dataclass(frozen=True)
class Cut:
    """Feed and cut the paper."""


@dataclass(frozen=True)
class DrawerKick:
    """Pulse the cash drawer."""


Element = TextRow | QrCode | Cut | DrawerKick


def columns_for(paper_width_mm: int) -> int:
    """The number of columns on paper ``paper_width_mm`` wide (58 or 80)."""
    try:
        return COLUMNS[paper_width_mm]
    except KeyError:
        widths = " or ".join(str(width) for width in COLUMNS)
        raise ValueError(f"Unsupported paper width {paper_width_mm} mm (use {widths})") from None


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf")


def char_width(char: str) -> int:
    """Printer columns of one character: printable ASCII 1, control 0, anything else 2."""
    if " " <= char <= "~":
        return 1
    if _is_control(char):
        return 0
    return 2


def text_width(text: str) -> int:
    """Printer columns ``text`` takes (see :func:`char_width`)."""
    if text.isascii() and text.isprintable():  # the common case, one column a character
        return len(text)
    return sum(char_width(char) for char in text)


_TOKEN = re.compile(r"[!-~]+| +|[^ -~]")

NO_LINE_START = frozenset("。，、；：？！）》」』】〕〉…—～％·.,;:?!)]}%")
"""Characters that never begin a line (Chinese line-breaking rules, 避头尾)."""
NO_LINE_END = frozenset("（《「『【〔〈([{￥")
"""Characters that never end a line: they go down with what follows them."""


def _units(text: str) -> list[str]:
    """Tokens glued so that no unit starts with a closing mark or ends with an opening one."""
    units: list[str] = []
    for token in _TOKEN.findall(text):
        glue_back = bool(units) and not units[-1].startswith(" ")
        if (
            glue_back
            and not token.startswith(" ")
            and (token[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END)
        ):
            units[-1] += token
        else:
            units.append(token)
    return units


def _wrap_paragraph(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    line = ""

    def flush() -> None:
        nonlocal line
        lines.append(line.rstrip(" "))
        line = ""

    for unit in _units(text):
        width = text_width(unit)
        if unit.startswith(" "):
            if lines and not line:
                continue  # no leading spaces on a continuation line
            if text_width(line) + width <= columns:
                line += unit
            else:
                flush()
        elif text_width(line) + width <= columns:
            line += unit
        elif width <= columns:
            flush()
            line = unit
        else:  # a unit longer than a whole line: break it by character
            for char in unit:
                if text_width(line) + char_width(char) > columns:
                    flush()
                line += char
    if line.strip(" ") or not lines:
        flush()
    return lines


def wrap(text: str, columns: int) -> list[str]:
    """Split ``text`` into lines at most ``columns`` wide, breaking ASCII words at spaces.

    Chinese text breaks between characters, but never before a closing mark
    (。，、）…) nor after an opening one (（《「…): the character before goes down
    with it, as Chinese typesetting does. A character is never split; ``\\n`` forces a
    break, other control characters are dropped and tabs become spaces. Empty text gives
    no lines.
    """
    return list(_wrapped(text, columns))


@lru_cache(maxsize=4096)
def _wrapped(text: str, columns: int) -> tuple[str, ...]:
    """:func:`wrap`, kept: the store's header and footer, the labels and the product
    names come back on receipt after receipt, and their lines are the same each time."""
    if columns < 2:
        raise ValueError(f"Cannot wrap to {columns} columns (at least 2 are needed)")
    text = "".join(
        char for char in text.replace("\t", " ") if char == "\n" or not _is_control(char)
    )
    if not text:
        return ()
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, columns))
    return tuple(lines)


def money(fen: int) -> str:
    """Integer fen as yuan with two decimals: ``1250`` -> ``"12.50"``, ``-5`` -> ``"-0.05"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _currency(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{CURRENCY}{money(abs(fen))}"


def _right(text: str, columns: int) -> list[str]:
    return [" " * (columns - text_width(part)) + part for part in wrap(text, columns)]


def _pair(left: str, right: str, columns: int) -> list[str]:
    """``left`` on the left and ``right`` ending in the last column, stacked if too wide."""
    rows = wrap(left, columns)
    right_width = text_width(right)
    if rows and text_width(rows[-1]) + 1 + right_width <= columns:
        last = rows.pop()
        return [*rows, last + " " * (columns - text_width(last) - right_width) + right]
    return rows + _right(right, columns)


def _rows(texts: Iterable[str], bold: bool = False) -> list[TextRow]:
    return [TextRow(text, bold=bold) for text in texts]


def _centered(text: str, columns: int, double: bool = False, bold: bool = False) -> list[TextRow]:
    width = columns // 2 if double else columns
    return [TextRow(row, "center", bold, double) for row in wrap(text, width)]


def copy_mark(label: str, columns: int) -> list[TextRow]:
    """The COPY mark at the top of a copy: ``label`` centred, large and bold."""
    return _centered(label, columns, double=True, bold=True)


def _item(line: ReceiptLine, columns: int) -> list[TextRow]:
    """The line at quantity × unit price (its discount is printed under it, so that the
    printed line amounts add up to the subtotal and their discounts to the discount)."""
    gross = line.qty * line.unit_price_fen
    amounts = f"{line.qty} × {money(line.unit_price_fen)} {money(gross):>8}"
    return _rows(wrap(line.name, columns)) + _rows(_pair(line.spec, amounts, columns))


def layout(receipt: Receipt, columns: int) -> list[Element]:
    """The printable elements of ``receipt`` on paper ``columns`` wide.

    Order: drawer kick (if ``open_drawer``), COPY mark (if ``copy``), store header, sale
    header, items, totals and tenders, blocks, footer, QR code of the number, cut.
    Items and totals are left out when there are no lines, tenders or amounts (a test page).
    """
    labels = receipt.labels
    rule = TextRow("-" * columns)
    out: list[Element] = []
    if receipt.open_drawer:
        out.append(DrawerKick())
    if receipt.copy:
        out += copy_mark(labels.copy, columns)
    out += _centered(receipt.store_name, columns, double=True)
    out += _centered(receipt.address, columns)
    if receipt.phone:
        out += _centered(f"{labels.phone}: {receipt.phone}", columns)
    if receipt.tax_id:
        out += _centered(f"{labels.tax_id}: {receipt.tax_id}", columns)
    out += _centered(labels.title, columns, bold=True)
    out.append(rule)

    out += _rows(wrap(f"{labels.sale_number}: {receipt.number}", columns))
    if receipt.when:
        out += _rows(wrap(f"{labels.time}: {receipt.when}", columns))
    register = f"{labels.register}: {receipt.register}" if receipt.register else ""
    cashier = f"{labels.cashier}: {receipt.cashier}" if receipt.cashier else ""
    out += _rows(_pair(register, cashier, columns) if cashier else wrap(register, columns))
    out.append(rule)

    discount_label = labels.discount
    if receipt.lines:
        for line in receipt.lines:
            out += _item(line, columns)
            if line.discount_fen:
                minus = money(-abs(line.discount_fen))
                out += _rows(_pair(f"  {discount_label}", minus, columns))
            for note in line.notes:
                out += _rows("  " + row for row in wrap(note, columns - 2))
        out.append(rule)

    amounts = (receipt.subtotal_fen, receipt.discount_fen, receipt.total_fen, receipt.change_fen)
    if receipt.lines or receipt.tenders or any(amounts):
        out += _rows(_pair(labels.subtotal, _currency(receipt.subtotal_fen), columns))
        if receipt.discount_fen:
            discount = _currency(-abs(receipt.discount_fen))
            out += _rows(_pair(discount_label, discount, columns))
        out += _rows(_pair(labels.total, _currency(receipt.total_fen), columns), bold=True)
        for tender in receipt.tenders:
            out += _rows(_pair(tender.label, _currency(tender.amount_fen), columns))
        if receipt.cash_tendered_fen is not None:
            cash = _currency(receipt.cash_tendered_fen)
            out += _rows(_pair(labels.tendered, cash, columns))
            out += _rows(_pair(labels.change, _currency(receipt.change_fen), columns))
        out.append(rule)

    for block in receipt.blocks:
        out += _rows(wrap(block.title, columns), bold=True)
        for text in block.lines:
            out += _rows(wrap(text, columns))
        out.append(rule)
    for text in receipt.footer:
        out += _centered(text, columns)
    out.append(QrCode(receipt.number))
    out.append(Cut())
    return out


def _preview_row(row: TextRow, columns: int) -> str:
    width = text_width(row.text) * (2 if row.double else 1)
    if row.align == "center":
        return " " * max(0, (columns - width) // 2) + row.text
    if row.align == "right":
        return " " * max(0, columns - width) + row.text
    return row.text


def preview(receipt: Receipt, columns: int) -> str:
    """The layout of ``receipt`` as plain text lines, positioned as printed.

    A double-size row is shown once, where it starts on paper; the QR code is a centered
    ``[QR: number]`` line; the cut and the drawer kick are not shown.
    """
    lines: list[str] = []
    for element in layout(receipt, columns):
        if isinstance(element, TextRow):
            lines.append(_preview_row(element, columns))
        elif isinstance(element, QrCode):
            lines.append(_preview_row(TextRow(f"[QR: {element.data}]", "center"), columns))
    return "\n".join(lines)
