"""Promotions at the counter: the cart priced by the engine, shown, stored and printed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.modals.sale.promotions import PromotionsModal
from pos.models import Pairing, PrintJob, Sale, SaleLine
from pos.store.demo import demo_file
from pos.transfer.promotion_import import import_promotions
from tests.conftest import NOW, TODAY
from tests.domain.printing.test_printing import decode
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)


def demo_promotions(sessions: sessionmaker[Session]) -> None:
    """The demo store's promotions, starting a week ago as when the demo is loaded."""
    with sessions.begin() as session:
        report = import_promotions(
            session, demo_file("promotions.toml"), now=NOW, shift_to=TODAY - timedelta(days=7)
        )
        assert not report.errors
        session.execute(delete(Pairing))  # keep the screen to the promotions


async def test_second_item_half_price_threshold_and_gift_priced_and_stored(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "2*" + barcode_of(demo_sessions, "P00063"))  # 维生素C片 ¥3.50
        await pilot.press("enter")
        cart = app.register.cart()
        assert (cart.subtotal_fen, cart.discount_fen) == (700, 175)  # second at half price
        assert "维生素 第二件半价" in app.screen.query_one("#message").text  # type: ignore[attr-defined]
        await type_text(pilot, "6*" + barcode_of(demo_sessions, "P00001"))  # 6 × ¥15.80
        await pilot.press("enter")
        cart = app.register.cart()
        # 525 + 9480 = 10005 ≥ ¥100: ¥10 off, spread; ≥ ¥88: a gift line at no charge.
        assert cart.total_fen == 525 + 9480 - 1000
        gifts = [line for line in cart.lines if line.gift]
        assert len(gifts) == 1 and gifts[0].total_fen == 0
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, PromotionsModal)
        assert "满100减10" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("f9", "up", "f9", "up", "f9", "f12")
        while not hasattr(app.screen, "tendering"):  # guidance of the gift, if it has any
            await pilot.press("f9")
        await pilot.press("enter")
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        lines = session.scalars(select(SaleLine).order_by(SaleLine.line_no)).all()
        assert sale.total_fen == 525 + 9480 - 1000
        assert sum(line.total_fen for line in lines) == sale.total_fen
        assert lines[0].promotion_id == "VIT-2ND-HALF"
        assert lines[1].promotion_id == "SPEND-100-OFF-10"
        assert lines[2].promotion_id == "GIFT-88-MASK" and lines[2].total_fen == 0
        receipt = decode(session.scalars(select(PrintJob)).one().data)
    assert "维生素 第二件半价" in receipt


async def test_hint_when_close_to_a_threshold(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "5*" + barcode_of(demo_sessions, "P00001"))  # ¥79.00
        await pilot.press("enter")
        hints = app.register.cart().hints
        assert any("9.00" in hint for hint in hints)  # ¥9 more for the gift at ¥88
        panel = " ".join(screen_text(app).split())
        assert "Spend ¥9.00 more" in panel
