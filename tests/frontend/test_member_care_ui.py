"""Service after the sale at the counter (issue #17): a follow-up call planned by a medicine
sale and done with an outcome, a referral credited after the first purchase only, a
birthday gift given once, a lapsed member welcomed back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.confirm import ConfirmModal
from pos.app.modals.members.follow_ups import FollowUpModal
from pos.app.modals.members.member_form import MemberFormModal
from pos.app.modals.sale.payment import PaymentModal
from pos.domain.members import points_ledger, referrals
from pos.models import FollowUpTask, Member, MemberGift, PointsEntry, Sale
from pos.register.staff.login import UserView
from tests.conftest import NOW, TODAY
from tests.frontend.test_members_ui import enrol, member_panel, message
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)
PHARMACIST = UserView("yaoshi01", "李药师", "pharmacist")


async def sell_to(pilot, app: PosApp, sessions: sessionmaker[Session], card_no: str) -> None:  # type: ignore[no-untyped-def]
    """Scan the member's card and a box of 999感冒灵 (OTC-A), acknowledge, pay cash."""
    await type_text(pilot, card_no)
    await pilot.press("enter")
    if isinstance(app.screen, ConfirmModal):  # a birthday gift offered: not this time
        await pilot.press("escape")
    await type_text(pilot, barcode_of(sessions, "P00001"))
    await pilot.press("enter", "f9", "f12")
    assert isinstance(app.screen, PaymentModal)
    await pilot.press("enter")
    assert isinstance(app.screen, CheckoutScreen), message(app)


async def test_a_medicine_sale_plans_a_call_the_pharmacist_makes_with_ctrl_u(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.register.user = PHARMACIST
        await sell_to(pilot, app, demo_sessions, member.card_no)
        await pilot.press("ctrl+u")
        assert isinstance(app.screen, FollowUpModal)
        shown = screen_text(app)
        assert "13812345678" in shown  # in full, to the pharmacist who calls
        assert "999感冒灵颗粒" in shown and (TODAY + timedelta(days=3)).isoformat() in shown
        await type_text(pilot, "说服药后感冒好转")
        await pilot.press("f4")  # doing well
        assert "Doing well" in screen_text(app) or "doing well" in screen_text(app)
        assert app.screen.tasks == []
        await pilot.press("escape")
    with demo_sessions() as session:
        task = session.scalars(select(FollowUpTask)).one()
        assert (task.reason, task.status, task.outcome, task.done_by) == (
            "after_sale", "done", "doing_well", "yaoshi01",
        )  # fmt: skip
        assert task.note == "说服药后感冒好转"


async def test_a_cashier_sees_phones_masked_and_cannot_record_a_call(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.register.user = UserView("shouyin01", "张收银", "cashier")
        await sell_to(pilot, app, demo_sessions, member.card_no)
        await pilot.press("ctrl+u")
        shown = screen_text(app)
        assert "138****5678" in shown and "13812345678" not in shown
        await pilot.press("f2")
        assert "Only a pharmacist" in screen_text(app)
    with demo_sessions() as session:
        assert session.scalars(select(FollowUpTask.status)).one() == "open"


async def test_a_side_effect_on_the_call_opens_the_adverse_reaction_form(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.register.user = PHARMACIST
        await sell_to(pilot, app, demo_sessions, member.card_no)
        await pilot.press("ctrl+u", "f5")
        await pilot.pause()
        assert member.card_no in screen_text(app)  # the reaction form, for this member
        assert not isinstance(app.screen, (FollowUpModal, CheckoutScreen))


async def test_a_referral_is_credited_after_the_first_purchase_only(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    referrer = enrol(demo_sessions, "13812345678", "王芳")
    with demo_sessions.begin() as session:
        code = referrals.ensure_code(session, session.get_one(Member, referrer.id))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        assert isinstance(app.screen, MemberFormModal)
        await type_text(pilot, "13900139000")
        await pilot.press("tab")
        await type_text(pilot, "赵敏")
        await pilot.press("tab", "tab", "tab", "space", "tab", "tab", "tab")
        await type_text(pilot, code.lower())
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen), screen_text(app)
        with demo_sessions() as session:
            assert points_ledger.balance(session, referrer.id) == 0  # not before a purchase
            new = session.scalars(select(Member).where(Member.phone == "13900139000")).one()
            assert new.referrer_id == referrer.id
        await sell_to(pilot, app, demo_sessions, new.card_no)
        await sell_to(pilot, app, demo_sessions, new.card_no)
    with demo_sessions() as session:
        credits = session.scalars(
            select(PointsEntry.delta).where(
                PointsEntry.member_id == referrer.id, PointsEntry.reason == "referral"
            )
        ).all()
        assert credits == [100]


async def test_a_wrong_referral_code_enrols_nobody(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await type_text(pilot, "13900139000")
        await pilot.press("tab")
        await type_text(pilot, "赵敏")
        await pilot.press("tab", "tab", "tab", "space", "tab", "tab", "tab")
        await type_text(pilot, "ZZZZZZZZ")
        await pilot.press("f12")
        assert isinstance(app.screen, MemberFormModal)
        assert "No member has the referral code" in screen_text(app)
    with demo_sessions() as session:
        assert session.scalar(select(Member.id).where(Member.phone == "13900139000")) is None


async def test_a_birthday_gift_is_offered_at_attach_and_given_once(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳", birthday=f"1980-{TODAY.month:02d}-20")
    async with app.run_test(size=SIZE) as pilot:
        app.register.rules = replace(app.register.rules, birthday_gift_points=88)
        await type_text(pilot, member.card_no)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "birthday gift, 88" in screen_text(app) and "F9 gives it" in screen_text(app)
        await pilot.press("f9")
        assert "Birthday gift given" in message(app)
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f9", "f12", "enter")
        assert isinstance(app.screen, CheckoutScreen)
        await type_text(pilot, member.card_no)  # the next visit: no second offer
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        gift = session.scalars(select(MemberGift)).one()
        sale = session.scalars(select(Sale)).one()
        assert (gift.member_id, gift.kind, gift.points, gift.sale_id) == (
            member.id, "points", 88, sale.id,
        )  # fmt: skip
        birthday = session.scalar(
            select(func.sum(PointsEntry.delta)).where(PointsEntry.reason == "birthday")
        )
        assert birthday == 88


async def test_a_lapsed_member_is_welcomed_back(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    with demo_sessions.begin() as session:
        row = session.get_one(Member, member.id)
        row.enrolled_at = row.last_visit_at = NOW - timedelta(days=400)
        row.visits = 3
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, member.card_no)
        await pilot.press("enter")
        assert "Welcome back" in message(app) and "400 days" in message(app)
        panel = member_panel(app)  # the customer file's class and the last visit
        assert "lapsed" in panel and (TODAY - timedelta(days=400)).isoformat() in panel
