"""A real PostgreSQL server for the chain-sync tests, started on loopback (pytest plugin).

``postgres_server`` (session scope) runs ``initdb`` and ``pg_ctl`` from the
PostgreSQL server binaries (on PATH or in ``/usr/lib/postgresql/*/bin``; .ci/run
installs the ``postgresql`` package when they are missing) in a temporary
directory, on a free port of 127.0.0.1, and stops it after the session. initdb
refuses to run as root, so as root the server runs as the ``postgres`` user
(or ``nobody``). ``hq_url`` gives each test a new head-office database, copied
from a template that the migrations built once. ``TcpProxy`` stands between a
register and the server so that a test can pull the cable.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

from pos.sync import central


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its port and the URL of a database on it."""

    port: int

    def url(self, database: str = "postgres") -> str:
        """``postgresql://`` URL of ``database`` on this server."""
        return f"postgresql://pos@127.0.0.1:{self.port}/{database}"


def _binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server binaries as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        os.chown(folder, user.pw_uid, user.pw_gid)
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", name, "--"]
        return ["su", name, "-s", "/bin/sh", "-c", '"$0" "$@"']
    pytest.skip("PostgreSQL tests need an unprivileged user to run the server as (root here)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1, stopped and deleted after the session."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install the 'postgresql' "
            "package (.ci/run does) to run the chain-sync tests"
        )
    # As root, the server's user must reach the folder: /tmp, whatever TMPDIR says.
    folder = Path(tempfile.mkdtemp(prefix="pos-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    prefix = _as_server_user(folder)
    data = folder / "data"
    port = _free_port()
    run = [*prefix, str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "pos",
             "-E", "UTF8", "--no-sync", "--no-instructions"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            [*run, "-o", options, "-l", str(folder / "server.log"), "-w", "-t", "60", "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc}\n{detail}") from exc
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run([*run, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


_numbers = count(1)


@pytest.fixture(scope="session")
def hq_template(postgres_server: PostgresServer) -> str:
    """A head-office database built by ``pos hq init``'s migrations, copied for each test."""
    _execute(postgres_server, "CREATE DATABASE hq_template")
    engine = central.make_hq_engine(postgres_server.url("hq_template"))
    central.init_hq(engine)
    engine.dispose()
    return "hq_template"


@pytest.fixture
def hq_url(postgres_server: PostgresServer, hq_template: str) -> Iterator[str]:
    """A new, migrated head-office database for one test."""
    name = f"hq_{os.getpid()}_{next(_numbers)}"
    _execute(postgres_server, f"CREATE DATABASE {name} TEMPLATE {hq_template}")
    yield postgres_server.url(name)
    _execute(postgres_server, f"DROP DATABASE {name} WITH (FORCE)")


def _execute(server: PostgresServer, statement: str) -> None:
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as connection:
        connection.execute(statement.encode())


class TcpProxy:
    """A TCP relay on 127.0.0.1 to ``port``; :meth:`cut` drops every connection at once.

    With ``cut_after`` bytes sent from client to server, the relay drops the
    connection by itself once that many have passed (mid-conversation).
    """

    def __init__(self, port: int) -> None:
        self.target = port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.cut_after: int | None = None
        self.sent = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, database: str) -> str:
        """The URL of ``database`` through this relay."""
        return f"postgresql://pos@127.0.0.1:{self.port}/{database}"

    def cut(self) -> None:
        """Drop every relayed connection (the network cable is pulled)."""
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def close(self) -> None:
        """Stop relaying."""
        self._stop.set()
        self.cut()
        self._thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._open += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if upstream:
                    self.sent += len(chunk)
                    if self.cut_after is not None and self.sent >= self.cut_after:
                        self.cut_after = None
                        self.cut()
                        return
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
