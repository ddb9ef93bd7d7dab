"""A register process for tests/store/test_crash.py: the real app, headless, driven by keys.

:func:`run` is the target of a child process (tests/store/test_crash.py forks it from a
multiprocessing fork server that has imported this module, which makes starting one
cheap). It opens the store as ``pos run`` does (on the tests' fixed clock, without
login) and runs the app headless under a Pilot. It first reports the cart it
resumed, then does MODE, reporting each stage as one JSON message on its pipe, and
waits to be killed (SIGKILL); it gives up after a minute. Modes:

- ``build``: each STEP is a code to scan (the scanner's keys and Enter) or a key
  name in brackets (``[f9]``); the cart is reported after each step.
- ``open``: scan the STEPs, press F12, acknowledge the guidance and warning
  prompts with F9 and report ``payment-open`` once the payment modal shows.
- ``pay``: as ``open`` (reported as ``paying``), then Enter pays the exact amount
  in cash; ``sold`` once the checkout screen is back with an empty cart. With a
  kill point, the process SIGKILLs itself at that point of the sale's transaction
  (:func:`die_in_the_sale`: event listeners of this test driver, nothing in the app).
- ``show``: only report the resumed cart, then quit normally.

Reports carry ``t``, ``time.monotonic()``: the same clock as the test's on Linux.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from textual.pilot import Pilot

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal, PharmacistModal
from pos.app.modals.sale.payment import PaymentModal
from pos.config import Settings
from pos.models import Sale
from pos.store.bootstrap import ensure_store
from tests.helpers import burst

# The tests' clock (tests/conftest.py NOW), without importing pytest into the register.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
IDLE_LIMIT = 60.0
"""Seconds the process waits to be killed before it exits by itself."""


def fixed_clock() -> datetime:
    """The tests' clock: always NOW."""
    return NOW


_reports: list[Connection] = []


def report(event: str, **data: Any) -> None:
    """One JSON message to the test."""
    message = json.dumps({"event": event, "t": time.monotonic(), **data}, ensure_ascii=False)
    _reports[0].send_bytes(message.encode())


def snapshot(app: PosApp) -> dict[str, Any]:
    """The cart as the register holds it: member, lines, warnings and what is still pending."""
    register = app.register
    cart = register.cart()
    return {
        "member": cart.member.card_no if cart.member else None,
        "lines": [[line.sku, line.qty, line.guidance_given] for line in cart.lines],
        "warnings": sorted(warning.key for warning in register.warnings()),
        "pending": [check.key for check in register.pending_checks()],
    }


async def until(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    """Let the app run until ``ready()`` holds (10 s at most)."""
    deadline = time.monotonic() + 10
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await pilot.pause(0.005)


async def step(pilot: Pilot[Any], app: PosApp, text: str) -> None:
    """Scan ``text`` as a scanner does, or press ``[key]``; return once the cart shows it."""
    before = snapshot(app)
    if text.startswith("["):
        await pilot.press(text.strip("[]"))
    else:
        burst(app, text + "\n")
    await until(pilot, lambda: snapshot(app) != before, f"the cart did not change on {text}")


async def open_payment(pilot: Pilot[Any], app: PosApp) -> None:
    """F12, acknowledging each guidance or warning prompt (a pharmacist signs the warnings
    only a pharmacist may acknowledge), until the payment modal shows."""
    await pilot.press("f12")
    while not isinstance(app.screen, PaymentModal):
        if isinstance(app.screen, AcknowledgeModal):
            await pilot.press("f9")
        elif isinstance(app.screen, PharmacistModal):
            burst(app, "yaoshi01\n1234", "f12")
            await until(
                pilot,
                lambda: not isinstance(app.screen, PharmacistModal),
                "the pharmacist did not sign",
            )
        else:
            await until(
                pilot,
                lambda: isinstance(app.screen, PaymentModal | AcknowledgeModal | PharmacistModal),
                f"no payment modal: {type(app.screen).__name__}",
            )


KILL_POINTS = ("flushed", "committing", "committed")


def die_in_the_sale(point: str) -> None:
    """SIGKILL this process at ``point`` of the transaction that stores a sale.

    ``flushed``: the sale's rows are written, inside the transaction; ``committing``:
    every statement ran, COMMIT is next; ``committed``: COMMIT returned, before the
    register goes on. The sale is stored on the main thread (the receipt worker's
    transactions run on another one).
    """
    assert point in KILL_POINTS
    in_sale = threading.local()

    def die(at: str) -> None:
        if at == point and getattr(in_sale, "sale", False):
            os.kill(os.getpid(), signal.SIGKILL)

    def flushed(session: Session, _context: object) -> None:
        if any(isinstance(row, Sale) for row in session.new):
            in_sale.sale = True
            die("flushed")

    event.listen(Session, "after_flush", flushed)
    event.listen(Engine, "commit", lambda _connection: die("committing"))
    event.listen(Session, "after_commit", lambda _session: die("committed"))


def is_sold(app: PosApp) -> bool:
    """The checkout screen is back, empty, showing the sale just stored."""
    screen = app.screen
    return (
        isinstance(screen, CheckoutScreen)
        and screen.last_sale is not None
        and not app.register.cart().lines
    )


async def drive(database: Path, mode: str, steps: list[str], kill_at: str | None) -> None:
    """Open the register on ``database`` and do ``mode`` (see the module docstring)."""
    settings = Settings(register={"database": database, "require_login": False})
    _engine, sessions, notice = ensure_store(settings)
    app = build_app(settings, sessions, clock=fixed_clock, notice=notice)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "no checkout screen")
        report("resumed", cart=snapshot(app))
        if mode == "show":
            return
        for text in steps:
            await step(pilot, app, text)
            if mode == "build":
                report("step", step=text, cart=snapshot(app))
        if mode in ("open", "pay"):
            await open_payment(pilot, app)
            report("payment-open" if mode == "open" else "paying", cart=snapshot(app))
        if mode == "pay":
            if kill_at:
                die_in_the_sale(kill_at)
            await pilot.press("enter")
            await until(pilot, lambda: is_sold(app), "the sale was not completed")
            screen = app.screen
            assert isinstance(screen, CheckoutScreen) and screen.last_sale is not None
            report("sold", number=screen.last_sale.number)
        report("waiting")
        await asyncio.sleep(IDLE_LIMIT)
    sys.exit(3)  # nobody killed it


def run(
    database: str,
    mode: str,
    steps: list[str],
    kill_at: str | None,
    log: str,
    reports: Connection,
) -> None:
    """The child process: output and errors go to ``log``, reports to ``reports``."""
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(output, 1)
    os.dup2(output, 2)
    _reports.append(reports)
    asyncio.run(drive(Path(database), mode, steps, kill_at))
