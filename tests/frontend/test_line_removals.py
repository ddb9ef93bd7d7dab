"""What leaves the cart or the drawer is recorded, and a manager approves what the store asks.

Removing a line or lowering its quantity is always in the audit log (who, what, when);
with ``register.approve_line_removal`` a manager approves it, as for a void. Taking more
cash out of the drawer than it should hold needs a manager.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.sale.quantity import QuantityModal
from pos.app.modals.staff.override import OverrideModal
from pos.app.modals.staff.shift import CashModal
from pos.config import Settings
from pos.models import AuditEvent, CashMovement
from tests.conftest import fixed_clock
from tests.frontend.test_checkout_ui import SIZE, cart_rows, message, scan
from tests.frontend.test_shift_ui import open_shift
from tests.helpers import barcode_of, screen_text, type_text
from tests.register.test_overrides import approve


def audited(sessions: sessionmaker[Session], *actions: str) -> list[tuple[str, ...]]:
    with sessions() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        )
        return [(row.action, row.actor or "", row.approved_by or "", row.subject) for row in rows]


async def test_removing_lines_one_by_one_is_recorded(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("shouyin01", "1111")
    vitamin = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "3*" + vitamin)
        await pilot.press("f4")
        assert isinstance(app.screen, QuantityModal)
        await pilot.press("escape")  # changed their mind: nothing recorded
        await type_text(pilot, "1")
        await pilot.press("f4")
        assert cart_rows(app) == [("维生素C片", "1")]
        await pilot.press("f8")
        assert cart_rows(app) == []
    assert audited(demo_sessions, "line.reduce", "line.remove") == [
        ("line.reduce", "shouyin01", "", "P00063"),
        ("line.remove", "shouyin01", "", "P00063"),
    ]


async def test_a_store_can_ask_a_manager_for_every_removal(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    strict = settings.model_copy(
        update={"register": settings.register.model_copy(update={"approve_line_removal": True})}
    )
    app = build_app(strict, demo_sessions, clock=fixed_clock)
    app.register.login("shouyin01", "1111")
    vitamin = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "2*" + vitamin)
        await pilot.press("f8")
        assert isinstance(app.screen, OverrideModal)
        await pilot.press("escape")  # not approved: the line stays
        assert cart_rows(app) == [("维生素C片", "2")]
        await type_text(pilot, "5")
        await pilot.press("f4")  # raising a quantity needs nobody
        assert cart_rows(app) == [("维生素C片", "5")]
        await type_text(pilot, "1")
        await pilot.press("f4")
        assert isinstance(app.screen, OverrideModal)
        await approve(pilot, "dianzhang", "9999")
        assert cart_rows(app) == [("维生素C片", "1")]
        await pilot.press("f8")
        assert isinstance(app.screen, OverrideModal)
        await approve(pilot, "dianzhang", "9999")
        assert cart_rows(app) == []
    assert audited(demo_sessions, "line.reduce", "line.remove", "override.line_removal") == [
        ("override.line_removal", "shouyin01", "dianzhang", "P00063"),
        ("override.line_removal", "shouyin01", "dianzhang", "P00063"),
    ]


async def test_cash_out_beyond_what_the_drawer_holds_needs_a_manager(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("shouyin01", "1111")
    async with app.run_test(size=SIZE) as pilot:
        await open_shift(pilot, app, "100")
        for amount, reason in (("150", "bank"), ("60", "safe drop")):
            await pilot.press("ctrl+b", "f3")
            assert isinstance(app.screen, CashModal)
            await type_text(pilot, amount)
            await pilot.press("enter")
            await type_text(pilot, reason)
            await pilot.press("f12")
            if amount == "150":
                assert isinstance(app.screen, OverrideModal)
                assert "¥100.00 expected in the drawer" in screen_text(app)
                await pilot.press("escape")
                assert isinstance(app.screen, CheckoutScreen)
                assert "Not approved: nothing changed" in message(app)
        assert "Cash out of ¥60.00 recorded" in message(app)
        await pilot.press("ctrl+b", "f3")
        await type_text(pilot, "50")
        await pilot.press("enter")
        await type_text(pilot, "bank")
        await pilot.press("f12")
        assert isinstance(app.screen, OverrideModal)  # ¥40 left in the drawer
        await approve(pilot, "dianzhang", "9999")
        assert "Cash out of ¥50.00 recorded" in message(app)
    with demo_sessions() as session:
        moved = [(m.amount_fen, m.reason) for m in session.scalars(select(CashMovement))]
    assert moved == [(6000, "safe drop"), (5000, "bank")]
    cash = [row for row in audited(demo_sessions, "shift.cash")]
    assert [row[2] for row in cash] == ["", "dianzhang"]
