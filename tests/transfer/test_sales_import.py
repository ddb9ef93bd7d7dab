"""``pos import sales``: past sales from the export's JSON lines, round trip and bad lines."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK
from pos.enums import Tender
from pos.models import (
    Lot,
    Member,
    Prescription,
    Sale,
    SaleLine,
    SaleLineLot,
    StockMovement,
    TraceCode,
)
from pos.register.service import RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.transfer.exports import export_sales_csv, export_sales_jsonl
from pos.transfer.sales_import import SalesProgress, import_sales
from tests.helpers import barcode_of, empty_config


def sale(
    seq: int, lines: list[tuple[str, int, int]], lot: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A sale record as ``pos export sales`` writes it: (sku, qty, unit price) per line, in cash."""
    entries: list[dict[str, Any]] = [
        {"sku": sku, "barcode": None, "name": sku, "qty": qty, "unit_price_fen": price,
         "discount_fen": 0, "total_fen": qty * price, "lot": lot,
         "expiry": "2027-01-31" if lot else None, "line_no": no, "guidance_given": False,
         "trace_codes": [], "promotion": None, "suggested_by": None}
        for no, (sku, qty, price) in enumerate(lines, 1)
    ]  # fmt: skip
    total = sum(qty * price for _sku, qty, price in lines)
    record = {
        "number": f"S001-01-20250101-{seq:04d}", "completed_at": "2025-01-01T02:00:00Z",
        "store": "001", "register": "01", "cashier": None, "member": None,
        "points_earned": 0, "points_redeemed": 0, "lines": entries,
        "payments": [{"tender": "cash", "amount_fen": total, "tendered_fen": total}],
        "subtotal_fen": total, "discount_fen": 0, "total_fen": total, "change_fen": 0,
        "prescription": None, "restricted_buyer": None,
    }  # fmt: skip
    return record | fields


def write_sales(path: Path, *records: dict[str, Any] | str) -> Path:
    """A JSON-lines file of ``records`` (a string is written as it is)."""
    text = "".join(
        (record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n"
        for record in records
    )
    path.write_text(text, encoding="utf-8")
    return path


def export_text(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return "".join(export_sales_jsonl(session))


@pytest.fixture
def other_demo(demo_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A second, fresh demo store to import into."""
    path = tmp_path / "other.db"
    shutil.copy(demo_template, path)
    engine = make_engine(path)
    yield make_session_factory(engine)
    engine.dispose()


def sell(register: RegisterService, sessions: sessionmaker[Session], *scans: str) -> str:
    """Scan ``qty*SKU`` items and pay by card and cash; the sale number."""
    for scan in scans:
        qty, _star, sku = scan.rpartition("*")
        register.scan(f"{qty}*{barcode_of(sessions, sku)}" if qty else barcode_of(sessions, sku))
    tendering = register.start_payment()
    tendering.add(Tender.CARD, 100)
    tendering.add(Tender.CASH, 100_000)
    return register.complete(tendering).number


def test_round_trip_export_import_export(
    register: RegisterService,
    demo_sessions: sessionmaker[Session],
    other_demo: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    first = sell(register, demo_sessions, "35*P00001", "P00063")  # line 1 split over 2 lots
    sell(register, demo_sessions, "P00039")
    with demo_sessions.begin() as session:  # what the counter records with a sale
        stored = session.scalars(select(Sale).where(Sale.number == first)).one()
        line = stored.lines[0]
        line.guidance_given = True
        line.promotion_id = "SPRING-10"
        stored.lines[1].suggested_by = "pairing:1"
        session.add_all(TraceCode(code=f"8123456000000000001{n}", sale_line_id=line.id,
                                  sold_at=stored.completed_at) for n in (1, 2))  # fmt: skip
        rx = Prescription(sale_id=stored.id, number="RX-17", prescriber="市一医院",
                          issued_on=stored.business_date, patient_name="王小明",
                          pharmacist_id="yaoshi01", reviewed_at=stored.completed_at)  # fmt: skip
        session.add(rx)
    exported = export_text(demo_sessions)
    assert '"promotion": "SPRING-10"' in exported and '"suggested_by": "pairing:1"' in exported
    path = tmp_path / "sales.jsonl"
    path.write_text(exported, encoding="utf-8")
    with other_demo() as session:
        lots_before = {lot.id: lot.quantity for lot in session.scalars(select(Lot))}
        movements = session.scalar(select(func.count()).select_from(StockMovement))
    with other_demo.begin() as session:
        report = import_sales(session, path)
    assert (report.created, report.duplicates, report.errors) == (2, 0, [])

    assert export_text(other_demo) == exported
    with other_demo() as session:  # history moves no stock
        assert {lot.id: lot.quantity for lot in session.scalars(select(Lot))} == lots_before
        assert session.scalar(select(func.count()).select_from(StockMovement)) == movements
        assert session.scalar(select(func.count()).select_from(SaleLineLot)) == 4
        [number, *_rest] = session.scalars(select(Sale.number).order_by(Sale.id))
    assert number == first
    with other_demo() as session, demo_sessions() as original:
        assert "".join(export_sales_csv(session)) == "".join(export_sales_csv(original))


def test_importing_the_same_file_twice_changes_nothing(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_sales(tmp_path / "s.jsonl", sale(1, [("P00063", 1, 350)]),
                       sale(2, [("P00136", 2, 990)]))  # fmt: skip
    with demo_sessions.begin() as session:
        assert import_sales(session, path).created == 2
    before = export_text(demo_sessions)
    with demo_sessions.begin() as session:
        report = import_sales(session, path)
    assert (report.created, report.duplicates, report.errors, report.applied) == (0, 2, [], True)
    assert report.warnings == [
        "line 1: sale S001-01-20250101-0001 is already stored: skipped",
        "line 2: sale S001-01-20250101-0002 is already stored: skipped",
    ]
    assert export_text(demo_sessions) == before


def test_members_lots_and_lines_without_lots(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with demo_sessions() as session:
        card = session.scalars(select(Member.card_no).order_by(Member.id)).first()
    path = write_sales(
        tmp_path / "s.jsonl",
        sale(1, [("P00063", 1, 350)], member=card, lot="OLD-LOT-1"),
        sale(2, [("P00063", 1, 350)], member="2900000000000"),
        sale(3, [("P00136", 1, 990)]),
    )
    with demo_sessions.begin() as session:
        assert import_sales(session, path).created == 3
    with demo_sessions() as session:
        sales = {s.seq: s for s in session.scalars(select(Sale))}
        member_id = session.scalar(select(Member.id).where(Member.card_no == card))
        assert (sales[1].member, sales[1].member_id) == (card, member_id)
        assert (sales[2].member, sales[2].member_id) == ("2900000000000", None)
        lot = session.scalars(select(Lot).where(Lot.lot_number == "OLD-LOT-1")).one()
        assert (lot.quantity, lot.expiry.isoformat()) == (0, "2027-01-31")
        assert sales[3].lines[0].lots == [] and sales[3].lines[0].spec != ""
    third = json.loads(export_text(demo_sessions).splitlines()[2])
    assert [(e["qty"], e["lot"], e["expiry"]) for e in third["lines"]] == [(1, None, None)]


def test_bad_lines_are_all_reported_and_nothing_is_imported(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    good = sale(1, [("P00063", 1, 350)])
    short = sale(8, [("P00063", 1, 350)])
    short["payments"] = [{"tender": "cash", "amount_fen": 300}]
    path = write_sales(
        tmp_path / "s.jsonl",
        good,  # line 1
        "{not json",  # 2
        sale(3, [("NOPE", 1, 350)]),  # 3: unknown sku
        sale(4, [("P00063", 1, 350)], total_fen=351),  # 4: lines do not add up
        sale(5, [("P00063", 1, 350)], completed_at="yesterday"),  # 5
        sale(6, [("P00063", 1, 350)], subtotal_fen=350.0),  # 6: not integer fen
        sale(7, [("P00063", 1, 350)], number="S001-02-20250101-0007"),  # 7: other register
        short,  # 8: the payments do not cover the total
        "",  # 9: blank, ignored
        {k: v for k, v in good.items() if k != "lines"} | {"number": "S001-01-20250101-0010"},
        sale(1, [("P00136", 1, 990)]),  # 11: number already on line 1
    )
    with demo_sessions.begin() as session:
        report = import_sales(session, path)
    assert [error.line for error in report.errors] == [2, 3, 4, 5, 6, 7, 8, 10, 11]
    reasons = [error.reason for error in report.errors]
    assert "not JSON" in reasons[0] and "unknown sku NOPE" in reasons[1]
    assert "351" in reasons[2] and "completed_at" in reasons[3] and "subtotal_fen" in reasons[4]
    assert "register" in reasons[5] and "payments" in reasons[6]
    assert "lines is missing" in reasons[7] and "line 1" in reasons[8]
    assert not report.applied
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 0

    with demo_sessions.begin() as session:
        report = import_sales(session, path, skip_bad=True)
    assert report.applied and report.created == 1 and len(report.errors) == 9


def test_split_line_entries_merge_into_one_line(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    record = sale(1, [("P00001", 30, 1580)], lot="A1")
    second = dict(record["lines"][0], qty=5, total_fen=7900, lot="B2", trace_codes=[])
    record["lines"].append(second)
    record.update(subtotal_fen=55300, total_fen=55300,
                  payments=[{"tender": "wechat", "amount_fen": 55300}])  # fmt: skip
    disagree = json.loads(json.dumps(record)) | {"number": "S001-01-20250101-0002"}
    disagree["lines"][1]["unit_price_fen"] = 1581
    disagree["lines"][1]["total_fen"] = 5 * 1581
    path = write_sales(tmp_path / "s.jsonl", record, disagree)
    progress: list[SalesProgress] = []
    with demo_sessions.begin() as session:
        report = import_sales(session, path, skip_bad=True, progress=progress.append)
    assert [(e.line, "unit_price_fen" in e.reason) for e in report.errors] == [(2, True)]
    [step] = progress
    assert step.done_bytes == step.total_bytes == path.stat().st_size and step.sales == 2
    with demo_sessions() as session:
        [line] = session.scalars(select(SaleLine))
        assert (line.qty, line.total_fen) == (35, 55300)
        assert [(lot.lot_number, lot.qty) for lot in line.lots] == [("A1", 30), ("B2", 5)]


@pytest.fixture
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI reads no real configuration and speaks English."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


@pytest.mark.usefixtures("no_user_config")
def test_cli_import_sales(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = write_sales(tmp_path / "good.jsonl", sale(1, [("P00063", 1, 350)]))
    bad = write_sales(tmp_path / "bad.jsonl", sale(2, [("NOPE", 1, 350)]))
    db = ["--db", str(db_path)]
    assert main(["import", "sales", str(bad), *db]) == EXIT_FAILED
    assert "line 1: unknown sku NOPE" in capsys.readouterr().err
    assert main(["import", "sales", str(good), *db]) == EXIT_OK
    assert "1 sales imported, 0 already stored" in capsys.readouterr().out
    assert main(["import", "sales", str(good), *db]) == EXIT_OK
    assert "0 sales imported, 1 already stored" in capsys.readouterr().err
    assert main(["import", "sales", str(tmp_path / "none.jsonl"), *db]) == EXIT_FAILED
