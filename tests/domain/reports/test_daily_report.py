"""The daily report: SQL aggregates over one business day's sales."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.domain.reports.daily_report import daily_report, report_text
from pos.enums import Tender
from pos.models import Member, Sale
from pos.register.service import RegisterService
from tests.conftest import TODAY
from tests.domain.shifts.test_shifts import sell
from tests.helpers import barcode_of


def make_day(register: RegisterService, sessions: sessionmaker[Session]) -> None:
    """Three sales: ¥15.80 cash (a member's), ¥3.50 cash, ¥15.80 + ¥3.50 by card."""
    first = sell(register, sessions, "P00001", Tender.CASH)
    sell(register, sessions, "P00063", Tender.CASH)
    register.scan("2*" + barcode_of(sessions, "P00063"))
    sell(register, sessions, "P00001", Tender.CARD)
    with sessions.begin() as session:
        member_id = session.scalars(select(Member.id).limit(1)).one()
        session.execute(update(Sale).where(Sale.number == first).values(member_id=member_id))


def test_daily_report_numbers(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    make_day(register, demo_sessions)
    with demo_sessions() as session:
        report = daily_report(session, TODAY, "001")
        assert daily_report(session, TODAY, "001", "02").sales == 0
        assert daily_report(session, date(2026, 3, 9), "001").sales == 0
    assert report.sales == 3
    assert report.net_fen == 1580 + 350 + 1580 + 700
    assert report.tenders == {"card": 2280, "cash": 1930}
    assert report.member_sales == 1 and report.member_share == pytest.approx(1 / 3)
    assert report.member_average_fen == 1580
    assert report.other_average_fen == (350 + 2280) // 2
    assert [(c.category, c.qty, c.net_fen) for c in report.categories] == [
        ("cold_flu", 2, 3160),
        ("vitamins", 3, 1050),
    ]
    assert [(p.sku, p.qty) for p in report.products] == [("P00001", 2), ("P00063", 3)]
    text = "\n".join(report_text(report))
    assert "Sales: 3" in text and "42.10" in text and "33.3%" in text


def test_daily_report_command(
    register: RegisterService,
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_day(register, demo_sessions)
    args = ["report", "daily", "--date", "2026-03-10", "--db", str(db_path)]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sales"] == 3 and data["tenders"]["cash"] == 1930
    assert main(args) == 0
    assert "42.10" in capsys.readouterr().out
    assert main(["report", "daily", "--date", "10/03/2026", "--db", str(db_path)]) == 2
    assert main(["report", "suggestions", "--db", str(db_path)]) == 0
