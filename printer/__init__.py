"""Receipts for ESC/POS printers: document, layout, encoding, devices.

Standalone: knows a receipt document, not the database or Textual. Typical use::

    data, substituted = render(receipt, paper_width_mm=58, encoding="gbk")
    send(parse_printer_uri("tcp://192.168.1.50:9100"), data, timeout=5.0)
"""

from __future__ import annotations

from datetime import datetime

from printer.device import PrinterError, preload, render_bytes, send
from printer.document import Receipt, ReceiptBlock, ReceiptLabels, ReceiptLine, ReceiptTender
from printer.encoding import (
    ENCODINGS,
    INITIALIZE,
    Encoded,
    Operation,
    Raw,
    encode,
    encode_text,
    normalize_encoding,
)
from printer.layout import (
    COLUMNS,
    Cut,
    DrawerKick,
    Element,
    QrCode,
    TextRow,
    columns_for,
    copy_mark,
    layout,
    money,
    preview,
    text_width,
    wrap,
)
from printer.uri import (
    FileUri,
    NoPrinter,
    PrinterUri,
    PrinterUriError,
    SerialUri,
    TcpUri,
    UsbUri,
    parse_printer_uri,
)

__all__ = [
    "COLUMNS",
    "ENCODINGS",
    "Cut",
    "DrawerKick",
    "Element",
    "Encoded",
    "FileUri",
    "NoPrinter",
    "Operation",
    "PrinterError",
    "PrinterUri",
    "PrinterUriError",
    "QrCode",
    "Raw",
    "Receipt",
    "ReceiptBlock",
    "ReceiptLabels",
    "ReceiptLine",
    "ReceiptTender",
    "SerialUri",
    "TcpUri",
    "TextRow",
    "UsbUri",
    "as_copy",
    "columns_for",
    "copy_mark",
    "drawer_kick",
    "encode",
    "encode_text",
    "layout",
    "money",
    "normalize_encoding",
    "parse_printer_uri",
    "preload",
    "preview",
    "render",
    "render_bytes",
    "send",
    "test_page",
    "text_width",
    "wrap",
]


def render(
    receipt: Receipt,
    paper_width_mm: int = 80,
    encoding: str = "gbk",
    chinese_mode_commands: bool = True,
) -> tuple[bytes, tuple[str, ...]]:
    """ESC/POS bytes of ``receipt`` and the characters the encoding had to substitute."""
    elements = layout(receipt, columns_for(paper_width_mm))
    encoded = encode(elements, encoding, chinese_mode_commands)
    return render_bytes(encoded), encoded.substituted


def drawer_kick() -> bytes:
    """The bytes that open the cash drawer, and nothing else (no paper used)."""
    return render_bytes(encode([DrawerKick()]))


def as_copy(
    data: bytes,
    label: str | None,
    paper_width_mm: int = 80,
    encoding: str = "gbk",
    chinese_mode_commands: bool = True,
) -> bytes:
    """Rendered bytes ``data`` as a copy: every drawer kick removed, ``label`` on top.

    For a job that may already have printed (sent, then the register stopped): printed
    again it must say it is a copy and never open the drawer again. ``label`` None keeps
    the bytes' own top (they are already a copy).
    """
    kick = render_bytes(Encoded((DrawerKick(),), ()))
    body = data.replace(kick, b"")
    if label is None:
        return body
    mark = render_bytes(
        encode(copy_mark(label, columns_for(paper_width_mm)), encoding, chinese_mode_commands)
    )
    return mark + body.removeprefix(INITIALIZE)


def test_page(uri_text: str, encoding: str, paper_width_mm: int = 80) -> Receipt:
    """A test-page receipt: Chinese and English lines, rulers, the printer URI and encoding."""
    columns = columns_for(paper_width_mm)
    encoding = normalize_encoding(encoding)
    digits = "1234567890" * (columns // 10 + 1)
    return Receipt(
        store_name="打印测试 TEST",
        number="TEST",
        when=datetime.now().strftime("%Y-%m-%d %H:%M"),
        register="",
        lines=(),
        subtotal_fen=0,
        discount_fen=0,
        total_fen=0,
        tenders=(),
        blocks=(
            ReceiptBlock(
                "中文测试 Chinese test",
                (
                    "中文测试 打印机正常 ￥12.50",
                    "English test line 0123456789",
                    "数量 2 × 单价 ￥3.50 · 布洛芬缓释胶囊",
                ),
            ),
            ReceiptBlock(
                f"纸宽 Paper width {paper_width_mm} mm = {columns}",
                (digits[:columns], "中" * (columns // 2)),
            ),
            ReceiptBlock(
                "打印机 Printer",
                (f"URI: {uri_text}", f"Encoding: {encoding}"),
            ),
        ),
        footer=("扫描二维码应显示 TEST", "The QR code reads TEST"),
        labels=ReceiptLabels(title="打印机测试页 PRINTER TEST"),
    )


test_page.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported
