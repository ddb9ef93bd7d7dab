"""The store report: figures, follow-ups, the CLI formats and the Reports screen (Ctrl+Y)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.modals.staff.override import OverrideModal
from pos.app.modals.staff.reports import ReportsModal
from pos.cli import main
from pos.domain.reports.report_formats import REPORT_CSV_COLUMNS
from pos.domain.reports.store_report import store_report
from pos.domain.staff import audit
from pos.enums import Tender
from pos.register.service import RegisterIdentity, RegisterService
from tests.conftest import NOW, TODAY
from tests.frontend.test_checkout_ui import SIZE
from tests.helpers import barcode_of, screen_text, type_text

CARD = "2959121000841"  # 黄志强, phone 13794276622


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def sell(
    register: RegisterService,
    sessions: sessionmaker[Session],
    skus: list[str],
    tender: Tender,
    card: str | None = None,
) -> str:
    """Complete a sale of ``skus`` paid whole with ``tender`` (to the member with ``card``)."""
    if card:
        register.attach_card(card)
    for sku in skus:
        register.scan(barcode_of(sessions, sku))
    tendering = register.start_payment()
    tendering.add(tender, None)
    return register.complete(tendering).number


def make_sales(sessions: sessionmaker[Session]) -> Clock:
    """Two chronic purchases a month apart long ago, then today's sales and a void."""
    clock = Clock()
    register = RegisterService(sessions, RegisterIdentity("001", "01"), clock)
    for day in (date(2026, 1, 1), date(2026, 1, 31)):  # refill every 30 days, last 38 days ago
        clock.now = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
        sell(register, sessions, ["P00097"], Tender.CASH, CARD)
    clock.now = NOW  # 10:00 in Shanghai
    sell(register, sessions, ["P00065", "P00001"], Tender.CASH, CARD)
    clock.now = NOW + timedelta(hours=4)  # 14:00
    sell(register, sessions, ["P00001"], Tender.CARD)
    register.scan(barcode_of(sessions, "P00065"))
    approval = register.approve("void", "dianzhang", "9999")
    register.clear_cart(approval)
    return clock


def test_the_report_adds_hours_cashiers_voids_members_and_follow_ups(
    demo_sessions: sessionmaker[Session],
) -> None:
    make_sales(demo_sessions)
    with demo_sessions() as session:
        report = store_report(session, TODAY, TODAY, "001", "Asia/Shanghai")
    day = report.day
    assert day.sales == 2 and day.member_sales == 1
    assert [(h.hour, h.sales) for h in report.hours] == [(10, 1), (14, 1)]
    assert sum(h.net_fen for h in report.hours) == day.net_fen
    assert [(c.cashier, c.sales) for c in report.cashiers] == [("", 2)]
    assert report.voids == 1 and report.void_fen == 6800
    assert report.guidance.whole == 2 and report.guidance.part == 0  # two 999感冒灵 lines
    assert report.returns == 0 and report.net_after_refunds_fen == day.net_fen
    assert day.tenders == {"cash": day.member_net_fen, "card": 1580}
    (due,) = report.follow_up
    assert due.card_no == CARD and due.masked_phone == "137****6622"
    assert due.last_purchase == date(2026, 1, 31) and due.interval_days == 30
    assert due.days_since == 38 and due.overdue_days == 8
    with demo_sessions() as session:  # on 2026-02-15 the refill was not yet due
        early = store_report(session, date(2026, 2, 15), date(2026, 2, 15), "001", "Asia/Shanghai")
        assert early.follow_up == [] and early.day.sales == 0
        whole = store_report(session, date(2026, 1, 1), TODAY, "001", "Asia/Shanghai")
        assert whole.day.sales == 4
        assert audit.verify(session).ok


def _cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    capsys.readouterr()
    assert main(["report", *args, "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_cli_formats(
    demo_sessions: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_sales(demo_sessions)
    data = json.loads(_cli(capsys, db_path, "daily", "--date", "2026-03-10", "--format", "json"))
    assert data["sales"] == 2 and data["member_sales"] == 1  # the daily report's keys stay
    assert data["voids"] == {"count": 1, "total_fen": 6800}
    assert data["follow_up"][0]["masked_phone"] == "137****6622"
    assert "13794276622" not in json.dumps(data)
    rows = list(csv.DictReader(io.StringIO(_cli(capsys, db_path, "daily", "--date",
                                                "2026-03-10", "--format", "csv"))))  # fmt: skip
    assert tuple(rows[0]) == REPORT_CSV_COLUMNS
    by_key = {(row["section"], row["key"]): row for row in rows}
    assert by_key[("summary", "sales")]["count"] == "2"
    assert by_key[("members", "member")]["percent"] == "50.0"
    assert by_key[("hour", "14")]["amount_fen"] == "1580"
    assert by_key[("follow_up", CARD)]["date"] == "2026-01-31"
    text = _cli(capsys, db_path, "daily", "--date", "2026-03-10", "--format", "text")
    assert "Sales: 2" in text and "Voided carts" in text and "137****6622" in text
    table = _cli(capsys, db_path, "range", "--from", "2026-01-01", "--to", "2026-03-10",
                 "--format", "table")  # fmt: skip
    assert "Report 2026-01-01 to 2026-03-10" in table and "Sales by hour" in table
    assert "Member share of transactions" in table
    assert main(["report", "range", "--db", str(db_path)]) == 2  # --from is needed
    assert main(["report", "daily", "--date", "2026-3-1", "--db", str(db_path)]) == 2
    assert main(["report", "range", "--from", "2026-03-10", "--to", "2026-03-01",
                 "--db", str(db_path)]) == 2  # fmt: skip


async def test_ctrl_y_asks_a_manager_and_shows_the_day(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    make_sales(demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, OverrideModal)  # nobody is logged in: a manager approves
        await type_text(pilot, "dianzhang")
        await pilot.press("enter", *"9999", "f12")
        await pilot.pause()
        assert isinstance(app.screen, ReportsModal)
        shown = screen_text(app)
        assert "Daily report 2026-03-10" in shown and "Member share of transactions" in shown
        assert "50.0%" in shown and "¥15.80" in shown
        await pilot.press("left")
        assert "Daily report 2026-03-09" in screen_text(app)
        await pilot.press("right", "right")  # not past today
        assert "Daily report 2026-03-10" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportsModal)
        app.register.login("dianzhang", "9999")  # a manager logged in opens it directly
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, ReportsModal)
    with demo_sessions() as session:
        assert audit.verify(session).ok
