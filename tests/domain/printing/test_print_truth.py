"""A receipt is printed when the printer says so (issue #14).

Loopback network printers on 127.0.0.1 that hang, drop the connection after 200
bytes, answer their status with paper out, or behave; a register stopped between
sending a job and storing it printed prints a marked copy without opening the drawer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import printer
from pos.app import build_app
from pos.cli import main
from pos.config import Settings
from pos.domain.printing.printing import PrintProfile, StoreHeader
from pos.models import JobKind, JobStatus, PrintJob
from pos.register.service import RegisterIdentity, RegisterService
from printer import PrinterUri
from printer.device import status_problem
from printer.layout import Cut, DrawerKick, TextRow
from tests.conftest import fixed_clock
from tests.domain.printing.test_printing import (
    SIZE,
    decode,
    jobs,
    pay_cash,
    printed,
    sell,
    status_text,
)
from tests.helpers import PAPER_OUT, READY, PrinterServer, barcode_of

TIMEOUT = 0.5
"""How long a test printer is given to take a job and answer its status (seconds)."""

KICK = b"\x1bp\x00"
"""``ESC p 0``: the start of the drawer kick (python-escpos ``cashdraw(2)``)."""


def make_register(sessions: sessionmaker[Session], uri: str, send: Any = None) -> RegisterService:
    profile = PrintProfile(store=StoreHeader("康宁大药房"), uri=uri, timeout=TIMEOUT)
    return RegisterService(sessions, RegisterIdentity("001", "01"), fixed_clock, profile, send)


def quick_settings(db_path: Path, uri: str) -> Settings:
    """Settings with a printer given :data:`TIMEOUT`, not retried by the timer."""
    return Settings(
        register={"database": db_path},
        printer={"uri": uri, "timeout": TIMEOUT, "retry_seconds": 3600},
    )


# -- what the printer answers --------------------------------------------------------------


def answer(status: dict[int, int]) -> bytes:
    return bytes(status[query[2]] for query in printer.device.STATUS_QUERIES)


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (READY, None),
        ({**READY, 1: 0x12 | 0x04}, None),  # drawer pin high: not a problem
        ({**READY, 4: 0x12 | 0x0C}, None),  # paper near its end still prints
        (PAPER_OUT, "paper out"),
        ({**READY, 4: 0x12 | 0x60}, "paper out"),
        ({1: 0x1A, 2: 0x12 | 0x04, 4: 0x12}, "cover open"),
        ({1: 0x1A, 2: 0x12 | 0x40, 4: 0x12}, "printer error"),
        ({**READY, 1: 0x1A}, "offline"),
    ],
)
def test_status_answers(status: dict[int, int], problem: str | None) -> None:
    assert status_problem(answer(status)) == problem


@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_printed_only_on_a_well_formed_answer_without_a_stop(answered: tuple[int, ...]) -> None:
    state, cause, paper = answered
    well_formed = all(byte & 0x93 == 0x12 for byte in answered)
    stopped = state & 0x08 or cause & (0x04 | 0x20 | 0x40) or paper & 0x60
    assert (status_problem(bytes(answered)) is None) == (well_formed and not stopped)


def test_no_or_garbled_status_is_not_printed() -> None:
    assert status_problem(b"\x12") == "did not answer its status"
    assert status_problem(b"\xff\x12\x12") == "answered an unknown status (ff 12 12)"


# -- the register and a loopback printer -----------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("hang", f"did not answer its status ({TIMEOUT:g} s)"),
        ("drop", "connection lost while printing"),
        ("paper_out", "paper out"),
    ],
)
def test_a_job_the_printer_did_not_confirm_stays_queued_with_the_reason(
    demo_sessions: sessionmaker[Session], behaviour: str, reason: str
) -> None:
    with PrinterServer(behaviour=behaviour) as server:
        register = make_register(demo_sessions, server.uri)
        pay_cash(register, barcode_of(demo_sessions, "P00001"))
        status = register.print_pending()
    [job] = jobs(demo_sessions)
    assert job.status is JobStatus.QUEUED and job.attempts == 1 and job.printed_at is None
    assert job.last_error == f"Printer {server.uri}: {reason}" or (
        job.last_error == f"Printer {server.uri} {reason}"
    )
    assert status.printed == 0 and status.waiting == 1 and status.error == job.last_error
    restarted = make_register(demo_sessions, server.uri)  # the reason is stored with the job
    assert restarted.printer_status() == status
    if behaviour == "paper_out":  # it took the bytes, then said it cannot print them
        assert server.jobs == [job.data]


def test_a_job_the_printer_confirmed_is_printed(demo_sessions: sessionmaker[Session]) -> None:
    with PrinterServer() as server:
        register = make_register(demo_sessions, server.uri)
        pay_cash(register, barcode_of(demo_sessions, "P00001"))
        status = register.print_pending()
        received = server.wait_for(1)
    [job] = jobs(demo_sessions)
    assert job.status is JobStatus.PRINTED and job.attempts == 1 and job.last_error is None
    assert status.printed == 1 and status.waiting == 0 and status.error is None
    assert received == [job.data]


async def test_status_line_says_why_and_ready_only_once_the_printer_answered_ok(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    with PrinterServer(behaviour="paper_out") as server:
        app = build_app(quick_settings(db_path, server.uri), demo_sessions, clock=fixed_clock)
        async with app.run_test(size=SIZE) as pilot:
            await sell(pilot, barcode_of(demo_sessions, "P00001"))
            await printed(app, pilot)
            line = status_text(app)
            assert "Printer: 1 receipt waiting" in line and "paper out" in line
            assert "ready" not in line
            server.behaviour = "ready"  # paper loaded
            await pilot.press("f11")
            await printed(app, pilot)
            assert status_text(app) == "Printer: ready"
    [job] = jobs(demo_sessions)
    assert job.status is JobStatus.PRINTED and job.attempts == 2


class Killed(BaseException):
    """The register's process ends here (kill -9): nothing after it runs."""


def test_a_job_cut_off_by_a_crash_prints_once_more_as_a_copy_without_the_drawer(
    demo_sessions: sessionmaker[Session],
) -> None:
    with PrinterServer() as server:

        def send_then_die(uri: PrinterUri, data: bytes, timeout: float) -> None:
            printer.send(uri, data, timeout)
            raise Killed  # after the printer took it, before it is stored printed

        before = make_register(demo_sessions, server.uri, send_then_die)
        number = pay_cash(before, barcode_of(demo_sessions, "P00001"))
        with pytest.raises(Killed):
            before.print_pending()
        [job] = jobs(demo_sessions)
        assert job.status is JobStatus.SENDING and KICK in job.data
        with demo_sessions.begin() as session:  # a drawer opened by itself, also cut off
            session.add(
                PrintJob(
                    kind=JobKind.DRAWER,
                    status=JobStatus.SENDING,
                    created_at=fixed_clock(),
                    data=printer.drawer_kick(),
                )
            )

        after = make_register(demo_sessions, server.uri)  # the register starts again
        assert after.printer_status().waiting == 2
        status = after.print_pending()
        received = server.wait_for(2)
        assert after.print_pending().printed == 0  # once
    original, drawer, copy = jobs(demo_sessions)
    assert original.status is JobStatus.INTERRUPTED and drawer.status is JobStatus.INTERRUPTED
    assert copy.kind is JobKind.REPRINT and copy.sale_id == original.sale_id
    assert copy.status is JobStatus.PRINTED and status.printed == 1 and status.waiting == 0
    assert received == [original.data, copy.data]  # the drawer is not kicked again
    assert KICK not in copy.data
    text = decode(copy.data)
    assert text.startswith("重印 COPY\n康宁大药房") and number in text and "999感冒灵颗粒" in text


def test_a_cut_off_copy_is_not_marked_twice(demo_sessions: sessionmaker[Session]) -> None:
    with PrinterServer() as server:
        register = make_register(demo_sessions, server.uri)
        number = pay_cash(register, barcode_of(demo_sessions, "P00001"))
        register.reprint(number)
        with demo_sessions.begin() as session:
            for job in session.scalars(select(PrintJob)):
                job.status = JobStatus.PRINTED if job.kind is JobKind.RECEIPT else JobStatus.SENDING
        make_register(demo_sessions, server.uri).print_pending()
        received = server.wait_for(1)
    _receipt, reprint, copy = jobs(demo_sessions)
    assert reprint.status is JobStatus.INTERRUPTED and received == [copy.data]
    assert copy.data == reprint.data and decode(copy.data).count("COPY") == 1


# -- pos reprint ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [("paper_out", "paper out"), ("drop", "connection lost"), ("hang", "did not answer")],
)
def test_reprint_command_says_not_printed_and_why(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
    behaviour: str,
    reason: str,
) -> None:
    monkeypatch.setenv("POS_PRINTER__TIMEOUT", str(TIMEOUT))
    number = pay_cash(make_register(demo_sessions, "none"), barcode_of(demo_sessions, "P00001"))
    capsys.readouterr()
    with PrinterServer(behaviour=behaviour) as server:
        args = ["reprint", number, "--db", str(db_path), "--printer", server.uri]
        assert main(args) == 1
    out = capsys.readouterr()
    assert "Printed" not in out.out
    assert out.err.startswith("Not printed: ") and reason in out.err


def test_reprint_command_says_printed_when_confirmed(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path, capsys: Any
) -> None:
    number = pay_cash(make_register(demo_sessions, "none"), barcode_of(demo_sessions, "P00001"))
    capsys.readouterr()
    with PrinterServer() as server:
        assert main(["reprint", number, "--db", str(db_path), "--printer", server.uri]) == 0
        [copy] = server.wait_for(1)
    assert capsys.readouterr().out.strip() == f"Printed on {server.uri}"
    assert number in decode(copy) and KICK not in copy
    out = tmp_path / "receipt.bin"
    assert main(["reprint", number, "--db", str(db_path), "--printer", f"file://{out}"]) == 0
    assert "a file cannot confirm printing" in capsys.readouterr().out


def test_a_copy_of_any_job_is_marked_on_top_and_never_kicks_the_drawer() -> None:
    data = printer.render_bytes(printer.encode([DrawerKick(), TextRow("退货单 RETURN"), Cut()]))
    assert KICK in data
    copy = printer.as_copy(data, "重印 COPY", 58)
    mark = printer.render_bytes(printer.encode(printer.copy_mark("重印 COPY", 32)))
    assert copy == mark + data.removeprefix(b"\x1b@").replace(b"\x1bp\x0022", b"")
    assert KICK not in copy and copy.startswith(b"\x1b@") and copy.count(b"\x1b@") == 1
    assert decode(copy) == "重印 COPY\n退货单 RETURN\n"
    assert printer.as_copy(data, None) == data.replace(b"\x1bp\x0022", b"")
