"""The floor of the screen figures: a bare Textual app, an Input and a DataTable, nothing else.

On Enter it appends a row with the typed text. The benchmark sends it the same scanner
burst as the register and starts it cold in the same run, so that each screen figure
stands beside what Textual itself takes on this machine at this moment.

Also run as ``python -m pos.bench.bare cold`` in a fresh process: prints the seconds from
before the imports to the app ready (it imports nothing of the register); or
``python -m pos.bench.bare row CODE``: ``CODE`` and Enter typed as soon as the app is
ready, the seconds until its row is shown.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

SIZE = (120, 40)


class BareInput(Input):
    """Takes Enter itself, in key order: its text becomes a row, the field empties."""

    def __init__(self, table: DataTable[str]) -> None:
        super().__init__()
        self.table = table

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text, self.value = self.value, ""
            self.table.add_row(text)
            self.table.move_cursor(row=self.table.row_count - 1, animate=False)
            return
        await super()._on_key(event)


class BareApp(App[None]):
    """An Input and a DataTable."""

    def __init__(self) -> None:
        super().__init__()
        self.table: DataTable[str] = DataTable(cursor_type="row")
        self.field = BareInput(self.table)

    def compose(self) -> ComposeResult:
        yield self.table
        yield self.field

    def on_mount(self) -> None:
        self.table.add_column("code")
        self.field.focus()


def send_key(app: App[Any], char: str) -> None:
    """Queue one key on the app's driver, as a terminal delivers it (``\\n`` is Enter)."""
    driver = app._driver
    assert driver is not None
    event = events.Key("enter", "\r") if char == "\n" else events.Key(char, char)
    event.set_sender(app)
    driver.send_message(event)


async def type_burst(app: App[Any], codes: Sequence[str], key_ms: float) -> float:
    """Send each code and Enter on a scanner's clock: key ``i`` is due ``i × key_ms`` after
    the first (a busy app gets the keys that fell due meanwhile together, as from a real
    scanner, which never waits for the screen). The ``perf_counter`` of the first key."""
    keys = "".join(code + "\n" for code in codes)
    start = time.perf_counter()
    for index, char in enumerate(keys):
        due = start + index * key_ms / 1000
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        send_key(app, char)
    return start


async def burst_timing(
    app: App[Any], pilot: Any, codes: Sequence[str], key_ms: float, rows: Callable[[], int]
) -> dict[str, float]:
    """Type ``codes`` into ``app`` and wait (up to 60 s) until ``rows()`` shows them all and
    the screen has been painted. Seconds from the first key to the last row shown, and from
    the last key to it."""
    start = await type_burst(app, codes, key_ms)
    typed = time.perf_counter()
    deadline = typed + 60
    while rows() < len(codes) and time.perf_counter() < deadline:
        await asyncio.sleep(0.0005)
    await pilot.pause()
    shown = time.perf_counter()
    return {"seconds": shown - start, "after_last_key": shown - typed}


async def bare_burst(codes: Sequence[str], key_ms: float = 2.0) -> dict[str, Any]:
    """The scanner burst on the bare app: times, rows and whether they are in order."""
    app = BareApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        found = await burst_timing(app, pilot, codes, key_ms, lambda: app.table.row_count)
        texts = [str(app.table.get_row_at(index)[0]) for index in range(app.table.row_count)]
    found["registered"] = len(texts)
    found["in_order"] = texts == list(codes)
    return found


async def bare_scan_to_row(codes: Sequence[str], per_table: int = 5) -> list[float]:
    """Milliseconds from Enter on each code to its row in the bare app's table, the Enter
    queued on the driver (as :func:`pos.bench.pilot.scan_to_row` times the register; the
    table emptied every ``per_table`` rows, as the register's cart is)."""
    app = BareApp()
    samples: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for index, code in enumerate(codes):
            if index % per_table == 0:
                app.table.clear()
                await pilot.pause()
            expected = app.table.row_count + 1
            app.field.value = code
            start = time.perf_counter()
            send_key(app, "\n")
            while app.table.row_count < expected:
                await asyncio.sleep(0.0002)
            samples.append((time.perf_counter() - start) * 1000)
            await pilot.pause()
    return samples


async def painted(app: App[Any], pilot: Any) -> None:
    """Wait until what ``app`` was asked to show is on its screen: every widget has handled
    its messages and the screen has been refreshed after that. (Not ``Pilot.pause``, which
    also waits for the whole process to be idle: a register building itself in a worker
    thread behind its painted screen is not.)"""
    await pilot._wait_for_screen()
    refreshed = asyncio.get_running_loop().create_future()
    app.screen.call_after_refresh(refreshed.set_result, None)
    await refreshed


async def _cold(started: float) -> dict[str, float]:
    imported = time.perf_counter()
    app = BareApp()
    async with app.run_test(size=SIZE) as pilot:
        await painted(app, pilot)
        ready = time.perf_counter()
        cpu = time.process_time()  # as the register's cold start counts it
    return {
        "seconds": ready - started,
        "imports": imported - started,
        "app": ready - imported,
        "cpu": cpu,
    }


async def _first_row(code: str, started: float) -> dict[str, float]:
    app = BareApp()
    async with app.run_test(size=SIZE) as pilot:
        await painted(app, pilot)
        shown = time.perf_counter()
        for char in code + "\n":
            send_key(app, char)
        while app.table.row_count < 1:
            await asyncio.sleep(0.0005)
        await painted(app, pilot)
        row = time.perf_counter()
        cpu = time.process_time()
    return {"seconds": row - started, "screen": shown - started, "cpu": cpu, "lines": 1}


def main(argv: list[str]) -> int:
    """``cold [STARTED]`` or ``row CODE [STARTED]``: print one JSON object."""
    if argv[0] == "row":
        started = float(argv[2]) if len(argv) > 2 else time.perf_counter()
        print(json.dumps(asyncio.run(_first_row(argv[1], started))))
        return 0
    started = float(argv[1]) if len(argv) > 1 else time.perf_counter()
    print(json.dumps(asyncio.run(_cold(started))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
