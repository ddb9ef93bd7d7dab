"""Devices: render operations with python-escpos and send bytes to a printer URI.

This is the only module that imports ``escpos``, and it does so when first needed:
python-escpos (with Pillow and qrcode) takes a quarter of a second to import, which
the register's start must not pay. Network printers are written to with a plain
socket and a short timeout (python-escpos' ``Network`` waits 60 s by default).
"""

from __future__ import annotations

import errno
import os
import socket

from printer.encoding import Encoded, Raw
from printer.layout import Cut, DrawerKick, QrCode
from printer.uri import FileUri, NoPrinter, PrinterUri, SerialUri, TcpUri, UsbUri

QR_SIZE = 6
"""Native QR module size in dots (about 20 mm for a sale number on a 203 dpi printer)."""

DRAWER_PIN = 2
"""The cash drawer is kicked on connector pin 2 (``ESC p 0``)."""


class PrinterError(Exception):
    """Printing failed; ``str()`` is a one-line message for the cashier naming the printer."""


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
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise PrinterError(f"Printer {name} timed out while printing ({timeout:g} s)") from None
        except OSError as error:
            lost = (errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN, errno.ECONNABORTED)
            if isinstance(error, ConnectionError) or error.errno in lost:
                raise PrinterError(f"Printer {name} connection lost while printing") from None
            raise PrinterError(
                f"Printer {name} failed while printing: {_os_reason(error)}"
            ) from None


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
    finally:
        printer.close()


def _send_serial(uri: SerialUri, data: bytes, timeout: float) -> None:
    from escpos.printer import Serial

    printer = Serial(devfile=uri.device, baudrate=uri.baudrate, timeout=timeout)
    try:
        printer.open()
        printer.device.write_timeout = timeout
        printer._raw(data)
    finally:
        printer.close()


def send(uri: PrinterUri, data: bytes, timeout: float = 5.0) -> None:
    """Send already-rendered bytes to the printer ``uri``; raises :class:`PrinterError`.

    ``timeout`` bounds connecting and writing (seconds). ``none`` does nothing.
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
