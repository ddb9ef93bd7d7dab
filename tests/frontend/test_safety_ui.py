"""Guidance and pharmacy safety at the counter, driven by keys as a cashier would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal, PharmacistModal
from pos.app.modals.pharmacy.prescription import PrescriptionModal
from pos.app.modals.pharmacy.restricted_buyer import RestrictedBuyerModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.widgets.guidance_panel import GuidancePanel
from pos.app.widgets.message_bar import MessageBar
from pos.domain.members import members
from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import (
    Member,
    Payment,
    Prescription,
    PrintJob,
    RestrictedSale,
    Sale,
    SaleLine,
    SaleLineLot,
    SaleWarning,
    TraceCode,
    User,
)
from tests.conftest import NOW, TODAY
from tests.domain.printing.test_printing import decode
from tests.helpers import barcode_of, keys, screen_text, type_text

SIZE = (120, 40)
VALID_ID = "11010519491231002X"
TRACE = "81234567890123456789"


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


async def scan(pilot: Pilot[Any], code: str) -> None:
    await type_text(pilot, code)
    await pilot.press("enter")


async def fill(pilot: Pilot[Any], *values: str) -> None:
    """Type each value and move to the next field with Enter."""
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")


def sales(sessions: sessionmaker[Session]) -> list[Sale]:
    with sessions() as session:
        return list(session.scalars(select(Sale).order_by(Sale.id)))


async def test_guidance_shows_on_scan_and_is_acknowledged_before_payment(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        panel = app.screen.query_one(GuidancePanel)
        assert panel.display
        assert "Usage" in screen_text(app) and "F9" in screen_text(app)
        assert isinstance(app.focused, type(app.screen.query_one("#scan")))  # focus stays
        await pilot.press("f12")
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal)
        await pilot.press("enter", "enter")  # a scanner's Enter never acknowledges
        assert app.screen is prompt
        await pilot.press("f9")
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        line = session.scalars(select(SaleLine)).one()
        assert line.guidance_given
        job = session.scalars(select(PrintJob)).one()
    assert "用法" in decode(job.data)


async def test_f9_on_the_line_acknowledges_its_guidance_without_a_prompt(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("f9")
        assert "given" in message(app)
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)


async def test_a_scan_during_a_prompt_is_added_once_the_prompt_closes(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    vitamin_c = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("f12")
        assert isinstance(app.screen, AcknowledgeModal)
        keys(app, *vitamin_c, "\n")
        await pilot.pause()
        assert isinstance(app.screen, AcknowledgeModal)
        await pilot.press("f9")
        assert isinstance(app.screen, CheckoutScreen)
        names = [line.name for line in app.register.cart().lines]
        assert names == ["999感冒灵颗粒", "维生素C片"]
    assert sales(demo_sessions) == []


async def test_rx_sale_needs_a_prescription_reviewed_by_a_pharmacist(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00111"))
        assert "Rx" in message(app)
        await pilot.press("f9", "f12")
        form = app.screen
        assert isinstance(form, PrescriptionModal)
        old = TODAY.replace(day=TODAY.day - 5).isoformat()
        await fill(pilot, "RX-2026-001", "浙江省人民医院")
        form.query_one("#rx-date").value = old  # type: ignore[attr-defined]
        await pilot.press("enter")
        await fill(pilot, "张三", "yaoshi01")
        await type_text(pilot, "1234")
        await pilot.press("f12")
        assert "expired" in screen_text(app)
        form.query_one("#rx-date").value = TODAY.isoformat()  # type: ignore[attr-defined]
        form.query_one("#rx-pin").value = "0000"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "wrong" in screen_text(app).lower()
        assert isinstance(app.screen, PrescriptionModal)
        form.query_one("#rx-pin").value = "1234"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)
        checkout = app.screen_stack[-2]
        assert checkout.query_one(MessageBar).text == "Prescription reviewed by 王药师"
        await pilot.press("enter")
    with demo_sessions() as session:
        record = session.scalars(select(Prescription)).one()
        assert (record.number, record.pharmacist_id, record.issued_on) == (
            "RX-2026-001",
            "yaoshi01",
            TODAY,
        )
        assert record.sale_id == sales(demo_sessions)[0].id


async def test_rx_is_refused_with_no_pharmacist_on_duty(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        session.execute(update(User).values(active=False))
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00111"))
        assert "No pharmacist on duty" in message(app)
        assert app.register.cart().lines == ()


async def test_restricted_limit_and_the_buyers_id(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00004")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, code)
        await scan(pilot, code)
        await scan(pilot, code)
        assert "At most 2 packs" in message(app)
        assert app.register.cart().lines[0].qty == 2
        await pilot.press("f9", "f12")
        form = app.screen
        assert isinstance(form, RestrictedBuyerModal)
        await fill(pilot, "李四")
        await type_text(pilot, "110105194912310021")  # wrong check digit
        await pilot.press("f12")
        assert "not valid" in screen_text(app)
        form.query_one("#buyer-id").value = VALID_ID  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
        assert "110105********002X" not in screen_text(app)
    with demo_sessions() as session:
        entry = session.scalars(select(RestrictedSale)).one()
        assert (entry.buyer_id_number, entry.qty, entry.rule) == (VALID_ID, 2, "ephedrine")
        assert entry.lots and entry.manufacturer
        receipt = decode(session.scalars(select(PrintJob)).one().data)
    assert "110105********002X" in receipt and VALID_ID not in receipt


async def test_duplicate_ingredient_is_warned_and_the_acknowledgement_recorded(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("f9")
        await scan(pilot, barcode_of(demo_sessions, "P00008"))  # also acetaminophen
        assert "acetaminophen" in message(app)  # the English screen names it in English
        await pilot.press("f9", "f12")
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal) and prompt.warning
        await pilot.press("f9")  # a dose judgement: the pharmacist signs
        assert isinstance(app.screen, PharmacistModal)
        await fill(pilot, "yaoshi01")
        await type_text(pilot, "1234")
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
    with demo_sessions() as session:
        warning = session.scalars(select(SaleWarning)).one()
        assert warning.kind == "duplicate_ingredient" and "acetaminophen" in warning.detail
        assert warning.acknowledged_by == "yaoshi01"


async def test_member_allergy_is_warned_before_payment(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        form = MemberForm(
            phone="13700137000",
            name="周敏",
            consent_terms=True,
            consent_health=True,
            allergies="布洛芬",
        )
        members.enrol(session, form, NOW, TODAY, "001")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await type_text(pilot, "13700137000")
        await pilot.press("enter")
        await scan(pilot, barcode_of(demo_sessions, "P00031"))  # 布洛芬片
        assert "allergic" in message(app)
        await pilot.press("f9", "f12")
        assert isinstance(app.screen, AcknowledgeModal) and app.screen.warning
        assert "布洛芬" in screen_text(app)
        await pilot.press("f9")
        assert isinstance(app.screen, PharmacistModal)
        await fill(pilot, "yaoshi01")
        await type_text(pilot, "1234")
        await pilot.press("f12", "enter")
    with demo_sessions() as session:
        warning = session.scalars(select(SaleWarning)).one()
        assert warning.kind == "allergy" and warning.line_no == 1
        member = session.scalars(select(Member).where(Member.phone == "13700137000")).one()
        assert session.scalars(select(Sale)).one().member_id == member.id


async def test_expired_lot_is_never_sold_while_a_good_lot_exists(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00063"))  # an expired lot and a good one
        await pilot.press("f9", "f12", "enter")
    with demo_sessions() as session:
        [lot] = session.scalars(select(SaleLineLot)).all()
        assert lot.expiry >= TODAY


async def test_a_traceability_code_sold_twice_is_refused(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00023")  # 芬必得: codes required
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, code)
        await pilot.press("f9", "f12", "f8")  # insurance needs every box's code
        assert "traceability code" in screen_text(app)
        await pilot.press("escape")
        await scan(pilot, "8123")  # a wrong length is no code at all
        await scan(pilot, TRACE)
        assert "Traceability code added" in message(app)
        await scan(pilot, TRACE)
        assert "already in this sale" in message(app)
        await pilot.press("f12", "f8")
        assert isinstance(app.screen, CheckoutScreen)
        await scan(pilot, code)
        await scan(pilot, TRACE)
        assert "already sold" in message(app)
    with demo_sessions() as session:
        [sold] = session.scalars(select(TraceCode)).all()
        assert sold.code == TRACE
        assert session.scalars(select(Payment)).one().tender is Tender.INSURANCE
