"""Devices: render operations with python-escpos and send bytes to a printer URI.

This is the only module that imports ``escpos``, and it does so when first needed:
python-escpos (with Pillow and qrcode) takes a quarter of a second to import, which
the register's start must not pay. Network printers are written to with a plain
socket and a short timeout (python-escpos' ``Network`` waits 60 s by default).

A job counts as printed only when the printer says so: after the job's bytes,
:func:`send` asks the printer's real-time status (``DLE EOT n``, the commands behind
python-escpos' ``query_status``, ``is_online`` and ``paper_status``) and raises
:class:`PrinterError` with the reason when the connection hangs or drops, the
printer does not answer in time, or it answers paper out, cover open, error or
offline. A ``file://`` printer cannot answer: a write that reached the disk is
trusted as printed. ``none`` prints nothing.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from typing import TYPE_CHECKING

from printer.encoding import Encoded, Raw
from printer.layout import Cut, DrawerKick, QrCode
from printer.uri import FileUri, NoPrinter, PrinterUri, SerialUri, TcpUri, UsbUri

if TYPE_CHECKING:
    from escpos.escpos import Escpos

QR_SIZE = 6
"""Native QR module size in dots (about 20 mm for a sale number on a 203 dpi printer)."""

DRAWER_PIN = 2
"""The cash drawer is kicked on connector pin 2 (``ESC p 0``)."""


STATUS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")
"""``DLE EOT n`` for n = 1 (printer), 2 (offline cause), 4 (roll paper sensor): one byte each."""

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
"""Bits 1 and 4 of every real-time status byte are 1, bits 0 and 7 are 0."""

_OFFLINE = 0x08  # n = 1: offline
_COVER_OPEN, _PAPER_STOP, _ERROR = 0x04, 0x20, 0x40  # n = 2: why offline
_PAPER_END = 0x60  # n = 4: roll paper end detected


class PrinterError(Exception):
    """Printing failed; ``str()`` is a one-line message for the cashier naming the printer."""


def status_problem(answer: bytes) -> str | None:
    """Why a printer that answered :data:`STATUS_QUERIES` with ``answer`` cannot print, or None.

    Paper near its end still prints; paper out, cover open, an error or offline do not.
    """
    if len(answer) < len(STATUS_QUERIES):
        return "did not answer its status"
    printer_byte, cause, paper = answer[: len(STATUS_QUERIES)]
    if any(byte & _FIXED_MASK != _FIXED_BITS for byte in (printer_byte, cause, paper)):
        return f"answered an unknown status ({answer.hex(' ')})"
    if paper & _PAPER_END or cause & _PAPER_STOP:
        return "paper out"
    if cause & _COVER_OPEN:
        return "cover open"
    if cause & _ERROR:
        return "printer error"
    if printer_byte & _OFFLINE:
        return "offline"
    return None


def preload() -> None:
    """Import python-escpos now (from a worker thread) so the first receipt renders at once."""
    import escpos.printer  # noqa: F401


def render_bytes(encoded: Encoded) -> bytes:
    """The ESC/POS bytes of ``encoded``, produced by python-escpos' ``Dummy`` printer."""
    from escpos.printer import Dummy

    printer = Dummy()
    for operation in encoded.operations:
        if isinstance(operation, Raw):
            printer._raw(operation.data)
        elif isinstance(operation, QrCode):
            printer.qr(operation.data, size=QR_SIZE, native=True)
        elif isinstance(operation, Cut):
            printer.cut()
        elif isinstance(operation, DrawerKick):
            printer.cashdraw(DRAWER_PIN)
    output: bytes = printer.output
    return output


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _os_reason(error: OSError) -> str:
    return _one_line(error.strerror or error) or type(error).__name__


def _lost(error: OSError) -> bool:
    lost = (errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN, errno.ECONNABORTED)
    return isinstance(error, ConnectionError) or error.errno in lost


def _read_status(connection: socket.socket, timeout: float) -> bytes:
    """The status bytes the printer answers within ``timeout`` (b'' at EOF: dropped)."""
    deadline = time.monotonic() + timeout
    answer = b""
    while len(answer) < len(STATUS_QUERIES):
        connection.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = connection.recv(len(STATUS_QUERIES) - len(answer))
        if not chunk:
            raise ConnectionResetError(errno.ECONNRESET, "closed")
        answer += chunk
    return answer


def _send_tcp(uri: TcpUri, data: bytes, timeout: float) -> None:
    name = str(uri)
    try:
        connection = socket.create_connection((uri.host, uri.port), timeout=timeout)
    except ConnectionRefusedError:
        raise PrinterError(f"Printer {name} refused the connection") from None
    except TimeoutError:
        raise PrinterError(f"Printer {name} timed out connecting ({timeout:g} s)") from None
    except socket.gaierror:
        raise PrinterError(f"Printer {name}: unknown host {uri.host!r}") from None
    except OSError as error:
        raise PrinterError(f"Printer {name} cannot be reached: {_os_reason(error)}") from None
    with connection:
        try:
            connection.sendall(data + b"".join(STATUS_QUERIES))
        except TimeoutError:
            raise PrinterError(f"Printer {name} timed out while printing ({timeout:g} s)") from None
        except OSError as error:
            if _lost(error):
                raise PrinterError(f"Printer {name} connection lost while printing") from None
            raise PrinterError(
                f"Printer {name} failed while printing: {_os_reason(error)}"
            ) from None
        try:
            answer = _read_status(connection, timeout)
        except TimeoutError:
            raise PrinterError(
                f"Printer {name} did not answer its status ({timeout:g} s)"
            ) from None
        except OSError as error:
            if _lost(error):
                raise PrinterError(f"Printer {name} connection lost while printing") from None
            raise PrinterError(
                f"Printer {name} failed while printing: {_os_reason(error)}"
            ) from None
    problem = status_problem(answer)
    if problem is not None:
        raise PrinterError(f"Printer {name}: {problem}")


def _send_file(uri: FileUri, data: bytes) -> None:
    try:
        with uri.path.open("ab") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        raise PrinterError(f"Printer {uri} cannot write {uri.path}: {_os_reason(error)}") from None


def _send_usb(uri: UsbUri, data: bytes, timeout: float) -> None:
    from escpos.printer import Usb

    printer = Usb(uri.vendor_id, uri.product_id, timeout=max(1, round(timeout * 1000)))
    try:
        printer.open()
        printer._raw(data)
        _check_status(uri, printer)
    finally:
        printer.close()


def _send_serial(uri: SerialUri, data: bytes, timeout: float) -> None:
    from escpos.printer import Serial

    printer = Serial(devfile=uri.device, baudrate=uri.baudrate, timeout=timeout)
    try:
        printer.open()
        printer.device.write_timeout = timeout
        printer._raw(data)
        _check_status(uri, printer)
    finally:
        printer.close()


def _check_status(uri: UsbUri | SerialUri, device: Escpos) -> None:
    """Ask a USB or serial printer its status after a job (python-escpos ``query_status``)."""
    answer = b"".join(bytes(device.query_status(query))[:1] for query in STATUS_QUERIES)
    problem = status_problem(answer)
    if problem is not None:
        raise PrinterError(f"Printer {uri}: {problem}")


def send(uri: PrinterUri, data: bytes, timeout: float = 5.0) -> None:
    """Send already-rendered bytes to the printer ``uri``; raises :class:`PrinterError`.

    Returns only when the printer confirmed it can print (its real-time status answered
    OK) or, for ``file://``, when the bytes are on disk. ``timeout`` bounds connecting,
    writing and waiting for the status (seconds). ``none`` does nothing.
    """
    if isinstance(uri, NoPrinter):
        return
    if isinstance(uri, TcpUri):
        _send_tcp(uri, data, timeout)
        return
    if isinstance(uri, FileUri):
        _send_file(uri, data)
        return
    from escpos.exceptions import Error as EscposError

    try:
        if isinstance(uri, UsbUri):
            _send_usb(uri, data, timeout)
        else:
            _send_serial(uri, data, timeout)
    except TimeoutError:
        raise PrinterError(f"Printer {uri} timed out ({timeout:g} s)") from None
    except (OSError, EscposError, ValueError, RuntimeError, AssertionError) as error:
        reason = _one_line(error) or type(error).__name__
        raise PrinterError(f"Printer {uri} failed: {reason}") from None
