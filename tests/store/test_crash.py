"""Crash safety with real processes: SIGKILL the register mid-cart and around payment.

Each register is a process of its own (tests/crash_register.py: the app as ``pos
run`` builds it, headless, driven by keys). It is killed with SIGKILL mid-cart (when
the database shows the cart), with the payment modal open, inside the sale's
transaction (it kills itself there, from event listeners of the test driver), and
at times around the commit found by bisection on the time since Enter was pressed
in the payment modal. After each kill a new register opens the same database: the
cart is resumed with the same lines, member and acknowledgements, or its sale is
stored exactly once and the cart is gone; never both, never neither. The database
passes ``PRAGMA integrity_check`` and every stored sale is whole.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from pos.models import Lot, ParkedCart, Payment, PrintJob, Sale, StockMovement
from pos.register.service import RegisterService
from pos.store.db import make_engine, make_session_factory
from tests import crash_register
from tests.conftest import NOW, fixed_clock
from tests.helpers import barcode_of

# Registers are forked from a server that has imported the app: each starts in a
# fraction of the time a new interpreter takes, and is still a process of its own.
PROCESSES = multiprocessing.get_context("forkserver")
PROCESSES.set_forkserver_preload(["tests.crash_register"])
MEMBER = "2959121000841"  # a demo member (no health data, so no allergy warnings)
Report = dict[str, Any]
EMPTY: Report = {"member": None, "lines": [], "warnings": [], "pending": []}


class Register:
    """A register process (tests/crash_register.py) and the reports it sends."""

    def __init__(self, db: Path, mode: str, *steps: str, kill_at: str | None = None) -> None:
        self.log = db.with_name(f"register-{time.monotonic_ns()}.log")
        self.reports, child_end = PROCESSES.Pipe(duplex=False)
        self.process = PROCESSES.Process(
            target=crash_register.run,
            args=(str(db), mode, list(steps), kill_at, str(self.log), child_end),
            daemon=True,
        )
        self.process.start()
        child_end.close()  # the pipe ends (EOFError) when the register dies

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.exitcode is None:
            self.kill()
        self.reports.close()

    def _receive(self, timeout: float) -> Report | None:
        """The next report, or None once the register is gone or silent for ``timeout``."""
        try:
            if self.reports.poll(timeout):
                report: Report = json.loads(self.reports.recv_bytes())
                return report
        except EOFError:
            pass
        return None

    def next(self, event: str, timeout: float = 20.0) -> Report:
        """The next report of ``event`` (earlier ones are skipped)."""
        deadline = time.monotonic() + timeout
        while (report := self._receive(max(0.0, deadline - time.monotonic()))) is not None:
            if report["event"] == event:
                return report
        raise AssertionError(f"no {event!r} from the register:\n{self.errors()}")

    def seen(self, event: str) -> bool:
        """Whether ``event`` is among the reports not read yet (they are consumed)."""
        found = False
        while (report := self._receive(0)) is not None:
            found = found or report["event"] == event
        return found

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, as a crash or a power cut."""
        self.process.kill()
        self.process.join(timeout=10)

    def died(self) -> None:
        """Wait for the register to SIGKILL itself at its kill point."""
        self.process.join(timeout=20)
        assert self.process.exitcode == -signal.SIGKILL, self.errors()

    def finish(self) -> None:
        """Wait for a normal exit."""
        self.process.join(timeout=20)
        assert self.process.exitcode == 0, self.errors()

    def errors(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@dataclass(frozen=True)
class Stored:
    """What the database holds after a kill."""

    sales: list[tuple[str | None, list[list[Any]]]]
    """Each sale's member and lines ``[sku, qty, guidance given]``, in number order."""
    parked: list[dict[str, Any]]
    """The saved carts in progress."""
    sold_units: int
    stock: int


def stored(db: Path) -> Stored:
    """Read the database the killed register left, checking it is intact and consistent."""
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        with make_session_factory(engine)() as session:
            sales = list(session.scalars(select(Sale).order_by(Sale.seq)))
            assert [sale.seq for sale in sales] == list(range(1, len(sales) + 1))
            for sale in sales:  # every part of a sale is there, or none of it
                assert sum(payment.amount_fen for payment in sale.payments) == sale.total_fen
                assert sum(line.total_fen for line in sale.lines) == sale.total_fen
            jobs = session.scalar(select(func.count()).select_from(PrintJob))
            assert jobs == len(sales)
            moved = session.scalar(
                select(func.coalesce(func.sum(StockMovement.delta), 0)).where(
                    StockMovement.reason == "sale"
                )
            )
            sold = sum(line.qty for sale in sales for line in sale.lines)
            assert moved == -sold
            assert session.scalar(select(func.count()).select_from(Payment)) == sum(
                len(sale.payments) for sale in sales
            )
            return Stored(
                sales=[
                    (
                        sale.member,
                        [[line.sku, line.qty, line.guidance_given] for line in sale.lines],
                    )
                    for sale in sales
                ],
                parked=[
                    row.data
                    for row in session.scalars(
                        select(ParkedCart).where(ParkedCart.kind == "current")
                    )
                ],
                sold_units=sold,
                stock=session.scalar(select(func.sum(Lot.quantity))) or 0,
            )
    finally:
        engine.dispose()


def parked_lines(state: Stored) -> list[list[Any]] | None:
    """The lines of the one saved cart in progress, or None without one."""
    assert len(state.parked) <= 1
    if not state.parked:
        return None
    return [[line["sku"], line["qty"], line["guidance_given"]] for line in state.parked[0]["lines"]]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll ``check`` (a look at the database) until it holds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def current_lines(db: Path) -> list[list[Any]]:
    """The lines of the cart in progress saved in ``db`` now (a look while it runs)."""
    connection = sqlite3.connect(db)
    try:
        row = connection.execute("SELECT data FROM parked_cart WHERE kind = 'current'").fetchone()
    finally:
        connection.close()
    lines = json.loads(row[0])["lines"] if row else []
    return [[line["sku"], line["qty"], line["guidance_given"]] for line in lines]


def test_a_killed_register_resumes_the_cart_and_never_loses_or_doubles_a_sale(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    db = db_path
    cold, also_cold = barcode_of(demo_sessions, "P00001"), barcode_of(demo_sessions, "P00008")
    vitamin_c, herbal = barcode_of(demo_sessions, "P00063"), barcode_of(demo_sessions, "P00010")
    steps = [MEMBER, cold, "[f9]", also_cold, "[f9]", "2*" + vitamin_c, herbal, "3*" + cold]
    states = [  # the lines after each step (the member is attached from the first)
        [],
        [["P00001", 1, False]],
        [["P00001", 1, True]],
        [["P00001", 1, True], ["P00008", 1, False]],
        [["P00001", 1, True], ["P00008", 1, True]],
        [["P00001", 1, True], ["P00008", 1, True], ["P00063", 2, False]],
        [["P00001", 1, True], ["P00008", 1, True], ["P00063", 2, False], ["P00010", 1, False]],
        [["P00001", 4, True], ["P00008", 1, True], ["P00063", 2, False], ["P00010", 1, False]],
    ]
    stock = stored(db).stock

    # (a) Killed mid-cart: as soon as the database holds the second product,
    # while the scans go on.
    with Register(db, "build", *steps) as register:
        wait_for(lambda: current_lines(db) not in states[:3], "the register saved no cart")
        register.kill()
    saved = parked_lines(stored(db))
    assert saved in states[3:]

    # (b) Restarted, it resumes that cart; killed while the payment modal is open
    # (after F12 had the guidance and the duplicate-ingredient warning acknowledged).
    with Register(db, "open") as register:
        resumed = register.next("resumed")["cart"]
        assert resumed["member"] == MEMBER and resumed["lines"] == saved
        assert resumed["warnings"] and resumed["pending"]  # P00001 and P00008 share ingredients
        paying = register.next("payment-open")["cart"]
        register.kill()
    assert paying["warnings"] == resumed["warnings"] and paying["pending"] == []
    assert all(guided for _sku, _qty, guided in paying["lines"])
    state = stored(db)
    assert state.sales == [] and state.stock == stock
    assert parked_lines(state) == paying["lines"]

    # (c) Restarted, it resumes the same cart with everything acknowledged and
    # pays it, dying inside the sale's transaction: once the sale's rows are
    # written, then just before COMMIT. Each time the cart comes back whole.
    for point in ("flushed", "committing"):
        with Register(db, "pay", kill_at=point) as register:
            assert register.next("resumed")["cart"] == paying
            register.next("paying")
            register.died()
        state = stored(db)
        assert state.sales == [] and state.stock == stock
        assert parked_lines(state) == paying["lines"]

    # Dying just after COMMIT, the sale is stored once and the cart is gone. The
    # time from Enter to that death brackets the commit for the timed kills below.
    with Register(db, "pay", kill_at="committed") as register:
        assert register.next("resumed")["cart"] == paying
        pressed = register.next("paying")
        register.died()
        early, late = 0.0, time.monotonic() - pressed["t"]
    expected: list[tuple[str | None, list[list[Any]]]] = [(MEMBER, paying["lines"])]
    state = stored(db)
    assert state.sales == expected and parked_lines(state) is None
    assert stock - state.stock == state.sold_units

    # Then one sale after another, each killed halfway between the latest kill
    # that came too early (cart resumed) and the earliest too late (sale stored).
    resume: Report | None = None  # the cart the next register must resume
    for attempt in range(1, 5):
        qty = attempt % 3 + 1  # no two sales in a row alike: a double would show
        delay = (early + late) / 2
        with Register(db, "pay", *([] if resume else [f"{qty}*{vitamin_c}", herbal])) as register:
            assert register.next("resumed")["cart"] == (resume or EMPTY)
            pressed = register.next("paying")
            time.sleep(max(0.0, pressed["t"] + delay - time.monotonic()))
            register.kill()
            reported_sold = register.seen("sold")
        state = stored(db)
        assert stock - state.stock == state.sold_units
        cart = pressed["cart"]
        if state.sales == [*expected, (None, cart["lines"])]:  # stored, once
            assert parked_lines(state) is None
            expected.append((None, cart["lines"]))
            resume, late = None, delay
        else:  # not stored: the cart is still there, whole
            assert not reported_sold
            assert state.sales == expected
            assert parked_lines(state) == cart["lines"]
            resume, early = cart, delay

    with Register(db, "show") as register:
        assert register.next("resumed")["cart"] == (resume or EMPTY)
        register.finish()
    assert stored(db).sales == expected


def test_a_crash_while_a_held_sale_is_recalled_loses_nothing(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan("2*" + barcode_of(demo_sessions, "P00001"))
    register.hold()
    [held] = register.held_sales()
    # The register stops right after it took the held cart back, before anything else.
    register.recall(held.id)
    again = RegisterService(demo_sessions, register.identity, fixed_clock)
    if again.held_sales():  # still held, or back at the register: never neither
        assert again.cart().lines == ()
    else:
        assert [(line.sku, line.qty) for line in again.cart().lines] == [("P00001", 2)]


def test_a_unit_of_work_that_read_can_still_write_after_another_thread_wrote(
    demo_sessions: sessionmaker[Session],
) -> None:
    # Found by the crash test: the receipt worker's commit fell between the
    # register's read and write of the saved cart, and SQLite failed the scan at
    # once with "database is locked" (a deferred transaction that has read cannot
    # write after another connection committed).
    def cart(kind: str) -> ParkedCart:
        return ParkedCart(register_id="01", kind=kind, data={}, created_at=NOW, updated_at=NOW)

    errors: list[Exception] = []

    def hold_another() -> None:
        try:
            with demo_sessions.begin() as session:
                session.add(cart("held"))
        except Exception as exc:
            errors.append(exc)

    with demo_sessions.begin() as session:
        session.scalars(select(ParkedCart)).all()
        other = threading.Thread(target=hold_another)
        other.start()
        other.join(timeout=0.3)  # it waits for this unit of work, or writes first
        session.add(cart("current"))
    other.join(timeout=10)
    assert errors == []
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(ParkedCart)) == 2
