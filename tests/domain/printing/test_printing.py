"""Receipts from the register: queued with the sale, printed in order, once, by a worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp, build_app
from pos.app.modals.sale.receipt import ReceiptModal
from pos.app.widgets.status.printer_status import PrinterStatusBar
from pos.cli import main
from pos.config import Settings
from pos.domain.printing.printing import PrintProfile, StoreHeader
from pos.enums import Tender
from pos.models import JobKind, JobStatus, PrintJob, Product, Sale
from pos.register.service import RegisterIdentity, RegisterService
from printer import PrinterError, PrinterUri
from tests.conftest import fixed_clock
from tests.helpers import PrinterServer, barcode_of, closed_port, screen_text, type_text

SIZE = (120, 40)


def printer_settings(db_path: Path, uri: str) -> Settings:
    """Settings with a printer that gives up quickly and is not retried by the timer."""
    return Settings(
        register={"database": db_path},
        printer={"uri": uri, "timeout": 1.0, "retry_seconds": 3600},
    )


def decode(data: bytes, encoding: str = "gbk") -> str:
    """The text of a receipt's bytes: Chinese runs (FS & … FS .) decoded, commands dropped."""
    text: list[str] = []
    index = 0
    while index < len(data):
        if data.startswith(b"\x1c&", index):
            end = data.index(b"\x1c.", index)
            text.append(data[index + 2 : end].decode(encoding))
            index = end + 2
        elif data[index] in (0x1B, 0x1C, 0x1D):
            index += 3 if data[index + 1 : index + 2] in (b"a", b"E", b"!", b"d") else 2
        elif data[index] == 0x0A or 0x20 <= data[index] < 0x7F:
            text.append(chr(data[index]))
            index += 1
        else:
            index += 1
    return "".join(text)


def jobs(sessions: sessionmaker[Session]) -> list[PrintJob]:
    with sessions() as session:
        return list(session.scalars(select(PrintJob).order_by(PrintJob.id)))


def status_text(app: PosApp) -> str:
    return app.screen.query_one(PrinterStatusBar).text


async def sell(pilot: Pilot[Any], code: str) -> None:
    """Scan ``code`` and pay the exact amount in cash."""
    await type_text(pilot, code)
    await pilot.press("enter", "f9", "f12", "enter")  # guidance told, exact cash


async def printed(app: PosApp, pilot: Pilot[Any]) -> None:
    """Wait for the print worker's pass and for the screen to show its outcome."""
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- the register service ---------------------------------------------------------------


def make_register(
    sessions: sessionmaker[Session], send: Any = None, uri: str = "tcp://127.0.0.1:9100"
) -> RegisterService:
    profile = PrintProfile(store=StoreHeader("康宁大药房"), uri=uri, footer=("谢谢惠顾",))
    return RegisterService(sessions, RegisterIdentity("001", "01"), fixed_clock, profile, send)


def pay_cash(register: RegisterService, sku_code: str) -> str:
    register.scan(sku_code)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    return register.complete(tendering).number


def test_completing_a_sale_queues_its_receipt_in_the_same_transaction(
    demo_sessions: sessionmaker[Session],
) -> None:
    register = make_register(demo_sessions)
    number = pay_cash(register, barcode_of(demo_sessions, "P00001"))
    [job] = jobs(demo_sessions)
    assert job.kind is JobKind.RECEIPT and job.status is JobStatus.QUEUED
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        assert job.sale_id == sale.id
    text = decode(job.data)
    assert job.data.startswith(b"\x1b@")
    assert number in text and "999感冒灵颗粒" in text and "康宁大药房" in text


def test_a_sale_that_cannot_be_stored_queues_no_receipt(
    demo_sessions: sessionmaker[Session],
) -> None:
    register = make_register(demo_sessions)
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    with demo_sessions.begin() as session:  # the stock goes while the customer pays
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        for lot in product.lots:
            lot.quantity = 0
    with pytest.raises(Exception, match="in stock"):
        register.complete(tendering)
    assert jobs(demo_sessions) == []


def test_spooler_prints_in_order_once_and_keeps_failed_jobs(
    demo_sessions: sessionmaker[Session],
) -> None:
    sent: list[bytes] = []
    failing = {"on": True}

    def send(uri: PrinterUri, data: bytes, timeout: float) -> None:
        if failing["on"]:
            raise PrinterError("Printer tcp://127.0.0.1:9100 refused the connection")
        sent.append(data)

    register = make_register(demo_sessions, send)
    numbers = [pay_cash(register, barcode_of(demo_sessions, sku)) for sku in ("P00001", "P00063")]
    status = register.print_pending()
    assert status.waiting == 2 and status.printed == 0 and "refused" in (status.error or "")
    first, second = jobs(demo_sessions)
    assert first.attempts == 1 and "refused" in (first.last_error or "")
    assert second.attempts == 0  # behind the failed one: receipts come out in order

    failing["on"] = False
    status = register.print_pending()
    assert status.waiting == 0 and status.printed == 2 and status.error is None
    assert [number in decode(data) for data, number in zip(sent, numbers, strict=True)] == [
        True,
        True,
    ]
    assert register.print_pending().printed == 0  # printed once
    assert [job.status for job in jobs(demo_sessions)] == [JobStatus.PRINTED] * 2


def test_no_printer_means_preview_only(demo_sessions: sessionmaker[Session]) -> None:
    register = make_register(demo_sessions, uri="none")
    pay_cash(register, barcode_of(demo_sessions, "P00001"))
    assert register.print_pending().waiting == 0
    assert [job.status for job in jobs(demo_sessions)] == [JobStatus.NO_PRINTER]


def test_characters_the_printer_lacks_are_said_once(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        product.name = "𠮷祥感冒灵"  # 𠮷 is in GB18030, not in GBK
    register = make_register(demo_sessions)
    code = barcode_of(demo_sessions, "P00001")
    register.scan(code)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)
    assert sale.receipt_note is not None and "𠮷" in sale.receipt_note
    assert "祥感冒灵" in decode(jobs(demo_sessions)[0].data)
    register.scan(code)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    assert register.complete(tendering).receipt_note is None  # said once


# -- at the counter ---------------------------------------------------------------------


async def test_sale_prints_on_a_network_printer(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    with PrinterServer() as server:
        app = build_app(printer_settings(db_path, server.uri), demo_sessions, clock=fixed_clock)
        async with app.run_test(size=SIZE) as pilot:
            await sell(pilot, barcode_of(demo_sessions, "P00001"))
            await printed(app, pilot)
            received = server.wait_for(1)
            assert "Printer: ready" in status_text(app)
    [job] = jobs(demo_sessions)
    assert job.status is JobStatus.PRINTED and job.attempts == 1
    assert received == [job.data]
    text = decode(received[0])
    with demo_sessions() as session:
        number = session.scalars(select(Sale.number)).one()
    assert number in text and "999感冒灵颗粒" in text and "￥" in text
    assert b"\x1c&" in received[0] and b"\x1c." in received[0]


async def test_printer_down_then_back_prints_once_after_retry(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    port = closed_port()
    app = build_app(
        printer_settings(db_path, f"tcp://127.0.0.1:{port}"), demo_sessions, clock=fixed_clock
    )
    async with app.run_test(size=SIZE) as pilot:
        await sell(pilot, barcode_of(demo_sessions, "P00001"))
        await printed(app, pilot)
        with demo_sessions() as session:  # the sale is stored at once, printer or not
            assert len(session.scalars(select(Sale)).all()) == 1
        [job] = jobs(demo_sessions)
        assert job.status is JobStatus.QUEUED and job.last_error
        assert "1 receipt waiting" in status_text(app)
        assert app.screen.query_one(PrinterStatusBar).has_class("-failing")
        await sell(pilot, barcode_of(demo_sessions, "P00063"))  # sales go on
        await printed(app, pilot)
        assert "2 receipts waiting" in status_text(app)

        with PrinterServer(port) as server:
            await pilot.press("f11")
            await printed(app, pilot)
            received = server.wait_for(2)
            await pilot.press("f11")
            await printed(app, pilot)
            assert server.wait_for(3, timeout=0.3) == received  # printed once
        assert "Printer: ready" in status_text(app)
    assert len(received) == 2
    assert [job.data for job in jobs(demo_sessions)] == received  # in order
    assert "999感冒灵颗粒" in decode(received[0]) and "维生素C片" in decode(received[1])


async def test_reprint_and_preview_of_the_last_receipt(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    with PrinterServer() as server:
        app = build_app(printer_settings(db_path, server.uri), demo_sessions, clock=fixed_clock)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f6")
            assert "No sale yet" in screen_text(app)
            await sell(pilot, barcode_of(demo_sessions, "P00001"))
            await printed(app, pilot)
            await pilot.press("f7")
            assert isinstance(app.screen, ReceiptModal)
            shown = screen_text(app)
            assert "999感冒灵颗粒" in shown and app.screen.number in shown
            await pilot.press("escape")
            await pilot.press("f6")
            await printed(app, pilot)
            received = server.wait_for(2)
    assert len(received) == 2
    assert "重印" not in decode(received[0])
    assert "重印" in decode(received[1])
    assert [job.kind for job in jobs(demo_sessions)] == [JobKind.RECEIPT, JobKind.REPRINT]


# -- commands ---------------------------------------------------------------------------


def test_printer_test_page_and_reprint_commands(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path, capsys: Any
) -> None:
    out = tmp_path / "receipt.bin"
    assert main(["printer", "test", "--printer", f"file://{out}", "--db", str(db_path)]) == 0
    page = decode(out.read_bytes())
    assert "gbk" in page and f"file://{out}" in page.replace("\n", "")

    number = pay_cash(make_register(demo_sessions), barcode_of(demo_sessions, "P00001"))
    before = out.stat().st_size
    assert main(["reprint", number, "--db", str(db_path), "--printer", f"file://{out}"]) == 0
    copy = decode(out.read_bytes()[before:])
    assert number in copy and "重印" in copy

    capsys.readouterr()
    assert main(["reprint", "S001-01-20200101-0009", "--db", str(db_path)]) == 1
    assert "No sale numbered" in capsys.readouterr().err


def test_printer_commands_report_bad_uris_and_dead_printers(db_path: Path, capsys: Any) -> None:
    assert main(["printer", "test", "--printer", "lpt://x"]) == 2
    assert "lpt://x" in capsys.readouterr().err
    port = closed_port()
    assert main(["printer", "test", "--printer", f"tcp://127.0.0.1:{port}"]) == 1
    assert "Not printed" in capsys.readouterr().err
