"""Crash safety and held sales: the cart survives a restart, a stored sale never comes back."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import build_app
from pos.app.modals.sale.held import HeldSalesModal
from pos.app.widgets.message_bar import MessageBar
from pos.config import Settings
from pos.domain.members.members import MemberForm, enrol
from pos.models import ParkedCart, Sale
from tests.conftest import NOW, TODAY, fixed_clock
from tests.helpers import barcode_of, type_text

SIZE = (120, 40)


def sale_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Sale)) or 0


async def test_the_cart_in_progress_survives_a_restart(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        form = MemberForm(phone="13700137001", name="钱多", consent_terms=True)
        member = enrol(session, form, NOW, TODAY, "001")
    first = build_app(settings, demo_sessions, clock=fixed_clock)
    async with first.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "3*" + barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f9", "f2")
        await type_text(pilot, "13700137001")
        await pilot.press("enter")
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter")
    # The register stops (a crash, a power cut): a new one opens the same database.
    second = build_app(settings, demo_sessions, clock=fixed_clock)
    cart = second.register.cart()
    assert [(line.sku, line.qty) for line in cart.lines] == [("P00001", 3), ("P00063", 1)]
    assert cart.member is not None and cart.member.id == member.id
    assert [line.guidance_given for line in cart.lines] == [True, False]
    async with second.run_test(size=SIZE) as pilot:
        assert "was resumed (2 lines)" in str(second.screen.query_one(MessageBar).render())
        await pilot.press("f9", "f12", "enter")
    assert sale_count(demo_sessions) == 1
    third = build_app(settings, demo_sessions, clock=fixed_clock)
    assert third.register.cart().lines == ()  # the stored sale does not come back
    async with third.run_test(size=SIZE):  # and the cashier sees it was stored
        text = str(third.screen.query_one(MessageBar).render())
        assert "Last sale stored: S001-01-20260310-0001" in text
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(ParkedCart)) == 0


async def test_a_resumed_cart_of_one_line_says_so(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    first = build_app(settings, demo_sessions, clock=fixed_clock)
    async with first.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter")
    second = build_app(settings, demo_sessions, clock=fixed_clock)
    async with second.run_test(size=SIZE):
        shown = str(second.screen.query_one(MessageBar).render())
        assert "was resumed (1 line):" in shown


async def test_hold_serve_the_next_customer_and_recall(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "2*" + barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "ctrl+g")
        assert app.register.cart().lines == ()
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter", "ctrl+r")
        assert isinstance(app.screen, HeldSalesModal)
        await pilot.press("enter")  # the current sale must be finished or held first
        assert "Finish or hold" in str(app.screen.query_one("#held-status").render())
        await pilot.press("escape", "f9", "f12", "enter")  # the next customer pays
        assert sale_count(demo_sessions) == 1
    # Held sales survive a restart too.
    again = build_app(settings, demo_sessions, clock=fixed_clock)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        assert len(again.register.held_sales()) == 1
        await pilot.press("enter")
        assert [(line.sku, line.qty) for line in again.register.cart().lines] == [("P00001", 2)]
        assert again.register.held_sales() == []
