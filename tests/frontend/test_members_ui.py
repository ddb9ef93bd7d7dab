"""Members at the counter, driven by keys: lookup, enrolment, member prices, points."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.members.member_form import MemberFormModal
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.widgets.member_panel import MemberPanel
from pos.app.widgets.message_bar import MessageBar
from pos.domain.members import members, points_ledger
from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import Member, Payment, PointsEntry, Sale
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of, keys, screen_text, type_text

SIZE = (120, 40)
DEMO_CARD = "2998007713659"  # 郑桂芳, with allergies on file


def enrol(
    sessions: sessionmaker[Session],
    phone: str,
    name: str,
    points: int = 0,
    birthday: str = "",
) -> Member:
    """A member on file, with ``points`` in the ledger."""
    with sessions.begin() as session:
        form = MemberForm(phone=phone, name=name, birthday=birthday, consent_terms=True)
        member = members.enrol(session, form, NOW, TODAY, "001")
        if points:
            points_ledger.post_points(session, member.id, points, "import", NOW)
    return member


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


def member_panel(app: PosApp) -> str:
    """The lines of the screen that show the member panel (the right-hand column)."""
    panel = app.screen.query_one(MemberPanel).region
    lines = screen_text(app).splitlines()[panel.y : panel.bottom]
    return "\n".join(line[panel.x : panel.right] for line in lines)


async def test_lookup_by_last_four_digits_lists_and_attaches_the_chosen_member(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol(demo_sessions, "13812345678", "王芳")
    second = enrol(demo_sessions, "13912345678", "李娜", points=250)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f2")
        assert isinstance(app.screen, MemberLookupModal)
        await type_text(pilot, "5678")
        shown = screen_text(app)
        assert "138****5678" in shown and "139****5678" in shown
        assert "13812345678" not in shown  # phones are masked in lists
        rows = [member.name for member in app.screen.results]
        await pilot.press("down" if rows[0] != "李娜" else "up", "enter")
        assert isinstance(app.screen, CheckoutScreen)
        assert "李娜" in member_panel(app) and "250" in member_panel(app)
        assert app.register.cart().member is not None
        assert app.register.cart().member.id == second.id


async def test_member_prices_on_attach_and_list_prices_on_detach(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "2*" + barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter")
        register = app.register
        assert register.cart().total_fen == 3160
        await pilot.press("f2")
        await type_text(pilot, "13812345678")
        await pilot.press("enter")
        cart = register.cart()
        assert cart.total_fen == 2900 and cart.discount_fen == 260  # member price 14.50
        assert "★14.50" in screen_text(app) and "You save" in screen_text(app)
        await pilot.press("f2", "f8")
        assert isinstance(app.screen, CheckoutScreen)
        assert register.cart().total_fen == 3160 and register.cart().member is None
        assert "Member detached" in message(app)


async def test_scanning_a_member_card_attaches_the_member(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        keys(app, *member.card_no, "\n", *barcode_of(demo_sessions, "P00001"), "\n")
        await pilot.pause()
        await app.screen.query_one("#scan").settle()  # type: ignore[attr-defined]
        await pilot.pause()
        cart = app.register.cart()
        assert cart.member is not None and cart.member.card_no == member.card_no
        assert [line.name for line in cart.lines] == ["999感冒灵颗粒"]
        bad = member.card_no[:-1] + str((int(member.card_no[-1]) + 1) % 10)
        await type_text(pilot, bad)
        await pilot.press("enter")
        assert "check digit" in message(app)


async def test_enrol_from_the_invite_then_pay_at_member_prices(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f9", "f12")
        assert isinstance(app.screen, PaymentModal)
        invites = [n.message for n in app._notifications]
        assert any("Not a member yet? F2" in text for text in invites)
        await pilot.press("f2")
        assert isinstance(app.screen, MemberFormModal)
        await type_text(pilot, "13800138000")
        await pilot.press("enter")
        await type_text(pilot, "赵敏")
        await pilot.press("enter", "enter", "enter", "space", "f12")
        assert isinstance(app.screen, PaymentModal)  # back to payment, at the member price
        assert app.screen.tendering.total_fen == 1450
        await pilot.press("enter")
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.phone == "13800138000")).one()
        assert (member.name, member.consent_terms) == ("赵敏", True)
        assert not member.consent_marketing and not member.consent_health
        sale = session.scalars(select(Sale)).one()
        assert sale.member_id == member.id and sale.member == member.card_no
        assert sale.total_fen == 1450 and sale.points_earned == 14
        assert (
            points_ledger.balance(session, member.id)
            == 14
            == points_ledger.ledger_sum(session, member.id)
        )


def invitations(app: PosApp) -> list[str]:
    """The join invitations on screen."""
    return [n.message for n in app._notifications if "Not a member" in n.message]


async def test_invite_never_steals_keys_f12_enter_pays_as_before(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        keys(app, *barcode_of(demo_sessions, "P00001"), "\n", "f9", "f12", "\n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        assert "completed" in message(app)
        # the invitation is shown once per customer
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f9", "f12")
        # the first customer's invitation ended with their sale: one is shown, this one's
        assert len(invitations(app)) == 1
        await pilot.press("escape")
        assert not invitations(app)  # it ends with the payment it was for
        await pilot.press("f12", "escape")
        assert not invitations(app)  # once per customer: not again at the second F12
    with demo_sessions() as session:
        assert len(session.scalars(select(Sale)).all()) == 1


async def test_enrol_refuses_bad_input_and_offers_the_member_with_that_phone(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    existing = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        form = app.screen
        assert isinstance(form, MemberFormModal)
        status = form.status

        await type_text(pilot, "1381234567")  # 10 digits
        await pilot.press("enter")
        await type_text(pilot, "王芳")
        await pilot.press("enter")
        await type_text(pilot, "2999-01-01")
        await pilot.press("enter", "enter", "space", "f12")
        assert "11 digits" in str(status.render())
        form.query_one("#member-phone").value = "12345678901"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "not a mainland mobile" in str(status.render())
        form.query_one("#member-phone").value = "13812345678"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "future" in str(status.render())
        form.query_one("#member-birthday").value = ""  # type: ignore[attr-defined]
        form.query_one("#member-name").value = " "  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "name is empty" in str(status.render())
        form.query_one("#member-name").value = "王芳"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "already a member's phone" in str(status.render())
        assert "F12 again" in str(status.render())
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
        assert app.register.cart().member is not None
    with demo_sessions() as session:
        same_phone = session.scalars(select(Member).where(Member.phone == "13812345678"))
        assert [m.id for m in same_phone] == [existing.id]


async def test_health_data_needs_its_own_consent(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        form = app.screen
        assert isinstance(form, MemberFormModal)
        assert form.query_one("#member-allergies").disabled
        await type_text(pilot, "13800138000")
        await pilot.press("enter")
        await type_text(pilot, "赵敏")
        # phone, name, birthday, gender, terms, marketing, health, allergies
        await pilot.press("enter", "enter", "enter", "space", "enter", "enter", "space", "enter")
        assert not form.query_one("#member-allergies").disabled
        await type_text(pilot, "青霉素")
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.phone == "13800138000")).one()
        assert member.consent_health and member.allergies == "青霉素"


async def test_redeem_points_as_a_tender(app: PosApp, demo_sessions: sessionmaker[Session]) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳", points=1000)  # ¥10 in points
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "2*" + barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f2")
        await type_text(pilot, "13812345678")
        await pilot.press("enter", "f9", "f12")
        payment = app.screen
        assert isinstance(payment, PaymentModal)
        assert payment.tendering.total_fen == 2900
        await type_text(pilot, "20")
        await pilot.press("f3")  # more than the balance allows
        assert "at most ¥10.00" in screen_text(app)
        await pilot.press("ctrl+a")
        payment.field.value = ""
        await pilot.press("f3", "enter")  # all the points allowed, the rest in cash
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        tenders = session.scalars(select(Payment).order_by(Payment.seq)).all()
        assert [(p.tender, p.amount_fen) for p in tenders] == [
            (Tender.POINTS, 1000),
            (Tender.CASH, 1900),
        ]
        assert sale.points_redeemed == 1000
        assert sale.points_earned == 19  # on the ¥19 not paid with points
        entries = session.scalars(
            select(PointsEntry).where(PointsEntry.member_id == member.id).order_by(PointsEntry.id)
        ).all()
        assert [(e.reason, e.delta, e.balance_after) for e in entries] == [
            ("import", 1000, 1000),
            ("redeem", -1000, 0),
            ("earn", 19, 19),
        ]


async def test_points_cap_is_a_share_of_the_sale(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol(demo_sessions, "13812345678", "王芳", points=100_000)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f2")
        await type_text(pilot, "13812345678")
        await pilot.press("enter", "f9", "f12", "f3")
        payment = app.screen
        assert isinstance(payment, PaymentModal)
        assert payment.tendering.points_fen == 725  # 50 % of ¥14.50
        assert payment.tendering.remaining_fen == 725


def test_ledger_sums_equal_balances_after_mixed_sales(
    register: object, demo_sessions: sessionmaker[Session]
) -> None:
    from pos.register.service import RegisterService

    assert isinstance(register, RegisterService)
    a = enrol(demo_sessions, "13812345678", "王芳", points=300)
    b = enrol(demo_sessions, "13912345678", "李娜", birthday="1990-03-15")  # March: birthday
    code = barcode_of(demo_sessions, "P00001")
    vitamin_c = barcode_of(demo_sessions, "P00063")
    for member_id, redeem in ((a.id, True), (b.id, False), (a.id, False), (None, False)):
        register.scan(code)
        register.scan(vitamin_c)
        if member_id is not None:
            register.attach_member(member_id)
        tendering = register.start_payment()
        if redeem:
            tendering.add(Tender.POINTS, None)
        tendering.add(Tender.CASH, None)
        register.complete(tendering)
    with demo_sessions() as session:
        for member in (a, b):
            assert points_ledger.balance(session, member.id) == points_ledger.ledger_sum(
                session, member.id
            )
        sales = session.scalars(select(Sale).order_by(Sale.id)).all()
        assert [sale.member_id for sale in sales] == [a.id, b.id, a.id, None]
        assert sales[1].points_earned > sales[2].points_earned  # birthday month doubles
        assert sales[3].points_earned == 0
        assert TODAY.month == date(1990, 3, 15).month


async def test_at_80x24_the_lookup_shows_its_status_the_whole_row_and_the_allergies(
    app: PosApp,
) -> None:
    """The lookup's status line and the member's details (allergies) were below the box's
    edge at 80×24, and the card number cut: all in view now."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MemberLookupModal)
        assert "Type to search" in screen_text(app)
        await type_text(pilot, "1380")
        await pilot.pause()
        assert "Keep typing" in screen_text(app) or "No member found" in screen_text(app)
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, DEMO_CARD)
        await pilot.pause()
        text = screen_text(app)
        assert "1 found" in text
        assert DEMO_CARD in text  # the card column whole
        assert "Allergies: " in text  # the highlighted member's details in view
