"""Small helpers shared by tests."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual import events
from textual._time import get_time
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot

from pos.models import Barcode, Product

TESTS = Path(__file__).resolve().parent
"""The tests' top folder (shared helpers, ``golden/``), wherever a test module sits below it."""
ROOT = TESTS.parent
"""The repository's root."""


def empty_config(folder: Path) -> str:
    """An empty configuration file in ``folder``, for ``POS_CONFIG``: no user config is read.

    (``POS_CONFIG`` naming a missing file is an error, as ``--config`` is.)
    """
    path = folder / "empty-config.toml"
    path.touch()
    return str(path)


def barcode_of(sessions: sessionmaker[Session], sku: str) -> str:
    """The first barcode of the product with ``sku``."""
    with sessions() as session:
        code = session.scalar(
            select(Barcode.code)
            .join(Product)
            .where(Product.sku == sku)
            .order_by(Barcode.position)
            .limit(1)
        )
    assert code is not None, sku
    return code


PERSON_KEY_GAP = 0.05
"""Seconds between a person's keys (pos.app.widgets.scan_hold tells scanners by this gap)."""


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key, as a person would.

    Each key is handled before the next is sent, like ``pilot.press``; the keys'
    time stamps are a person's, :data:`PERSON_KEY_GAP` apart and ending that long
    before now, so that the register never takes fast test typing for a scan.
    """
    app = pilot.app
    driver = app._driver
    assert driver is not None
    start = get_time() - (len(text) + 1) * PERSON_KEY_GAP
    for index, char in enumerate(text):
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.time = start + index * PERSON_KEY_GAP
        event.set_sender(app)
        driver.send_message(event)
        await pilot.pause()


def burst(app: App[Any], text: str, *keys: str) -> None:
    """Queue every key of ``text`` at once, as a barcode scanner does ("\\n" is Enter).

    Unlike ``pilot.press`` this does not wait between keys: all keys are in the
    app's queue before the first is handled. Named ``keys`` (``"f12"``) follow.
    """
    driver = app._driver
    assert driver is not None
    events_to_send: list[events.Key] = []
    for char in text:
        if char == "\n":
            events_to_send.append(events.Key("enter", "\r"))
        elif char == "*":
            events_to_send.append(events.Key("asterisk", "*"))
        else:
            events_to_send.append(events.Key(char, char))
    events_to_send.extend(events.Key(key, None) for key in keys)
    for event in events_to_send:
        event.set_sender(app)
        driver.send_message(event)


def keys(app: App[Any], *sequence: str) -> None:
    """Queue a mixed sequence at once: single characters, or key names like ``f12``."""
    for item in sequence:
        if len(item) == 1 or item == "\n":
            burst(app, item)
        else:
            burst(app, "", item)


def screen_text(app: App[Any]) -> str:
    """Everything the screen shows, as plain text lines (what a cashier sees)."""
    screen = app.screen
    strips = screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on (a printer that is off)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


READY = {1: 0x12, 2: 0x12, 4: 0x12}
"""Real-time status answers (``DLE EOT n`` → one byte) of a printer that can print."""

PAPER_OUT = {1: 0x12 | 0x08, 2: 0x12 | 0x20, 4: 0x12 | 0x60}
"""Offline because the paper ran out (printer, offline cause, roll paper sensor)."""


def serve_printer(connection: socket.socket, answers: dict[int, int]) -> bytes:
    """Read one job until the sender closes, answering each ``DLE EOT n`` from ``answers``.

    Returns the job's bytes without the status queries (a printer does not print them).
    """
    job = bytearray()
    pending = bytearray()
    while chunk := connection.recv(65536):
        pending += chunk
        while (at := pending.find(b"\x10\x04")) >= 0 and len(pending) >= at + 3:
            job += pending[:at]
            connection.sendall(bytes([answers[pending[at + 2]]]))
            del pending[: at + 3]
        keep = 2 if pending.endswith(b"\x10\x04") else 1 if pending.endswith(b"\x10") else 0
        job += pending[: len(pending) - keep]
        del pending[: len(pending) - keep]
    return bytes(job + pending)


class PrinterServer:
    """A network receipt printer on 127.0.0.1: keeps the bytes of each connection as a job.

    ``behaviour``: ``ready`` prints and answers its status OK, ``paper_out`` takes the
    job and answers paper out, ``hang`` accepts and never reads, ``drop`` reads 200
    bytes and drops the connection.
    """

    def __init__(self, port: int = 0, behaviour: str = "ready") -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen()
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.behaviour = behaviour
        self.jobs: list[bytes] = []
        self._held: list[socket.socket] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def uri(self) -> str:
        """The printer URI of this server."""
        return f"tcp://127.0.0.1:{self.port}"

    def __enter__(self) -> PrinterServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._socket.accept()
            except TimeoutError:
                continue
            if self.behaviour == "hang":
                self._held.append(connection)  # never read, closed at the end
                continue
            with connection:
                connection.settimeout(5)
                if self.behaviour == "drop":
                    job = connection.recv(200, socket.MSG_WAITALL)
                    linger = b"\x01\0\0\0\0\0\0\0"  # close with a reset, unread bytes lost
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                else:
                    answers = PAPER_OUT if self.behaviour == "paper_out" else READY
                    job = serve_printer(connection, answers)
            with self._changed:
                self.jobs.append(job)
                self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs, once ``count`` have arrived (or the timeout passed)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)
