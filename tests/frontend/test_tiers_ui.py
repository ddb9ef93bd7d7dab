"""Imported tiers at the counter, driven by keys: kept after a sale, until ``tier_until``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.config import Settings
from pos.domain.members import members
from pos.models import Member
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.conftest import NOW
from tests.domain.members.test_tiers import Clock
from tests.frontend.test_members_ui import SIZE, member_panel
from tests.helpers import barcode_of, type_text

DATED, OPEN_ENDED = "16612340001", "16612340002"


def stored(sessions: sessionmaker[Session], phone: str) -> Member:
    with sessions() as session:
        member = members.member_by_phone(session, phone)
        assert member is not None
        return member


async def attach(pilot: Pilot[Any], phone: str) -> None:
    """F2, the member's phone, Enter: the member is on the sale."""
    await pilot.press("f2")
    await type_text(pilot, phone)
    await pilot.press("enter")


async def sell_to(pilot: Pilot[Any], sessions: sessionmaker[Session], phone: str) -> None:
    """One box of 999感冒灵 to the member, paid in cash (F12, Enter)."""
    await type_text(pilot, barcode_of(sessions, "P00001"))
    await pilot.press("enter")
    await attach(pilot, phone)
    await pilot.press("f9", "f12", "enter")
    assert isinstance(pilot.app.screen, CheckoutScreen)


async def test_an_imported_gold_member_stays_gold_after_a_sale_until_tier_until(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    data = "\n".join((
        ",".join((*MEMBER_COLUMNS, "tier_until")),
        f",{DATED},钱多多,f,,gold,0,2025-01-02,2026-03-10",
        f",{OPEN_ENDED},孙小美,f,,gold,0,2025-01-02,",
    )).encode()  # fmt: skip
    with demo_sessions.begin() as session:
        tiers = ("normal", "silver", "gold", "platinum")
        assert import_members(session, data, tiers, NOW, "Asia/Shanghai", "001").errors == []
    clock = Clock()
    app: PosApp = build_app(settings, demo_sessions, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        for phone in (DATED, OPEN_ENDED):
            await sell_to(pilot, demo_sessions, phone)  # ¥14.50: normal by spend
            assert stored(demo_sessions, phone).tier == "gold"
        await attach(pilot, DATED)  # the next customer: still gold on screen
        assert "Gold" in member_panel(app)
        await pilot.press("f2", "f8")  # detach
        assert app.register.cart().member is None

        clock.now = NOW + timedelta(days=1)  # tier_until was yesterday
        for phone in (DATED, OPEN_ENDED):
            await sell_to(pilot, demo_sessions, phone)
        lapsed = stored(demo_sessions, DATED)
        assert (lapsed.tier, lapsed.tier_floor, lapsed.tier_until) == ("normal", None, None)
        assert stored(demo_sessions, OPEN_ENDED).tier == "gold"  # no end: still gold
        await attach(pilot, DATED)
        assert "Normal" in member_panel(app) and "Gold" not in member_panel(app)
        await pilot.press("f2", "f8")
        await attach(pilot, OPEN_ENDED)
        assert "Gold" in member_panel(app)
