"""Shifts: float, cash in and out, expected versus counted cash, X and Z reports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.domain.printing.printing import PrintProfile, StoreHeader
from pos.domain.shifts import shifts
from pos.enums import Tender
from pos.models import CashMovement, Shift, ShiftReport
from pos.register.service import RegisterService
from tests.conftest import NOW
from tests.helpers import barcode_of

PROFILE = PrintProfile(store=StoreHeader("康宁大药房"), language="en")


def sell(
    register: RegisterService, sessions: sessionmaker[Session], sku: str, tender: Tender
) -> str:
    """Complete a sale of one ``sku`` paid whole with ``tender``."""
    register.scan(barcode_of(sessions, sku))
    tendering = register.start_payment()
    tendering.add(tender, None)
    return register.complete(tendering).number


def test_a_second_open_shift_is_refused(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "01", 50000, NOW, "u1")
    with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError, match="already open"):
        shifts.open_shift(session, "01", 50000, NOW)
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "02", 0, NOW)  # another register has its own shift
        assert session.scalar(select(func.count(Shift.id))) == 2


def test_cash_in_and_out_need_an_open_shift_a_reason_and_a_sane_amount(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError, match="No shift"):
        shifts.move_cash(session, "01", shifts.CASH_IN, 1000, "change", NOW)
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "01", 50000, NOW)
        shifts.move_cash(session, "01", shifts.CASH_IN, 2000, "coins from the bank", NOW)
        shifts.move_cash(session, "01", shifts.CASH_OUT, 30000, "safe drop", NOW, "u1")
    for amount, reason in ((0, "x"), (-5, "x"), (10_000_001, "x"), (100, "  ")):
        with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError):
            shifts.move_cash(session, "01", shifts.CASH_OUT, amount, reason, NOW)
    with demo_sessions() as session:
        moved = session.execute(select(CashMovement.kind, CashMovement.amount_fen)).all()
    assert sorted(moved) == [("in", 2000), ("out", 30000)]


def test_expected_cash_and_over_short_after_cash_and_card_sales(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "01", 50000, NOW)  # ¥500 float
    first = sell(register, demo_sessions, "P00001", Tender.CASH)  # ¥15.80
    sell(register, demo_sessions, "P00063", Tender.CASH)  # ¥3.50
    last = sell(register, demo_sessions, "P00001", Tender.CARD)  # ¥15.80 by card
    with demo_sessions.begin() as session:
        shifts.move_cash(session, "01", shifts.CASH_IN, 1000, "coins", NOW)
        shifts.move_cash(session, "01", shifts.CASH_OUT, 20000, "safe drop", NOW)
    # 50000 + 1580 + 350 + 1000 - 20000 = 32930 expected
    with demo_sessions.begin() as session:
        report, receipt = shifts.x_report(session, "01", PROFILE, NOW)
        assert report.kind == "X"
        assert report.data["expected_fen"] == 32930
        assert report.data["sales"] == 3 and report.data["net_fen"] == 3510
        assert report.data["tenders"] == {"card": 1580, "cash": 1930}
        assert report.data["first_sale"] == first and report.data["last_sale"] == last
        assert report.data["counted_fen"] is None
        assert "329.30" in report.text and "X report" in report.text
        assert receipt.total_fen == 3510
    # Counted ¥329.00: 3×100 + 2×10 + 9×1 → 30 fen short.
    counts = shifts.parse_counts("100=3,10=2,1=9")
    with demo_sessions.begin() as session:
        report, _receipt = shifts.close_shift(session, "01", counts, PROFILE, NOW, "u2")
        assert report.kind == "Z"
        assert report.data["counted_fen"] == 32900 and report.data["over_short_fen"] == -30
        assert "-0.30" in report.text
    with demo_sessions() as session:
        shift = session.scalars(select(Shift)).one()
        assert (shift.expected_fen, shift.counted_fen, shift.over_short_fen) == (32930, 32900, -30)
        assert shift.counted == {"10000": 3, "1000": 2, "100": 9}
        assert shift.closed_at is not None and shift.closed_by == "u2"


def test_x_any_number_of_times_then_z_once(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "01", 10000, NOW)
        shifts.x_report(session, "01", PROFILE, NOW)
        shifts.x_report(session, "01", PROFILE, NOW + timedelta(minutes=5))
        shifts.close_shift(session, "01", {10000: 1}, PROFILE, NOW + timedelta(hours=1))
    with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError, match="No shift"):
        shifts.close_shift(session, "01", {10000: 1}, PROFILE, NOW)
    with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError, match="No shift"):
        shifts.x_report(session, "01", PROFILE, NOW)
    with demo_sessions() as session:
        kinds = session.scalars(select(ShiftReport.kind).order_by(ShiftReport.id)).all()
        assert kinds == ["X", "X", "Z"]
        over = session.scalars(select(Shift.over_short_fen)).one()
        assert over == 0


@pytest.mark.parametrize("counts", [{10000: -1}, {3000: 1}, {100: True}, {100: 1.5}])
def test_closing_with_bad_counts_is_refused_and_changes_nothing(
    demo_sessions: sessionmaker[Session], counts: dict[int, int]
) -> None:
    with demo_sessions.begin() as session:
        shifts.open_shift(session, "01", 10000, NOW)
    with demo_sessions.begin() as session, pytest.raises(shifts.ShiftError):
        shifts.close_shift(session, "01", counts, PROFILE, NOW)
    with demo_sessions() as session:
        shift = session.scalars(select(Shift)).one()
        assert shift.closed_at is None and shift.counted_fen is None
        assert session.scalar(select(func.count(ShiftReport.id))) == 0


@pytest.mark.parametrize("text", ["30=1", "100=-1", "100=x", "100", "abc=1", "0.5=1.5"])
def test_parse_counts_refuses_bad_text(text: str) -> None:
    with pytest.raises(shifts.ShiftError):
        shifts.parse_counts(text)


def test_parse_counts_reads_every_cny_denomination() -> None:
    counts = shifts.parse_counts("100=1, 50=1,20=1,10=1,5=1,1=1,0.5=1,0.1=1")
    assert shifts.check_counts(counts) == 18660


def test_shift_commands(
    demo_sessions: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(db_path)]
    assert main(["shift", "open", "--float", "500", "--by", "u1", *db]) == 0
    assert main(["shift", "open", "--float", "500", *db]) == 1
    assert main(["shift", "cash-in", "10", "--reason", "coins", *db]) == 0
    assert main(["shift", "cash-out", "200", "--reason", "safe drop", *db]) == 0
    assert main(["shift", "cash-out", "0", "--reason", "nothing", *db]) == 2
    assert main(["shift", "cash-in", "ten", "--reason", "coins", *db]) == 2
    capsys.readouterr()
    assert main(["shift", "x", *db]) == 0
    assert "310.00" in capsys.readouterr().out
    assert main(["shift", "close", "--counted", "100=3,30=1", *db]) == 2
    assert "Unknown denomination" in capsys.readouterr().err
    assert main(["shift", "close", "--counted", "100=3,10=1", *db]) == 0
    out = capsys.readouterr().out
    assert "Z 报表" in out and "310.00" in out  # in the receipt language (zh_CN)
    assert main(["shift", "x", *db]) == 1
