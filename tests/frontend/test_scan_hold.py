"""Scans while a form is open: held, never typed into its fields, added when it closes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual import events
from textual.screen import ModalScreen

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.app.modals.sale.quantity import QuantityModal
from pos.app.modals.sale.search import SearchModal
from pos.app.modals.staff.override import OverrideModal
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.scan_hold import MIN_SCAN_DIGITS, SCANNER_KEY_GAP, ScanHolder
from pos.app.widgets.scan_input import ScanInput
from tests.frontend.test_checkout_ui import SIZE, cart_rows, scan
from tests.frontend.test_members_ui import enrol
from tests.helpers import barcode_of, burst, type_text


class Form(ModalScreen[None]):
    HOLDS_SCANS = True


def key(char: str, at: float) -> events.Key:
    event = events.Key("enter", "\r") if char == "\n" else events.Key(char, char)
    event.time = at
    return event


async def typed(holder: ScanHolder, text: str, gap: float, screen: ModalScreen[None]) -> list[bool]:
    return [await holder.intercept(key(char, i * gap), screen) for i, char in enumerate(text)]


async def test_a_burst_is_a_scan_a_person_typing_is_not() -> None:
    form = Form()
    code = "6901234567892"
    scanner = ScanHolder()
    assert await typed(scanner, code + "\n", 0.004, form) == [False] * len(code) + [True]
    assert scanner.next() == code and scanner.next() is None
    person = ScanHolder()
    assert not any(await typed(person, code + "\n", 0.035, form))  # 35 ms a key: typing
    assert person.next() is None
    pin = ScanHolder()  # a PIN typed fast is shorter than any barcode
    assert not any(await typed(pin, "9" * (MIN_SCAN_DIGITS - 1) + "\n", 0.004, form))
    late = ScanHolder()  # digits fast, but Enter pressed by a person afterwards
    results = [await late.intercept(key(c, i * 0.004), form) for i, c in enumerate(code)]
    results.append(await late.intercept(key("\n", len(code) * 0.004 + 0.2), form))
    assert not any(results)
    assert SCANNER_KEY_GAP < 0.03  # a person's keys are 30 ms or more apart


async def test_nothing_is_held_outside_a_form() -> None:
    holder = ScanHolder()
    assert not any(await typed(holder, "6901234567892\n", 0.004, ModalScreen()))


async def test_a_scan_during_the_approval_lands_in_the_cart_not_in_its_fields(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("shouyin01", "1111")
    drug = barcode_of(demo_sessions, "P00001")
    other = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, drug)
        await pilot.press("f9")  # guidance told: removing the line needs a manager
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, OverrideModal)
        await type_text(pilot, "dian")  # the manager starts typing; then a scan
        burst(app, other + "\n")
        await pilot.pause()
        await app.screen.query_one("#manager-id", OrderedInput).settle()
        assert isinstance(app.screen, OverrideModal)
        assert app.screen.query_one("#manager-id", OrderedInput).value == "dian"
        assert app.screen.query_one("#manager-pin", OrderedInput).value == ""
        await type_text(pilot, "zhang")
        await pilot.press("enter", *"9999", "f12")
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        assert cart_rows(app) == [("维生素C片", "1")]  # removed; the scan added after


async def test_a_scan_during_the_quantity_modal_is_added_after_it(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    first = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, first)
        await pilot.press("f4")
        assert isinstance(app.screen, QuantityModal)
        burst(app, first + "\n")
        await pilot.pause()
        assert isinstance(app.screen, QuantityModal)
        await type_text(pilot, "3")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        assert cart_rows(app) == [("维生素C片", "4")]  # 3, then the held scan adds one


async def test_a_card_scanned_into_the_member_lookup_attaches_its_member_and_closes_it(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, MemberLookupModal)
        burst(app, member.card_no + "\n")  # the customer hands over the card: a scanner burst
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)  # not left open on an empty query
        attached = app.register.cart().member
        assert attached is not None and attached.card_no == member.card_no
        assert cart_rows(app) == []


async def test_a_product_scanned_into_the_search_is_added_and_the_search_closes(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        assert isinstance(app.screen, SearchModal)
        await type_text(pilot, "wss")  # searching by name, then the cashier finds the box
        burst(app, barcode_of(demo_sessions, "P00063") + "\n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        assert cart_rows(app) == [("维生素C片", "1")]


@pytest.mark.parametrize("ending", ["ctrl+j", "enter,ctrl+j"], ids=["LF", "CRLF"])
async def test_a_scanner_ending_its_codes_with_a_line_feed_adds_each_once(
    app: PosApp, demo_sessions: sessionmaker[Session], ending: str
) -> None:
    """A scanner set to end codes with LF (or CR LF); the terminal also turns Enter into a
    line feed while the register starts, before Textual puts it in raw mode."""
    vitamin, mask = barcode_of(demo_sessions, "P00063"), barcode_of(demo_sessions, "P00001")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, vitamin, *ending.split(","))
        burst(app, mask, *ending.split(","))
        await pilot.pause()
        await pilot.pause()
        rows = cart_rows(app)  # two lines, one of each: none lost, none added twice
        assert len(rows) == 2 and rows[0] == ("维生素C片", "1") and rows[1][1] == "1"
        assert app.screen.query_one(ScanInput).value == ""
        await pilot.press("f4")  # a form open: an LF-ended scan is held, not typed into it
        assert isinstance(app.screen, QuantityModal)
        burst(app, vitamin, *ending.split(","))
        await pilot.pause()
        assert isinstance(app.screen, QuantityModal)
        assert app.screen.query_one(OrderedInput).value == ""
