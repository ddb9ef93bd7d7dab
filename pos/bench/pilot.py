"""Checkout-screen measurements through Textual's Pilot, on the app ``pos run`` builds.

Also run as ``python -m pos.bench.pilot rss DB [SCANS]`` in a fresh process: prints the
peak resident memory (MB) after 100 scans (or SCANS). The cold start is pos.bench.cold's.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.scan_input import ScanInput
from pos.bench.bare import burst_timing, send_key
from pos.bench.cold import SIZE, bench_settings
from pos.enums import DrugClass
from pos.models import Barcode, Lot, Product
from pos.register.staff.overrides import Approval
from pos.store.db import open_database

LINES_PER_CART = 5


def scannable(path: Path, count: int, offset: int = 0) -> list[tuple[str, str]]:
    """(barcode, SKU) of ``count`` distinct products a cashier can sell now (not Rx or
    restricted, plenty of stock that has not expired), from the most popular on."""
    engine, sessions = open_database(path)
    try:
        with sessions() as session:
            today = date.today()
            rows = session.execute(
                select(Barcode.code, Product.sku)
                .join(Product, Barcode.product_id == Product.id)
                .where(
                    Barcode.position == 0,
                    Product.active.is_(True),
                    Product.drug_class != DrugClass.RX,
                    Product.restricted == "",
                    Product.id.in_(
                        select(Lot.product_id).where(Lot.expiry > today, Lot.quantity >= 20)
                    ),
                )
                .order_by(Product.id)
                .offset(offset)
                .limit(count)
            ).all()
    finally:
        engine.dispose()
    return [(code, sku) for code, sku in rows]


async def _ready(app: PosApp, pilot: Any) -> CheckoutScreen:
    """The checkout screen once shown, with an empty cart (the register resumes a saved
    cart: one left by an earlier session must not count)."""
    while not isinstance(app.screen, CheckoutScreen):
        await pilot.pause()
    app.screen.refresh_cart(app.register.clear_cart(Approval("void", "bench")))
    await pilot.pause()
    return app.screen


async def scan_to_row(path: Path, codes: list[str], press: bool = False) -> list[float]:
    """Milliseconds from Enter on each code to its row being in the cart table.

    Enter goes through the driver's queue as a terminal delivers it, or with
    ``press`` through ``Pilot.press`` (which also waits for the app to go idle).
    The cart is emptied every :data:`LINES_PER_CART` scans (outside the timing).
    """
    engine, sessions = open_database(path, autocheckpoint=False)  # as the register opens it
    app = build_app(bench_settings(path), sessions)
    samples: list[float] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await _ready(app, pilot)
            scan = screen.query_one(ScanInput)
            table = screen.query_one(CartTable)
            for index, code in enumerate(codes):
                if index % LINES_PER_CART == 0:
                    screen.refresh_cart(app.register.clear_cart(Approval("void", "bench")))
                    await pilot.pause()
                expected = table.row_count + 1
                scan.value = code
                start = time.perf_counter()
                if press:
                    await pilot.press("enter")
                else:
                    send_key(app, "\n")
                while table.row_count < expected:
                    await asyncio.sleep(0.0002)
                samples.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
            app.register.clear_cart(Approval("void", "bench"))
    finally:
        engine.dispose()
    return samples


async def press_overhead(path: Path, count: int) -> list[float]:
    """Milliseconds of ``Pilot.press("enter")`` on an empty scan field (which does nothing)."""
    engine, sessions = open_database(path, autocheckpoint=False)  # as the register opens it
    app = build_app(bench_settings(path), sessions)
    samples: list[float] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _ready(app, pilot)
            for _ in range(count):
                start = time.perf_counter()
                await pilot.press("enter")
                samples.append((time.perf_counter() - start) * 1000)
    finally:
        engine.dispose()
    return samples


async def scanner_burst(
    path: Path, codes: list[tuple[str, str]], key_ms: float = 2.0
) -> dict[str, Any]:
    """Send every code and Enter as a scanner does, one key every ``key_ms``; check the cart.

    Returns the seconds from the first key until the last scan's row was shown in the
    cart table (or the wait gave up), and from the last key; how many lines arrived and
    whether their SKUs are in scan order. Timed as :func:`pos.bench.bare.bare_burst`
    times the bare app, the floor it is compared with.
    """
    engine, sessions = open_database(path, autocheckpoint=False)  # as the register opens it
    app = build_app(bench_settings(path), sessions)
    service = _timed_service(app, ("scan", "offer", "suggestions", "warnings"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await _ready(app, pilot)
            table = screen.query_one(CartTable)
            service.clear()
            found = await burst_timing(
                app, pilot, [code for code, _sku in codes], key_ms, lambda: table.row_count
            )
            service_seconds = sum(service)
            skus = [line.sku for line in app.register.cart().lines]
            app.register.clear_cart(Approval("void", "bench"))
    finally:
        engine.dispose()
    return found | {
        "service_seconds": service_seconds,
        "registered": len(skus),
        "in_order": skus == [sku for _code, sku in codes],
    }


def _timed_service(app: PosApp, names: tuple[str, ...]) -> list[float]:
    """Wrap the register methods ``names`` of ``app``: the seconds of each call go to the
    returned list (to tell the service's share of a burst from Textual's)."""
    spent: list[float] = []
    register = app.register
    for name in names:
        method = getattr(register, name)

        def timed(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - start)

        setattr(register, name, timed)
    return spent


def peak_rss_mb() -> float | None:
    """This process's peak resident memory (``VmHWM``, Linux), in MB.

    ``ru_maxrss`` is not used first: a child started by a large process can report
    the parent's resident size, which its forked copy had before ``exec``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    """``rss DB [SCANS]``: print one JSON object."""
    path = Path(argv[1])
    codes = [code for code, _sku in scannable(path, int(argv[2]) if len(argv) > 2 else 100)]
    samples = asyncio.run(scan_to_row(path, codes))
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rss_mb": peak_rss_mb() or maxrss_mb, "maxrss_mb": maxrss_mb,
                      "scans": len(samples)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
