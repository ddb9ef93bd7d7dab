"""``printer.device``: sending to TCP (a server thread on 127.0.0.1), files and ``none``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import printer
from printer import (
    FileUri,
    NoPrinter,
    PrinterError,
    SerialUri,
    TcpUri,
    UsbUri,
    encode,
    render_bytes,
    send,
)
from printer.layout import Cut, DrawerKick, QrCode, TextRow
from tests.helpers import READY, closed_port, serve_printer

WAIT = 5.0
"""Upper bound for anything these tests wait for."""

BIG = 64 * 1024 * 1024
"""More than the kernel buffers hold, so a peer that does not read blocks the sender."""


class Server:
    """A one-connection TCP server on 127.0.0.1 behaving as told."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.listener = socket.socket()
        if mode != "read":
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(WAIT)
        self.port: int = self.listener.getsockname()[1]
        self.received = bytearray()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        """Accept one connection: read it all, never read, or read a little and close."""
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(WAIT)
            if self.mode == "read":
                self.received += serve_printer(connection, READY)
            elif self.mode == "stall":
                self.release.wait(WAIT)
            else:
                self.received += connection.recv(1024)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")

    def stop(self) -> None:
        """Let the thread finish and close the listener."""
        self.release.set()
        self.thread.join(WAIT)
        self.listener.close()
        assert not self.thread.is_alive()


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server in the mode given by indirect parametrization (default: reads everything)."""
    running = Server(getattr(request, "param", "read"))
    yield running
    running.stop()


def test_render_bytes_uses_native_qr_cut_and_drawer() -> None:
    data = render_bytes(encode([DrawerKick(), TextRow("测试"), QrCode("S1"), Cut()]))
    assert data.startswith(b"\x1b@\x1bp\x0022")
    assert b"\x1d(k\x05\x001P0S1" in data  # GS ( k: store the QR data
    assert b"\x1d(k\x03\x001C\x06" in data  # module size 6
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, full cut


def test_tcp_receives_exactly_the_bytes(server: Server) -> None:
    data, _ = printer.render(printer.test_page(f"tcp://127.0.0.1:{server.port}", "gbk"), 80)
    send(TcpUri("127.0.0.1", server.port), data, timeout=WAIT)
    server.thread.join(WAIT)
    assert bytes(server.received) == data


def test_tcp_refused_quickly() -> None:
    port = closed_port()
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        send(TcpUri("127.0.0.1", port), b"x", timeout=WAIT)
    assert time.monotonic() - started < WAIT
    assert str(raised.value) == f"Printer tcp://127.0.0.1:{port} refused the connection"


@pytest.mark.parametrize("server", ["stall"], indirect=True)
def test_tcp_peer_that_never_reads_times_out(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        send(TcpUri("127.0.0.1", server.port), bytes(BIG), timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.4 < elapsed < 3.0
    message = str(raised.value)
    assert message == f"Printer tcp://127.0.0.1:{server.port} timed out while printing (0.5 s)"


@pytest.mark.parametrize("server", ["close"], indirect=True)
def test_tcp_connection_lost_mid_job(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        send(TcpUri("127.0.0.1", server.port), bytes(BIG), timeout=WAIT)
    assert time.monotonic() - started < WAIT
    assert str(raised.value) == (
        f"Printer tcp://127.0.0.1:{server.port} connection lost while printing"
    )
    assert "\n" not in str(raised.value)


def test_file_appends(tmp_path: Path) -> None:
    path = tmp_path / "receipt.bin"
    send(FileUri(path), b"\x1b@first\n")
    send(FileUri(path), b"\x1b@second\n")
    assert path.read_bytes() == b"\x1b@first\n\x1b@second\n"


def test_file_in_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "receipt.bin"
    with pytest.raises(PrinterError) as raised:
        send(FileUri(path), b"x")
    assert str(raised.value).startswith(f"Printer file://{path} cannot write")


def test_none_does_nothing(tmp_path: Path) -> None:
    send(NoPrinter(), b"anything")
    assert list(tmp_path.iterdir()) == []


def test_missing_serial_device_is_a_printer_error(tmp_path: Path) -> None:
    device = str(tmp_path / "ttyUSB9")
    with pytest.raises(PrinterError) as raised:
        send(SerialUri(device), b"x", timeout=0.5)
    message = str(raised.value)
    assert message.startswith(f"Printer serial://{device}?baudrate=9600 failed")
    assert "\n" not in message


def test_missing_usb_device_is_a_printer_error() -> None:
    with pytest.raises(PrinterError) as raised:
        send(UsbUri(0xFFFE, 0xFFFD), b"x", timeout=0.5)
    assert str(raised.value).startswith("Printer usb://0xfffe:0xfffd failed")
    assert "\n" not in str(raised.value)
