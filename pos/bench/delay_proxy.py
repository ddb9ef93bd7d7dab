"""A TCP proxy that delays every byte by a round trip's worth: a far head office on loopback.

Each direction is delayed by half the round trip, chunk by chunk, without holding
back what follows (latency, not bandwidth). It counts *round trips*: the times the
client starts sending again after the server has answered, which is what a
protocol like PostgreSQL's pays in latency. Runs its own asyncio loop in a thread,
so that blocking code (SQLAlchemy, psycopg) can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType


class DelayProxy:
    """``127.0.0.1:port`` forwarding to ``host:target_port``, ``round_trip`` seconds away."""

    def __init__(self, host: str, target_port: int, round_trip: float) -> None:
        self.host = host
        self.target_port = target_port
        self.one_way = round_trip / 2
        self.round_trips = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> DelayProxy:
        """Listen (on a free port, :attr:`port`)."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = future.result(timeout=10)
        return self

    def close(self) -> None:
        """Stop listening, drop the connections, stop the loop."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        turn = {"server_spoke": True}
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, turn, upstream=True),
                self._pump(up_reader, writer, turn, upstream=False),
            )
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for end in (writer, up_writer):
                end.close()
            self._tasks.discard(task)

    async def _pump(
        self,
        source: asyncio.StreamReader,
        target: asyncio.StreamWriter,
        turn: dict[str, bool],
        upstream: bool,
    ) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    with contextlib.suppress(OSError):
                        target.write_eof()
                    return
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                target.write(data)
                await target.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await source.read(65536)
                if upstream and data and turn["server_spoke"]:
                    self.round_trips += 1
                    turn["server_spoke"] = False
                elif not upstream and data:
                    turn["server_spoke"] = True
                await queue.put((loop.time() + self.one_way, data))
                if not data:
                    break
            await sender
        finally:
            sender.cancel()
