"""Keys typed in a burst take effect in the order they were typed, in every field.

Each test queues characters and editing keys (Backspace, Delete, arrows,
Home/End, Tab) on the app at once, without waiting between them, at a person's
pace by their time stamps (so the register does not take them for a scan), and
only then lets the app run. Textual ran the editing keys as bindings after they
bubbled up to the app (Textual issue #6605): in a burst the characters typed
after them landed first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from textual import events
from textual._time import get_time
from textual.keys import _character_to_key
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.members.member_form import MemberFormModal
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.widgets.ordered_input import OrderedInput
from tests.frontend.test_members_ui import enrol
from tests.helpers import PERSON_KEY_GAP, barcode_of, type_text

SIZE = (120, 40)

EDITING_KEYS = {"backspace", "delete", "left", "right", "home", "end", "tab", "shift+tab"}


def queue(app: PosApp, *sequence: str) -> None:
    """Put every key of ``sequence`` in the app's queue at once (characters or key names)."""
    driver = app._driver
    assert driver is not None
    items = [name for item in sequence for name in ([item] if item in EDITING_KEYS else list(item))]
    start = get_time() - (len(items) + 1) * PERSON_KEY_GAP
    for index, item in enumerate(items):
        if item in EDITING_KEYS:
            event = events.Key(item, None)
        else:
            event = events.Key(item if item.isalnum() else _character_to_key(item), item)
        event.time = start + index * PERSON_KEY_GAP
        event.set_sender(app)
        driver.send_message(event)


async def settled(pilot: Pilot[Any]) -> None:
    """Let the app and every field handle all the keys queued so far."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        for field in app.screen.query(OrderedInput):
            await field.settle()
    await pilot.pause()


async def test_backspaces_then_a_card_number_in_the_member_lookup_find_the_member(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    member = enrol(demo_sessions, "13812345678", "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, MemberLookupModal)
        queue(app, "9999", *["backspace"] * 4, member.card_no)
        await settled(pilot)
        assert app.screen.query_one("#member-query", OrderedInput).value == member.card_no
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckoutScreen)
        attached = app.register.cart().member
        assert attached is not None and attached.card_no == member.card_no


async def test_tab_and_text_in_one_burst_fill_each_enrolment_field(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        form = app.screen
        assert isinstance(form, MemberFormModal)
        queue(app, "13800138000", "tab", "Zhao Min", "tab", "1990-05-0", "tab", "f")
        queue(app, "shift+tab", "end", "1", "tab", "x", "backspace", "m")
        await settled(pilot)
        values = {
            name: form.value(f"member-{name}") for name in ("phone", "name", "birthday", "gender")
        }
        assert values == {
            "phone": "13800138000",
            "name": "Zhao Min",
            "birthday": "1990-05-01",
            "gender": "m",  # the field is selected on focus: "x" replaced "f"
        }


async def test_arrows_home_end_and_delete_in_the_scan_field_in_order(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, CheckoutScreen)
        queue(app, "123", "left", "9", "delete", "home", "0", "end", "5", "backspace", "6")
        queue(app, "left", "left", "right", "7")
        await settled(pilot)
        assert app.screen.query_one("#scan", OrderedInput).value == "012976"


async def test_editing_keys_in_the_payment_amount_in_order(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter", "f9", "f12")  # F9: the guidance told
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)
        field = app.screen.field
        assert field.value == ""
        queue(app, "50", "backspace", "backspace", "100", "home", "2", "delete", "end", ".5")
        await settled(pilot)
        assert field.value == "200.5"
