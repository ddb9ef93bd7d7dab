"""Printer URIs: ``tcp://HOST:9100``, ``usb://VID:PID``, ``serial:///dev/ttyUSB0?baudrate=9600``,
``file:///path/receipt.bin`` and ``none``; parsed strictly, printed back canonically by ``str()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = "tcp://, usb://, serial://, file:// or none"


class PrinterUriError(ValueError):
    """A printer URI that cannot be used; the message names the URI and why."""


@dataclass(frozen=True)
class TcpUri:
    """A network printer (raw TCP, usually port 9100)."""

    host: str
    port: int = 9100

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


@dataclass(frozen=True)
class UsbUri:
    """A USB printer by vendor and product id."""

    vendor_id: int
    product_id: int

    def __str__(self) -> str:
        return f"usb://0x{self.vendor_id:04x}:0x{self.product_id:04x}"


@dataclass(frozen=True)
class SerialUri:
    """A serial printer: device path (or port name) and baud rate."""

    device: str
    baudrate: int = 9600

    def __str__(self) -> str:
        return f"serial://{self.device}?baudrate={self.baudrate}"


@dataclass(frozen=True)
class FileUri:
    """A file the raw ESC/POS bytes are appended to."""

    path: Path

    def __str__(self) -> str:
        return f"file://{self.path}"


@dataclass(frozen=True)
class NoPrinter:
    """No printer: receipts are only previewed on screen."""

    def __str__(self) -> str:
        return "none"


PrinterUri = TcpUri | UsbUri | SerialUri | FileUri | NoPrinter

_HOST = re.compile(
    r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+))(?::(?P<port>.*))?$"
)
_USB = re.compile(r"^(?:0x)?(?P<vendor>[0-9a-f]{1,4}):(?:0x)?(?P<product>[0-9a-f]{1,4})$", re.I)


def _error(uri: str, why: str) -> PrinterUriError:
    return PrinterUriError(f"Invalid printer URI {uri!r}: {why}")


def _parse_tcp(uri: str, netloc: str, path: str, query: str) -> TcpUri:
    if not netloc:
        raise _error(uri, "missing host (e.g. tcp://192.168.1.50:9100)")
    if "@" in netloc:
        raise _error(uri, "user names and passwords are not supported")
    if path not in ("", "/"):
        raise _error(uri, f"unexpected path {path!r}")
    if query:
        raise _error(uri, f"unknown query {query!r}")
    match = _HOST.match(netloc)
    if match is None:
        raise _error(uri, f"bad host {netloc!r}")
    host = match["ipv6"] or match["host"]
    port_text = match["port"]
    if port_text is None:
        return TcpUri(host)
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise _error(uri, f"bad port {port_text!r} (use 1 to 65535)")
    return TcpUri(host, int(port_text))


def _parse_usb(uri: str, netloc: str, path: str, query: str) -> UsbUri:
    if path or query:
        raise _error(uri, "use usb://VID:PID, e.g. usb://0x0416:0x5011")
    match = _USB.match(netloc)
    if match is None:
        raise _error(uri, f"bad USB ids {netloc!r} (use hex VID:PID, e.g. usb://0x0416:0x5011)")
    vendor, product = int(match["vendor"], 16), int(match["product"], 16)
    if vendor == 0 or product == 0:
        raise _error(uri, "USB vendor and product ids must not be 0")
    return UsbUri(vendor, product)


def _parse_serial(uri: str, netloc: str, path: str, query: str) -> SerialUri:
    if netloc and path:
        raise _error(uri, "use serial:///dev/ttyUSB0 or serial://COM3")
    device = unquote(netloc or path)
    if not device or (not netloc and not device.startswith("/")):
        raise _error(uri, "missing serial device (e.g. serial:///dev/ttyUSB0)")
    baudrate = 9600
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True) if query else []
    except ValueError:
        raise _error(uri, f"bad query {query!r}") from None
    for key, value in pairs:
        if key != "baudrate":
            raise _error(uri, f"unknown query key {key!r} (only baudrate)")
        if not value.isascii() or not value.isdigit() or int(value) == 0:
            raise _error(uri, f"baudrate must be a positive integer, not {value!r}")
        baudrate = int(value)
    return SerialUri(device, baudrate)


def _parse_file(uri: str, netloc: str, path: str, query: str) -> FileUri:
    if query:
        raise _error(uri, f"unknown query {query!r}")
    if netloc not in ("", "localhost"):
        raise _error(uri, "the path must be absolute (file:///path/receipt.bin)")
    file = Path(unquote(path))
    if not path or not file.is_absolute():
        raise _error(uri, "the path must be absolute (file:///path/receipt.bin)")
    if path.endswith("/"):
        raise _error(uri, "the path names a directory, not a file")
    return FileUri(file)


def parse_printer_uri(uri: str) -> PrinterUri:
    """Parse a printer URI from the configuration; raises :class:`PrinterUriError`."""
    text = uri.strip()
    if text.lower() == "none":
        return NoPrinter()
    if not text:
        raise _error(uri, f"empty (use {SCHEMES})")
    if "://" not in text:
        raise _error(uri, f"no scheme (use {SCHEMES})")
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise _error(uri, str(error)) from None
    scheme = parts.scheme.lower()
    parsers: dict[str, Callable[[str, str, str, str], PrinterUri]]
    parsers = {"tcp": _parse_tcp, "usb": _parse_usb, "serial": _parse_serial, "file": _parse_file}
    if scheme not in parsers:
        raise PrinterUriError(
            f"Unknown printer URI scheme {text.split('://', 1)[0]!r} in {uri!r} (use {SCHEMES})"
        )
    if parts.fragment or text.endswith("#"):
        raise _error(uri, "unexpected '#' fragment")
    if text.endswith("?") and not parts.query:
        raise _error(uri, "empty query")
    return parsers[scheme](uri, parts.netloc, parts.path, parts.query)
