"""The register's cold start, in a fresh process, as ``pos`` starts it (:func:`register_app`:
the first screen painted, the store opened and the register built in a worker behind it).

Run as ``python -m pos.bench.cold screen DB [STARTED]`` (after ``import pos.cli``, as ``pos``
starts; the bench's settings in ``POS_*`` variables, :func:`bench_environment`): the seconds
from before the imports to the checkout screen painted with the scan field focused (keys are
taken from then on); or ``python -m pos.bench.cold scan DB CODE [STARTED]``: ``CODE`` and
Enter typed as soon as that screen is there, the seconds until its row is shown in the cart.
Each prints one JSON object. This module imports what ``pos`` imports to start, and the
bench's own light parts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from pos.app import PosApp, register_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.scan_input import ScanInput
from pos.bench.bare import painted, send_key
from pos.config import Settings

SIZE = (120, 40)


OVERRIDES: dict[str, dict[str, Any]] = {
    "register": {"require_login": False},  # time selling, not logging in
    "printer": {"uri": "none", "retry_seconds": 3600},  # no printer, no retry timer
    "backup": {"daily": False},  # a real register's start-up backup would run meanwhile
}
"""The bench's register settings over the defaults (the cold starts get them as ``POS_*``
variables: :func:`bench_environment`)."""


def bench_settings(path: Path) -> Settings:
    """Settings on ``path``, no printer, the print retry timer out of the way."""
    return Settings(
        register={**OVERRIDES["register"], "database": path},
        printer=OVERRIDES["printer"],
        backup=OVERRIDES["backup"],
    )


def bench_environment(config: Path) -> dict[str, str]:
    """:data:`OVERRIDES` as ``pos`` reads them from the environment, with ``config`` (an
    empty file) as its configuration: a machine's own ``pos.toml`` does not count."""
    found = {"POS_CONFIG": str(config)}
    for section, values in OVERRIDES.items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            found[f"POS_{section.upper()}__{key.upper()}"] = text
    return found


def started_as_pos(path: Path) -> Settings:
    """What ``pos --db PATH run`` does before it builds the app: its arguments parsed, its
    settings read (:func:`pos.cli.settings_for`), its language set."""
    from pos import i18n
    from pos.cli import parse_args, settings_for

    settings = settings_for(parse_args(["--db", str(path), "run"]))
    i18n.setup(settings.locale)
    return settings


async def checkout_painted(app: PosApp, pilot: Any) -> CheckoutScreen:
    """The checkout screen once painted with the scan field focused."""
    while not (isinstance(app.screen, CheckoutScreen) and isinstance(app.focused, ScanInput)):
        await painted(app, pilot)
    screen = app.screen
    await painted(app, pilot)
    return screen


async def _until_ready(app: PosApp, screen: CheckoutScreen, pilot: Any) -> None:
    """Wait for the register built behind the screen (a failure ends the measurement)."""
    while not screen.started:
        if app.start_failure is not None:
            raise SystemExit(app.start_failure)
        await asyncio.sleep(0.001)


async def _screen(path: Path, started: float) -> dict[str, float]:
    settings = started_as_pos(path)
    imported = time.perf_counter()
    app = register_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checkout_painted(app, pilot)
        shown = time.perf_counter()
        cpu = time.process_time()  # every thread's, the interpreter's start included
        await _until_ready(app, screen, pilot)
        ready = time.perf_counter()
    return {
        "seconds": shown - started,
        "imports": imported - started,
        "app": shown - imported,
        "register": ready - shown,
        "cpu": cpu,
    }


async def _scan(path: Path, code: str, started: float) -> dict[str, float]:
    app = register_app(started_as_pos(path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await checkout_painted(app, pilot)
        shown = time.perf_counter()
        for char in code + "\n":
            send_key(app, char)
        table = screen.query_one(CartTable)
        while not (screen.started and table.row_count >= 1):
            if app.start_failure is not None:
                raise SystemExit(app.start_failure)
            await asyncio.sleep(0.0005)
        await painted(app, pilot)
        row = time.perf_counter()
        cpu = time.process_time()
        lines = len(app.register.cart().lines)
        from pos.register.staff.overrides import Approval  # after the timing

        app.register.clear_cart(Approval("void", "bench"))  # the next start finds it empty
    return {"seconds": row - started, "screen": shown - started, "cpu": cpu, "lines": lines}


def main(argv: list[str]) -> int:
    """``screen DB [STARTED]`` or ``scan DB CODE [STARTED]``: print one JSON object."""
    mode, path = argv[0], Path(argv[1])
    if mode == "screen":
        started = float(argv[2]) if len(argv) > 2 else time.perf_counter()
        print(json.dumps(asyncio.run(_screen(path, started))))
        return 0
    started = float(argv[3]) if len(argv) > 3 else time.perf_counter()
    print(json.dumps(asyncio.run(_scan(path, argv[2], started))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
