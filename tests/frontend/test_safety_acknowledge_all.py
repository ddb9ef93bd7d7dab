"""F12 with several medicines whose guidance is due: one screen, one F9 for all (issue #16.3)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual.containers import VerticalScroll

from pos import i18n
from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal, PharmacistModal
from pos.app.modals.sale.payment import PaymentModal
from pos.models import SaleLine
from tests.frontend.test_safety_ui import message, scan
from tests.helpers import barcode_of, screen_text

SMALL = (80, 24)


async def test_f12_shows_every_guidance_due_and_f9_acknowledges_them_all(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    cold = barcode_of(demo_sessions, "P00001")  # 999感冒灵颗粒 6930496010716
    vitamin_c = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SMALL) as pilot:
        await scan(pilot, cold)
        await scan(pilot, vitamin_c)
        assert all(not line.guidance_given for line in app.register.cart().lines)
        await pilot.press("f12")
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal) and not prompt.warning
        assert [title for title, _text in prompt.sections] == [
            "Medication guidance: 999感冒灵颗粒",
            "Medication guidance: 维生素C片",
        ]
        assert "2 medicines" in prompt.title_text
        for _title, text in prompt.sections:
            assert "Usage" in text and "Dose" in text and "Precautions" in text
        box = prompt.query_one(VerticalScroll)
        assert box.max_scroll_y > 0  # more than 24 rows: it scrolls
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("enter")  # a scanner's Enter never acknowledges
        assert app.screen is prompt
        await pilot.press("f9")
        assert all(line.guidance_given for line in app.register.cart().lines)
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        lines = session.scalars(select(SaleLine).order_by(SaleLine.id)).all()
        assert [line.guidance_given for line in lines] == [True, True]


async def test_in_chinese_the_combined_prompt_reads_as_chinese(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    i18n.setup("zh_CN")
    try:
        async with app.run_test(size=SMALL) as pilot:
            await scan(pilot, barcode_of(demo_sessions, "P00001"))
            await scan(pilot, barcode_of(demo_sessions, "P00063"))
            await pilot.press("f12")
            assert isinstance(app.screen, AcknowledgeModal)
            text = screen_text(app)
            assert "用药指导：2 种药品" in text
            assert "逐一告知顾客后按 F9" in text
    finally:
        i18n.setup("en")


async def test_esc_acknowledges_none_of_them(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await scan(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("f12", "escape")
        assert isinstance(app.screen, CheckoutScreen)
        assert not any(line.guidance_given for line in app.register.cart().lines)
        assert "must be acknowledged" in message(app)


async def test_a_warning_for_a_pharmacist_stays_a_prompt_of_its_own(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await scan(pilot, barcode_of(demo_sessions, "P00008"))  # also acetaminophen
        await pilot.press("f12")
        guidance = app.screen
        assert isinstance(guidance, AcknowledgeModal) and len(guidance.sections) == 2
        assert not guidance.warning
        await pilot.press("f9")
        assert all(line.guidance_given for line in app.register.cart().lines)
        warning = app.screen
        assert isinstance(warning, AcknowledgeModal) and warning.warning
        assert warning.sections == ()
        await pilot.press("f9")  # the cashier's F9 alone never clears it
        assert isinstance(app.screen, PharmacistModal)
