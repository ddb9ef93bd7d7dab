"""No text crashes the register: markup, control and bidi characters, odd digits, 10 k characters.

Hypothesis writes the text; the register takes it in every field of every screen a
cashier can open from the checkout, with a line in the cart. The app must still be
running, no crash report written (tests/conftest.py fails a test on one), and nothing
stored by what was refused.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from textual.widgets import Input

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.config import Settings
from pos.domain.sales.codes import InputError, ascii_digits, parse_quantity
from pos.models import AuditEvent, Member, Product, Sale
from tests.conftest import fixed_clock
from tests.helpers import barcode_of, screen_text

SIZE = (120, 40)

MARKUP = ["[/]", "[b]", "[bold red]x[/bold red]", "[@click=app.quit]x[/]", "[", "]", "\\[/]"]
ODD = ["²", "①", "１２３", "\u202e", "\u200b", "\x00", "\x07", "\x1b[31m", "\t", "١٢٣", "%", "％"]
TEXT = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(MARKUP), st.sampled_from(ODD), st.text(max_size=12)),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.sampled_from(["9" * 10_000, "[/]" * 3_000, "６" * 500]),
)

# Keys that open a screen with fields, pressed at the checkout with one line in the cart.
OPENERS = ["", "f2", "f3", "f4", "f5", "ctrl+d", "ctrl+e", "ctrl+t", "ctrl+b"]


def counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Sale)) or 0,
            session.scalar(select(func.count()).select_from(Member)) or 0,
            session.scalar(select(func.count()).select_from(Product)) or 0,
        )


async def type_everywhere(app: PosApp, text: str, code: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        checkout = app.screen
        assert isinstance(checkout, CheckoutScreen)
        for opener in OPENERS:
            app.screen.query_one(Input).value = code
            await pilot.press("enter")
            if opener:
                await pilot.press(opener)
            await pilot.pause()
            for field in list(app.screen.query(Input)):
                field.focus()
                field.value = text
                await pilot.press("enter")
                await pilot.pause()
                if app.screen is checkout or not field.is_attached:
                    break
            while app.screen is not checkout and app.is_running:
                await pilot.press("escape")
                await pilot.pause()
            assert app.is_running, opener
            assert app.return_code is None
        screen_text(app)  # everything on screen still renders


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT)
@example(text="[/]")
@example(text="9" * 10_000)
@example(text="²①\u202e[b]")
def test_no_text_in_any_field_stops_the_register(
    text: str, settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    before = counts(demo_sessions)
    code = barcode_of(demo_sessions, "P00001")
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    asyncio.run(type_everywhere(app, text, code))
    assert counts(demo_sessions) == before


async def test_names_with_markup_are_shown_as_they_are(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    with demo_sessions.begin() as session:
        session.execute(update(Product).where(Product.sku == "P00001").values(name="[/]感冒[b]"))
        member = session.scalars(select(Member).order_by(Member.id).limit(1)).one()
        member.name = "[/]张[bold]"
        card = member.card_no
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one(Input).value = code
        await pilot.press("enter")
        app.screen.query_one(Input).value = card
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[/]感冒[b]" in text
        assert app.is_running
        await pilot.press("f3")
        await pilot.pause()
        search: Any = app.screen.query_one(Input)
        search.value = "[/]"
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) is not None


@pytest.mark.parametrize("typed", ["²", "①", "١٢", "9" * 5000, "", "1.5", "-1"])
def test_number_fields_refuse_what_is_not_a_plain_number(typed: str) -> None:
    with pytest.raises(InputError):
        parse_quantity(typed)
    assert ascii_digits(typed) is None


def test_full_width_digits_are_digits() -> None:
    assert ascii_digits(" １２ ") == "12"
    assert parse_quantity("３") == 3
