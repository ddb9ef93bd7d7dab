"""A card head office merged into another member's attaches that member at the counter,
and the cashier is told so."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from tests.frontend.test_members_ui import SIZE, enrol, message
from tests.helpers import keys


async def test_scanning_a_merged_card_attaches_the_member_it_was_merged_into(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    kept = enrol(demo_sessions, "13812345678", "王芳", points=700)
    merged = enrol(demo_sessions, "13912345678", "王芳")
    with demo_sessions.begin() as session:
        row = session.merge(merged)
        row.merged_into_uid = kept.uid  # as the pull after `pos hq members merge` leaves it
    async with app.run_test(size=SIZE) as pilot:
        keys(app, *merged.card_no, "\n")
        await pilot.pause()
        await app.screen.query_one("#scan").settle()  # type: ignore[attr-defined]
        await pilot.pause()
        cart = app.register.cart()
        assert cart.member is not None and cart.member.card_no == kept.card_no
        assert cart.member.points == 700
        shown = message(app)
        assert f"Card {merged.card_no} merged into {kept.card_no}" in shown
        assert "王芳 attached" in shown
