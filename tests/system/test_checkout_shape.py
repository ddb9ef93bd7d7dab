"""The checkout screen's shape: composed, not assembled from mixins; one print path.

Static checks of the front end's source, and a Pilot test that every print job
(a receipt, a drawer kick, an X report) reaches the app through the print
queue's one callback, once each.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import pos.app
from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.messages import PrintJobsQueued
from pos.app.modals.staff.shift import ShiftReportModal
from pos.domain.printing.print_queue import PrintSpooler, queue_job
from pos.domain.printing.printing import PrintProfile
from pos.models import JobKind, PrintJob
from tests.frontend.test_checkout_ui import SIZE, message, scan
from tests.helpers import barcode_of, type_text

APP = Path(pos.app.__file__).parent


def project_classes() -> list[type]:
    """Every class defined in a module of pos.app."""
    found = []
    for module_info in pkgutil.walk_packages([str(APP)], "pos.app."):
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__:
                found.append(value)
    return found


def is_project(cls: type) -> bool:
    return cls.__module__.split(".")[0] in ("pos", "printer")


def test_no_class_of_the_front_end_has_two_project_bases() -> None:
    classes = project_classes()
    assert CheckoutScreen in classes
    mixed = [
        cls.__qualname__
        for cls in classes
        if sum(1 for base in cls.__bases__ if is_project(base)) >= 2
    ]
    assert mixed == []


def test_the_checkout_screen_is_a_plain_screen_holding_its_handlers() -> None:
    assert [base.__name__ for base in CheckoutScreen.__bases__] == ["Screen"]
    source = "\n".join(path.read_text() for path in (APP / "checkout").glob("*.py"))
    assert source.count(".settle()") == 1  # the `settled` decorator only
    assert source.count("except OverrideNeeded") == 1  # the OverrideGuard only
    for path in (APP / "checkout").glob("*.py"):
        if path.name != "screen.py":  # compose() yields every widget: no part mounts its own
            assert "def on_mount" not in path.read_text(), path


@pytest.mark.parametrize("folder", ["checkout", "modals"])
def test_no_screen_posts_a_print_message(folder: str) -> None:
    for path in (APP / folder).rglob("*.py"):
        text = path.read_text()
        assert "post_message(ReceiptQueued" not in text, path
        assert "PrintJobsQueued" not in text, path


def test_the_app_does_not_walk_the_screen_stack() -> None:
    assert "screen_stack" not in (APP / "app.py").read_text()


def job_kinds(sessions: sessionmaker[Session]) -> list[JobKind]:
    with sessions() as session:
        return list(session.scalars(select(PrintJob.kind).order_by(PrintJob.id)))


async def test_each_print_job_notifies_the_app_once_through_the_callback(
    app: PosApp, demo_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    notified: list[PrintJobsQueued] = []
    handler = PosApp.on_print_jobs_queued

    def counting(self: PosApp, queued: PrintJobsQueued) -> None:
        notified.append(queued)
        handler(self, queued)

    monkeypatch.setattr(PosApp, "on_print_jobs_queued", counting)
    app.register.login("dianzhang", "9999")  # a manager: the drawer opens without a prompt
    bandage = barcode_of(demo_sessions, "P00150")  # no guidance to acknowledge
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert notified == [] and job_kinds(demo_sessions) == []

        await pilot.press("ctrl+k")  # a drawer kick
        await pilot.pause()
        assert "Cash drawer opened" in message(app)
        assert job_kinds(demo_sessions) == [JobKind.DRAWER]
        assert len(notified) == 1

        await scan(pilot, bandage)
        await pilot.press("f12", "enter")  # a receipt (paid exactly in cash)
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        assert job_kinds(demo_sessions)[1:] == [JobKind.RECEIPT]
        assert len(notified) == 2

        await pilot.press("ctrl+b")  # a shift opens: the drawer opens for the float
        await type_text(pilot, "500")
        await pilot.press("enter")
        await pilot.pause()
        assert job_kinds(demo_sessions)[2:] == [JobKind.DRAWER]
        assert len(notified) == 3

        await pilot.press("ctrl+b", "f4")  # an X report
        await pilot.pause()
        assert isinstance(app.screen, ShiftReportModal)
        assert job_kinds(demo_sessions)[3:] == [JobKind.SHIFT]
        assert len(notified) == 4


def test_the_print_queue_calls_back_only_after_the_commit(
    demo_sessions: sessionmaker[Session],
) -> None:
    calls: list[int] = []
    spooler = PrintSpooler(demo_sessions, PrintProfile(), on_queued=lambda: calls.append(1))
    now = datetime(2026, 3, 10, tzinfo=UTC)
    with demo_sessions.begin() as session:
        queue_job(session, JobKind.SHIFT, b"x", now)
        queue_job(session, JobKind.SHIFT, b"y", now)
        assert calls == []  # not committed yet
    assert calls == [1]  # two jobs, one transaction: one call
    with demo_sessions.begin() as session:
        session.scalars(select(PrintJob)).all()  # a transaction that queued nothing
    assert calls == [1]
    spooler.set_on_queued(None)
    with demo_sessions.begin() as session:
        queue_job(session, JobKind.SHIFT, b"z", now)
    assert calls == [1]
