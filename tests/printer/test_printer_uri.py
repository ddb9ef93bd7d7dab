"""``printer.uri``: every scheme parses, every malformed URI is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from printer import (
    FileUri,
    NoPrinter,
    PrinterUri,
    PrinterUriError,
    SerialUri,
    TcpUri,
    UsbUri,
    parse_printer_uri,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://192.168.1.50:9100", TcpUri("192.168.1.50", 9100)),
        ("tcp://printer.local", TcpUri("printer.local", 9100)),
        ("TCP://printer-1:9101/", TcpUri("printer-1", 9101)),
        ("tcp://[::1]:9100", TcpUri("::1", 9100)),
        ("usb://0x0416:0x5011", UsbUri(0x0416, 0x5011)),
        ("usb://0416:5011", UsbUri(0x0416, 0x5011)),
        ("usb://04B8:0E15", UsbUri(0x04B8, 0x0E15)),
        ("serial:///dev/ttyUSB0", SerialUri("/dev/ttyUSB0", 9600)),
        ("serial:///dev/ttyUSB0?baudrate=115200", SerialUri("/dev/ttyUSB0", 115200)),
        ("serial://COM3?baudrate=19200", SerialUri("COM3", 19200)),
        ("file:///tmp/receipt.bin", FileUri(Path("/tmp/receipt.bin"))),
        ("file:///tmp/my%20receipts/r.bin", FileUri(Path("/tmp/my receipts/r.bin"))),
        ("none", NoPrinter()),
        (" None ", NoPrinter()),
    ],
)
def test_parses(text: str, expected: PrinterUri) -> None:
    assert parse_printer_uri(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tcp://192.168.1.50:9100",
        "usb://0x0416:0x5011",
        "serial:///dev/ttyUSB0?baudrate=9600",
        "file:///tmp/receipt.bin",
        "none",
    ],
)
def test_str_round_trips(text: str) -> None:
    assert str(parse_printer_uri(text)) == text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("192.168.1.50:9100", "no scheme"),
        ("lpt://x", "Unknown printer URI scheme 'lpt'"),
        ("tcp://", "missing host"),
        ("tcp://:9100", "bad host"),
        ("tcp://host:0", "bad port"),
        ("tcp://host:65536", "bad port"),
        ("tcp://host:abc", "bad port"),
        ("tcp://host:", "bad port"),
        ("tcp://host:+91", "bad port"),
        ("tcp://user@host:9100", "passwords"),
        ("tcp://host:9100/queue", "path"),
        ("tcp://host:9100?timeout=3", "query"),
        ("tcp://[::1", "Invalid"),
        ("usb://0416", "bad USB ids"),
        ("usb://0x0416:0xZZZZ", "bad USB ids"),
        ("usb://0x10416:0x5011", "bad USB ids"),
        ("usb://0:0", "must not be 0"),
        ("usb://0416:5011/x", "VID:PID"),
        ("serial://", "missing serial device"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate"),
        ("serial:///dev/ttyUSB0?baudrate=0", "baudrate"),
        ("serial:///dev/ttyUSB0?baudrate=96.5", "baudrate"),
        ("serial:///dev/ttyUSB0?parity=N", "unknown query key 'parity'"),
        ("serial:///dev/ttyUSB0?baudrate", "query"),
        ("file://receipt.bin", "absolute"),
        ("file://", "absolute"),
        ("file:///tmp/", "directory"),
        ("file:///tmp/r.bin?x=1", "query"),
        ("file:///tmp/r.bin#top", "fragment"),
    ],
)
def test_refuses(text: str, why: str) -> None:
    with pytest.raises(PrinterUriError) as raised:
        parse_printer_uri(text)
    message = str(raised.value)
    assert repr(text) in message
    assert why in message
    assert isinstance(raised.value, ValueError)


def test_unknown_scheme_message() -> None:
    with pytest.raises(PrinterUriError) as raised:
        parse_printer_uri("lpt://x")
    assert str(raised.value) == (
        "Unknown printer URI scheme 'lpt' in 'lpt://x' "
        "(use tcp://, usb://, serial://, file:// or none)"
    )
