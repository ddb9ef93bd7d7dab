"""Head office's own tables against a real PostgreSQL: sales lines and returns as rows."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pos.enums import Tender
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from tests.conftest import NOW
from tests.helpers import barcode_of

RETURN_NUMBER = "R001-01-20260310-0001"
RETURN: dict[str, Any] = {
    "type": "return",
    "number": RETURN_NUMBER,
    "original": "001-01-20260310-0001",
    "completed_at": "2026-03-10T03:00:00+00:00",
    "store": "001",
    "register": "01",
    "cashier": "shouyin01",
    "approved_by": "dianzhang",
    "member": None,
    "reason": "wrong size",
    "lines": [
        {
            "line_no": 1,
            "sku": "P00001",
            "barcode": "6941792027797",
            "name": "fish oil",
            "qty": 1,
            "unit_price_fen": 8800,
            "total_fen": 8800,
            "restocked": True,
        }
    ],
    "refunds": [{"tender": "cash", "amount_fen": 8800}],
    "total_fen": 8800,
    "points_reversed": 0,
    "points_restored": 0,
}


def test_sales_lines_and_returns_are_tables_at_head_office(
    demo_template: Path, tmp_path: Path, hq_url: str
) -> None:
    path = tmp_path / "store.db"
    shutil.copy(demo_template, path)
    engine = make_engine(path)
    sessions = make_session_factory(engine)
    service = RegisterService(sessions, RegisterIdentity("001", "01"), lambda: NOW)
    service.scan(f"2*{barcode_of(sessions, 'P00001')}")
    service.scan(barcode_of(sessions, "P00010"))
    tendering = service.start_payment()
    tendering.add(Tender.CASH, None)
    number = service.complete(tendering).number
    hq = central.make_hq_engine(hq_url)
    try:
        runner.sync(sessions, hq, "001", "01")
        item = central.Sent("r" * 32, "return", RETURN_NUMBER, RETURN, NOW)
        with central.hq_sessions(hq).begin() as session:
            assert central.receive(session, "001", "01", [item], NOW) == 1
        with central.hq_sessions(hq).begin() as session:  # sent twice: still once
            assert central.receive(session, "001", "01", [item], NOW) == 0
        with hq.connect() as connection:
            lines = connection.execute(
                text(
                    "SELECT line_no, sku, qty, store_code FROM hq_sale_line"
                    " WHERE sale_number = :number ORDER BY line_no"
                ),
                {"number": number},
            ).all()
            assert [tuple(line) for line in lines] == [
                (1, "P00001", 2, "001"),
                (2, "P00010", 1, "001"),
            ]
            total = connection.scalar(
                text("SELECT sum(total_fen) FROM hq_sale_line WHERE sale_number = :n"),
                {"n": number},
            )
            assert total == connection.scalar(
                text("SELECT total_fen FROM hq_sale WHERE number = :n"), {"n": number}
            )
            returned = connection.execute(
                text(
                    "SELECT r.original_number, r.total_fen, l.sku, l.qty, l.restocked"
                    " FROM hq_return r JOIN hq_return_line l ON l.return_number = r.number"
                )
            ).all()
            assert [tuple(row) for row in returned] == [
                ("001-01-20260310-0001", 8800, "P00001", 1, True)
            ]
        # an older head office: init fills the tables from what it already received
        with hq.begin() as connection:
            connection.execute(text("DELETE FROM hq_sale_line"))
            connection.execute(text("DELETE FROM hq_return_line"))
            connection.execute(text("DELETE FROM hq_return"))
        central.init_hq(hq)
        with hq.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM hq_sale_line")) >= 2
            assert connection.scalar(text("SELECT count(*) FROM hq_return_line")) == 1
    finally:
        hq.dispose()
        engine.dispose()
