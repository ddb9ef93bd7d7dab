"""Cash shifts in the running register: Ctrl+B opens, moves cash, reports and closes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.sale.quantity import ValueModal
from pos.app.modals.staff.override import OverrideModal
from pos.app.modals.staff.shift import CashModal, ShiftMenuModal, ShiftReportModal
from pos.app.modals.staff.shift_count import CountModal
from pos.app.widgets.status.shift_status import ShiftStatus
from pos.config import Settings
from pos.domain.returns.returns import ReturnRequest
from pos.domain.sales.codes import InputError
from pos.domain.shifts import shifts
from pos.enums import Tender
from pos.models import AuditEvent, CashMovement, JobKind, ParkedCart, PrintJob, Shift, ShiftReport
from pos.money import format_fen
from pos.register.service import RegisterService
from pos.register.staff.overrides import Approval
from tests.conftest import NOW, fixed_clock
from tests.domain.shifts.test_shifts import PROFILE, sell
from tests.frontend.test_checkout_ui import SIZE, message, sale_count, scan
from tests.helpers import barcode_of, screen_text, type_text
from tests.register.test_overrides import approve


def audit_actions(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [
            action
            for action in session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
            if action.startswith("shift.")
        ]


def shift_line(app: PosApp) -> str:
    return app.screen.query_one(ShiftStatus).text


def job_kinds(sessions: sessionmaker[Session]) -> list[JobKind]:
    with sessions() as session:
        return list(session.scalars(select(PrintJob.kind).order_by(PrintJob.id)))


async def open_shift(pilot: object, app: PosApp, float_yuan: str) -> None:
    await pilot.press("ctrl+b")  # type: ignore[attr-defined]
    assert isinstance(app.screen, ValueModal)
    await type_text(pilot, float_yuan)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def count(pilot: object, counts: list[str]) -> None:
    """Type one count per denomination (100 yuan first), Enter between them."""
    for index, text in enumerate(counts):
        if index:
            await pilot.press("enter")  # type: ignore[attr-defined]
        await type_text(pilot, text)  # type: ignore[arg-type]


async def test_a_shift_from_float_to_a_short_close(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("dianzhang", "9999")  # a manager closes without a second approval
    code = barcode_of(demo_sessions, "P00001")
    async with app.run_test(size=SIZE) as pilot:
        assert "No shift open" in shift_line(app)
        await pilot.press("f1")
        assert "Cash shift" in screen_text(app)  # F1 lists Ctrl+B
        await pilot.press("escape")
        await open_shift(pilot, app, "5OO")  # letters in the amount
        assert isinstance(app.screen, ValueModal)
        assert "Not an amount in yuan: 5OO" in screen_text(app)
        await pilot.press(*["backspace"] * 3, *"500", "enter")
        assert isinstance(app.screen, CheckoutScreen)
        assert "Shift opened with a float of ¥500.00" in message(app)
        assert "since 03-10 10:00, float ¥500.00" in shift_line(app)

        await scan(pilot, code)
        await pilot.press("f9", "f12", "enter")  # guidance told, paid cash, exact
        assert sale_count(demo_sessions) == 1

        await pilot.press("ctrl+b")
        assert isinstance(app.screen, ShiftMenuModal)
        assert "¥515.80" in screen_text(app)
        await pilot.press("f3")
        assert isinstance(app.screen, CashModal)
        await type_text(pilot, "200")
        await pilot.press("f12")  # no reason
        assert "Give a reason" in screen_text(app)
        await pilot.press("enter")
        await type_text(pilot, "safe drop")
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
        assert "Cash out of ¥200.00 recorded" in message(app)
        assert "¥315.80" in message(app)

        await pilot.press("ctrl+b", "f4")
        assert isinstance(app.screen, ShiftReportModal)
        assert "315.80" in screen_text(app)
        await pilot.press("escape")
        assert "X report" in message(app)

        await pilot.press("ctrl+b", "f5")
        assert isinstance(app.screen, CountModal)
        # 3×100 + 1×10 + 4×1 + 3×0.1 = ¥314.30 in the drawer, ¥315.80 expected
        await count(pilot, ["3", "", "", "1", "", "4", "", "x"])
        assert "whole number: x" in screen_text(app)
        await pilot.press("f12")
        assert isinstance(app.screen, CountModal)
        await pilot.press("backspace", "3")
        assert "Counted ¥314.30 (expected ¥315.80)" in screen_text(app)
        await pilot.press("f12")
        assert "Counted ¥314.30, expected ¥315.80: short ¥1.50" in screen_text(app)
        await pilot.press("backspace", "2")  # a recount: checked again before closing
        await pilot.press("f12")
        assert "Counted ¥314.20, expected ¥315.80: short ¥1.60" in screen_text(app)
        await pilot.press("backspace", "3", "f12", "f12")
        assert isinstance(app.screen, ShiftReportModal)
        assert "-1.50" in screen_text(app)
        await pilot.press("escape")
        assert "short ¥1.50" in message(app)
        assert "No shift open" in shift_line(app)

    with demo_sessions() as session:
        shift = session.scalars(select(Shift)).one()
        assert (shift.float_fen, shift.expected_fen, shift.counted_fen) == (50000, 31580, 31430)
        assert shift.over_short_fen == -150
        assert shift.closed_by == "dianzhang"
        assert shift.counted == {"10000": 3, "1000": 1, "100": 4, "10": 3}
        [movement] = session.scalars(select(CashMovement)).all()
        assert (movement.kind, movement.amount_fen, movement.reason) == ("out", 20000, "safe drop")
        reports = session.scalars(select(ShiftReport).order_by(ShiftReport.id)).all()
        assert [report.kind for report in reports] == ["X", "Z"]
        assert reports[1].data["over_short_fen"] == -150
    assert job_kinds(demo_sessions) == [
        JobKind.DRAWER,  # the float goes in
        JobKind.RECEIPT,
        JobKind.DRAWER,  # the cash out
        JobKind.SHIFT,
        JobKind.SHIFT,
    ]
    assert audit_actions(demo_sessions) == ["shift.open", "shift.cash", "shift.close"]


async def test_close_is_refused_with_a_held_cart_or_a_cart_in_progress(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await open_shift(pilot, app, "100")
        await scan(pilot, code)
        await pilot.press("ctrl+b", "f5")
        assert isinstance(app.screen, CheckoutScreen)
        assert "sale in progress" in message(app)
        await pilot.press("ctrl+g")  # hold it (挂单)
        await pilot.press("ctrl+b", "f5")
        assert isinstance(app.screen, CheckoutScreen)
        assert "1 held sale(s)" in message(app)
    with demo_sessions() as session:
        assert session.scalars(select(Shift.closed_at)).one() is None
        assert session.scalars(select(ShiftReport)).all() == []
        assert len(session.scalars(select(ParkedCart)).all()) == 1
    assert audit_actions(demo_sessions) == ["shift.open"]


async def test_a_cashier_needs_a_manager_to_close(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("shouyin01", "1111")
    async with app.run_test(size=SIZE) as pilot:
        await open_shift(pilot, app, "0")
        await pilot.press("ctrl+b", "f5")
        await pilot.press("f12", "f12")  # an empty drawer: nothing counted, even
        assert isinstance(app.screen, OverrideModal)
        await pilot.press("escape")
        assert "Not approved" in message(app)
        with demo_sessions() as session:
            assert session.scalars(select(Shift.closed_at)).one() is None
        await pilot.press("ctrl+b", "f5", "f12", "f12")
        await approve(pilot, "dianzhang", "9999")
        assert isinstance(app.screen, ShiftReportModal)
        await pilot.press("escape")
        assert "even" in message(app)
    with demo_sessions() as session:
        shift = session.scalars(select(Shift)).one()
        assert (shift.opened_by, shift.closed_by, shift.over_short_fen) == (
            "shouyin01",
            "shouyin01",
            0,
        )
        [close] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "shift.close")
        ).all()
        assert (close.actor, close.approved_by) == ("shouyin01", "dianzhang")


async def test_require_shift_refuses_payment_until_a_shift_is_open(
    tmp_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    settings = Settings(register={"database": tmp_path / "pos.db", "require_shift": True})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00063"))
        if app.register.cart().lines[0].guidance is not None:
            await pilot.press("f9")
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
        assert "No shift is open" in message(app)
        await open_shift(pilot, app, "100")
        await pilot.press("f12", "enter")
    assert sale_count(demo_sessions) == 1


def test_cash_refunds_leave_the_drawer_and_bad_input_changes_nothing(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.open_shift("300")
    number = sell(register, demo_sessions, "P00063", Tender.CASH)
    paid = register.current_shift()
    assert paid is not None
    sale_line = register.find_return(number).lines[0].sale_line_id
    register.complete_return(
        number, ReturnRequest({sale_line: 1}, to_cash=True), Approval("refund", "dianzhang")
    )
    after = register.current_shift()
    assert after is not None and after.expected_fen == 30000  # the refund left the drawer
    assert paid.expected_fen > after.expected_fen
    for kind, amount, reason, error in (
        ("out", "12,5", "x", "Not an amount in yuan"),
        ("out", "", "x", "Type the amount"),
        ("in", "-5", "x", "Not an amount in yuan"),
        ("in", "0", "x", "above 0"),
        ("out", "10", " ", "Give a reason"),
    ):
        with pytest.raises(InputError, match=error):
            register.move_cash(kind, amount, reason)
    with pytest.raises(InputError, match="already open"):
        register.open_shift("100")
    for counts, error in (({100: "1.5"}, "whole number: 1.5"), ({50: "-1"}, "whole number")):
        with pytest.raises(InputError, match=error):
            register.close_shift(counts, Approval("shift.close", "dianzhang"))
    with demo_sessions() as session:
        assert session.scalars(select(CashMovement)).all() == []
        assert session.scalars(select(Shift.closed_at)).one() is None
        [report_line] = [
            line
            for line in shifts.x_report(session, "01", PROFILE, NOW)[0].text.splitlines()
            if "Cash refunds" in line
        ]
        assert report_line.rstrip().endswith(format_fen(paid.expected_fen - 30000))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_at_80x24_every_count_and_the_running_total_are_in_view(
    language: str, app: PosApp
) -> None:
    """The count's running total and its last denominations were below the box's edge at
    80×24: a manager counted blind."""
    from pos import i18n

    i18n.setup(language)
    try:
        app.register.login("dianzhang", "9999")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_shift(pilot, app, "500")
            await pilot.press("ctrl+b", "f5")
            assert isinstance(app.screen, CountModal)
            await count(pilot, ["3", "", "", "1"])
            await pilot.pause()
            box = app.screen.query_one("#count-form").region
            for widget in app.screen.query("#count-form .form-row, #count-total"):
                assert box.contains_region(widget.region), widget
            assert i18n._("Counted ¥{counted} (expected ¥{expected})").format(
                counted="310.00", expected="500.00"
            ) in screen_text(app)
    finally:
        i18n.setup("en")
