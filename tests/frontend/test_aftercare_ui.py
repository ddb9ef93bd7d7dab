"""After the sale at the register: the rating after payment, a complaint from a low rating,
an adverse reaction recorded, the overdue notice for a manager."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.checkout.service import overdue_notice
from pos.app.modals.service.adverse import AdverseReactionModal
from pos.app.modals.service.complaint import ComplaintModal
from pos.app.modals.service.complaints import CloseComplaintModal, ComplaintsModal
from pos.app.modals.staff.reports import ReportsModal
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.scan_input import ScanInput
from pos.domain.aftercare import complaints
from pos.domain.aftercare.adverse import OUTCOMES
from pos.domain.aftercare.adverse import SEVERITIES as REACTION_SEVERITIES
from pos.domain.aftercare.complaints import CATEGORIES, SEVERITIES, ComplaintForm
from pos.models import AdverseReaction, Complaint, Product, Sale, SaleRating
from pos.register.service import RegisterService
from pos.register.staff.login import UserView
from tests.conftest import fixed_clock
from tests.helpers import barcode_of, burst, screen_text, type_text

SIZE = (120, 40)


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


async def test_a_rating_after_payment_then_an_immediate_scan_both_land(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f9", "f12", "enter")
        assert "S001-01-20260310-0001" in message(app)
        # The rating and the next customer's scan arrive in one burst: nothing waits.
        burst(app, "", "alt+4")
        burst(app, code + "\n")
        await pilot.pause()
        await pilot.pause()
        with demo_sessions() as session:
            ratings = session.execute(select(SaleRating.sale_id, SaleRating.rating)).all()
            first = session.scalar(select(Sale.id).where(Sale.number.like("%0001")))
        assert ratings == [(first, 4)]
        assert app.register.cart().lines[0].qty == 1  # the scan landed in the cart
        # Alt+4 once a cart is on screen is no rating: the sale was rated already anyway.
        await pilot.press("alt+5")
        with demo_sessions() as session:
            assert session.scalars(select(SaleRating.rating)).all() == [4]


async def test_digits_typed_after_payment_go_to_the_scan_field_not_the_rating(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f9", "f12", "enter")
        await type_text(pilot, code)
        await pilot.press("enter")
        assert app.register.cart().lines[0].qty == 1
    with demo_sessions() as session:
        assert session.scalars(select(SaleRating)).all() == []


def rating_prompts(app: PosApp) -> list[str]:
    """The rating prompts the app still shows (its notifications, toasts or not)."""
    return [notice.message for notice in app._notifications if "Alt+1" in notice.message]


async def test_the_rating_prompt_leaves_once_rated_or_the_next_customer_is_scanned(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    """The prompt sits over the message line at 80 columns: it must not outstay its question."""
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=(80, 24)) as pilot:
        for then in ("alt+4", code):
            await type_text(pilot, code)
            await pilot.press("enter", "f9", "f12", "enter")
            await pilot.pause()
            assert len(rating_prompts(app)) == 1
            if then == code:
                await type_text(pilot, code)
                await pilot.press("enter")
            else:
                await pilot.press(then)
            for _ in range(3):
                await pilot.pause()
            assert rating_prompts(app) == []
            assert "Rated 4 of 5" in message(app) or then == code
            if then == code:
                assert app.register.cart().lines[0].qty == 1
    with demo_sessions() as session:
        assert session.scalars(select(SaleRating.rating)).all() == [4]


async def test_a_complaint_opened_from_a_low_rating_and_closed(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.press("alt+2")
        assert "Ctrl+W" in message(app)
        await pilot.press("ctrl+w")
        assert isinstance(app.screen, ComplaintModal)
        await type_text(pilot, "2")  # category 2: service attitude (focus starts there)
        await pilot.press("enter", "enter")  # severity stays 2 (medium)
        await type_text(pilot, "kept waiting")
        await pilot.press("f12")
        await pilot.pause()
        assert "Complaint #1 recorded" in message(app)
        with demo_sessions() as session:
            complaint = session.scalars(select(Complaint)).one()
            rating = session.scalars(select(SaleRating)).one()
            sale = session.scalars(select(Sale)).one()
            assert (complaint.category, complaint.severity, complaint.status) == (
                "service",
                "medium",
                "open",
            )
            assert (complaint.sale_id, complaint.rating_id) == (sale.id, rating.id)
            assert rating.rating == 2
        # The manager closes it from the list (F4 in the complaint form).
        await pilot.press("ctrl+w")
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintsModal)
        await pilot.press("f4")  # in hand: the first response
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CloseComplaintModal)
        await type_text(pilot, "apologised, gift")
        await pilot.press("enter")
        await type_text(pilot, "satisfied")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintsModal)
        await pilot.press("escape")
    with demo_sessions() as session:
        complaint = session.scalars(select(Complaint)).one()
        assert complaint.status == "closed"
        assert (complaint.resolution, complaint.customer_response) == (
            "apologised, gift",
            "satisfied",
        )
        assert complaint.first_response_at is not None and complaint.closed_at is not None


async def test_a_complaint_against_an_unknown_sale_is_refused_and_nothing_stored(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+w")
        await type_text(pilot, "S001-01-20990101-0009")
        await pilot.press("enter", "enter")  # no member card
        await type_text(pilot, "1")
        await pilot.press("enter", "enter")
        await type_text(pilot, "broken")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintModal)
        assert "No sale S001-01-20990101-0009" in str(app.screen.query_one("#form-status").render())
    with demo_sessions() as session:
        assert session.scalars(select(Complaint)).all() == []


async def test_an_adverse_reaction_recorded_at_the_register(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, AdverseReactionModal)
        for text in (code, "L2026", "", "rash"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.press("enter")  # onset: today, as filled in
        await type_text(pilot, "1")  # mild
        await pilot.press("enter")
        await type_text(pilot, "2")  # improving
        await pilot.press("f12")
        await pilot.pause()
        assert "Adverse reaction #1 recorded" in message(app)
    with demo_sessions() as session:
        entry = session.scalars(select(AdverseReaction)).one()
        product_id = session.scalar(select(Product.id).where(Product.sku == "P00063"))
        assert (entry.reaction, entry.lot_number, entry.severity, entry.outcome) == (
            "rash",
            "L2026",
            "mild",
            "improving",
        )
        assert entry.onset_on.isoformat() == "2026-03-10"
        assert entry.product_id == product_id


def test_overdue_complaints_are_told_to_a_manager_only(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        form = ComplaintForm(category="price", description="too dear")
        complaints.open_complaint(session, form, at=fixed_clock() - timedelta(hours=25), by=None)
        complaints.open_complaint(session, form, at=fixed_clock() - timedelta(hours=1), by=None)
    register.user = UserView("dianzhang", "店长", "manager")
    notice = overdue_notice(register, 24)
    assert notice is not None and notice.startswith("1 complaint has had no response")
    assert overdue_notice(register, 48) is None
    register.user = UserView("shouyin01", "收银员", "cashier")
    assert overdue_notice(register, 24) is None


async def test_ctrl_y_f5_shows_the_service_report_of_the_day(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.press("alt+5")
        app.register.login("dianzhang", "9999")
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, ReportsModal)
        await pilot.press("f5")
        shown = screen_text(app)
        assert "Service report 2026-03-10 to 2026-03-10" in shown
        assert "Ratings given" in shown and "5.00" in shown  # the rating just given
        await pilot.press("f5")
        assert "Daily report 2026-03-10" in screen_text(app)


async def test_alt_digit_from_a_plain_terminal_rates_and_types_nothing(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    """Without the kitty protocol Alt+2 arrives as ESC 2, which Textual reads as ™."""
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.press("trade_mark_sign")
        assert "Rated 2 of 5" in message(app)
        assert app.screen.query_one(ScanInput).value == ""
    with demo_sessions() as session:
        assert session.scalars(select(SaleRating.rating)).all() == [2]


async def test_the_palette_offers_complaint_and_adverse_reaction(app: PosApp) -> None:
    async with app.run_test(size=SIZE):
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert "Checkout: Complaint" in titles
    assert "Checkout: Adverse drug reaction" in titles


async def shown_text(pilot: Any, wanted: list[str]) -> str:
    """The screen's text once it shows every one of ``wanted`` (a few frames at most: the
    form scrolls to the focused field, then to its choices), or as it is then."""
    for _ in range(50):
        await pilot.pause()
        shown = " ".join(screen_text(pilot.app).split())
        if all(text in shown for text in wanted):
            break
    return shown


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_at_80x24_each_choice_is_shown_whole_when_its_field_is_reached(
    language: str, app: PosApp
) -> None:
    """The choices of a field typed as a number (an ADR's outcome, a complaint's category)
    were a placeholder cut at 80 columns ("… 5 死亡 · 6 不"): now each is shown whole, under
    its field, in view when the field is."""
    from pos import i18n

    i18n.setup(language)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for key, fields in (
                ("ctrl+a", {"adr-severity": REACTION_SEVERITIES, "adr-outcome": OUTCOMES}),
                ("ctrl+w", {"complaint-category": CATEGORIES, "complaint-severity": SEVERITIES}),
            ):
                await pilot.press(key)
                await pilot.pause()
                for field, choices in fields.items():
                    app.screen.query_one(f"#{field}").focus()
                    wanted = [f"{n} {i18n._(name)}" for n, name in enumerate(choices.values(), 1)]
                    shown = await shown_text(pilot, wanted)
                    for text in wanted:
                        assert text in shown, (field, shown)
                await pilot.press("escape")
                await pilot.pause()
    finally:
        i18n.setup("en")
