"""Laid-out elements -> ESC/POS device operations for Chinese thermal printers (no escpos here).

The job starts with ``ESC @``. Each maximal run of non-ASCII text is encoded GBK (or
GB18030) and, unless the printer boots in Chinese mode, wrapped in ``FS &`` … ``FS .``;
ASCII stays outside those runs. A half-width ``¥`` is printed as the full-width ``￥``.

A character the encoding lacks is replaced by its NFKC compatibility form when that is
encodable and at most two columns wide (padded with a space to keep the two columns the
layout reserved), otherwise by a full-width ``□``; either way it is reported in
``Encoded.substituted``. ``?`` is never produced for a character the encoding has.
Control characters in text are dropped (they would be printer commands).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from printer.layout import Cut, DrawerKick, Element, QrCode, TextRow, char_width, text_width

ENCODINGS = ("gbk", "gb18030")

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
INITIALIZE = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
DOUBLE_ON = GS + b"!\x11"
SIZE_NORMAL = GS + b"!\x00"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
LF = b"\n"

SUBSTITUTE = "□"
"""Printed for a character the encoding lacks and that has no usable NFKC form."""


@dataclass(frozen=True)
class Raw:
    """Bytes sent to the printer as they are."""

    data: bytes


Operation = Raw | QrCode | Cut | DrawerKick
"""Raw bytes, or a layout element that python-escpos renders (QR code, cut, drawer)."""


@dataclass(frozen=True)
class Encoded:
    """A job's device operations and the distinct characters that had to be substituted."""

    operations: tuple[Operation, ...]
    substituted: tuple[str, ...]


def normalize_encoding(encoding: str) -> str:
    """``encoding`` as one of :data:`ENCODINGS` ("GBK", "GB-18030" accepted); else ValueError."""
    name = encoding.lower().replace("-", "")
    if name not in ENCODINGS:
        raise ValueError(
            f"Unsupported printer encoding {encoding!r} (use {' or '.join(ENCODINGS)})"
        )
    return name


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _substitute(char: str, encoding: str) -> str:
    normal = unicodedata.normalize("NFKC", char)
    width = text_width(normal)
    if normal and 0 < width <= char_width(char) and _encodable(normal, encoding):
        return normal + " " * (char_width(char) - width)
    return SUBSTITUTE


def encode_text(
    text: str, encoding: str = "gbk", chinese_mode_commands: bool = True
) -> tuple[bytes, tuple[str, ...]]:
    """Encode one line of text; returns its bytes and the distinct substituted characters."""
    return _encoded_text(text, normalize_encoding(encoding), chinese_mode_commands)


@lru_cache(maxsize=4096)
def _encoded_text(
    text: str, encoding: str, chinese_mode_commands: bool
) -> tuple[bytes, tuple[str, ...]]:
    """:func:`encode_text` of a normalized ``encoding``, kept: most rows of a receipt (the
    store's header and footer, the rules, the labels) are the same on every receipt."""
    if text.isascii() and text.isprintable():  # nothing to encode, switch or substitute
        return text.encode("ascii"), ()
    substituted: list[str] = []
    printed: list[str] = []
    for char in text.replace("¥", "￥"):
        if unicodedata.category(char) in ("Cc", "Cf"):
            continue
        if not _encodable(char, encoding):
            if char not in substituted:
                substituted.append(char)
            printed.append(_substitute(char, encoding))
        else:
            printed.append(char)
    out = bytearray()
    run: list[str] = []

    def end_run() -> None:
        if run:
            encoded = "".join(run).encode(encoding)
            out.extend(CHINESE_ON + encoded + CHINESE_OFF if chinese_mode_commands else encoded)
            run.clear()

    for char in "".join(printed):
        if char.isascii():
            end_run()
            out.extend(char.encode("ascii"))
        else:
            run.append(char)
    end_run()
    return bytes(out), tuple(substituted)


def _row_bytes(
    row: TextRow, encoding: str, chinese_mode_commands: bool
) -> tuple[bytes, tuple[str, ...]]:
    data, substituted = encode_text(row.text, encoding, chinese_mode_commands)
    start = b""
    end = b""
    if row.align != "left":
        start += ALIGN[row.align]
        end = ALIGN["left"] + end
    if row.bold:
        start += BOLD_ON
        end = BOLD_OFF + end
    if row.double:
        start += DOUBLE_ON
        end = SIZE_NORMAL + end
    return start + data + LF + end, substituted


def encode(
    elements: Sequence[Element], encoding: str = "gbk", chinese_mode_commands: bool = True
) -> Encoded:
    """The device operations printing ``elements``: ``ESC @`` first, each row reset after LF."""
    encoding = normalize_encoding(encoding)
    operations: list[Operation] = []
    substituted: list[str] = []

    def raw(data: bytes) -> None:
        if operations and isinstance(operations[-1], Raw):
            operations[-1] = Raw(operations[-1].data + data)
        else:
            operations.append(Raw(data))

    raw(INITIALIZE)
    for element in elements:
        if isinstance(element, TextRow):
            data, missing = _row_bytes(element, encoding, chinese_mode_commands)
            raw(data)
            substituted.extend(char for char in missing if char not in substituted)
        elif isinstance(element, QrCode):
            raw(ALIGN["center"])
            operations.append(element)
            raw(ALIGN["left"])
        else:
            operations.append(element)
    return Encoded(tuple(operations), tuple(substituted))
