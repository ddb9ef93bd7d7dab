"""Logins: id and PIN at start, the first manager of a new store, lock, throttled wrong PINs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.staff.login import LoginModal
from pos.app.widgets.ordered_input import OrderedInput
from pos.config import Settings
from pos.domain.pharmacy.safety import PrescriptionForm
from pos.domain.sales.codes import InputError
from pos.domain.staff import users
from pos.domain.staff.users import verify_pin
from pos.models import AuditEvent, PinThrottle, Sale, User
from pos.register.staff.login import FREE_TRIES
from pos.store.db import make_engine, make_session_factory
from tests.conftest import NOW, fixed_clock
from tests.helpers import barcode_of, burst, screen_text, type_text

SIZE = (120, 40)


def login_settings(db_path: Path) -> Settings:
    return Settings(register={"database": db_path, "require_login": True})


async def fill(pilot: Pilot[Any], *values: str) -> None:
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")


async def test_login_then_sales_carry_the_cashier(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginModal)
        await pilot.press("f12", "f3")  # nothing else works before a login
        assert isinstance(app.screen, LoginModal)
        await fill(pilot, "dianzhang", "0000")
        assert "Wrong user id or PIN" in str(app.screen.query_one("#form-status").render())
        assert app.screen.query_one("#login-pin").value == ""  # type: ignore[attr-defined]
        await fill(pilot, "9999")  # the PIN field, cleared, still has the focus
        assert isinstance(app.screen, CheckoutScreen)
        assert "李店长" in app.sub_title
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.press("ctrl+l")  # lock: the next user logs in
        assert isinstance(app.screen, LoginModal)
        await fill(pilot, "yaoshi01", "1234")
        assert "王药师" in app.sub_title
    with demo_sessions() as session:
        assert session.scalars(select(Sale.cashier)).all() == ["dianzhang"]


async def test_a_new_store_asks_for_its_first_manager(
    sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginModal) and app.screen.first
        await fill(pilot, "boss", "张经理", "4321", "9999")
        assert "PINs differ" in str(app.screen.query_one("#form-status").render())
        app.screen.query_one("#login-pin").value = "4321"  # type: ignore[attr-defined]
        app.screen.query_one("#login-again").value = "4321"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
    with sessions() as session:
        user = session.get_one(User, "boss")
        assert user.role == "manager" and verify_pin(user.pin_hash, "4321")
        assert "4321" not in user.pin_hash


def test_wrong_pins_are_throttled(demo_sessions: sessionmaker[Session], db_path: Path) -> None:
    now = [NOW]
    app = build_app(login_settings(db_path), demo_sessions, clock=lambda: now[0])
    register = app.register
    for _attempt in range(3):
        try:
            register.login("dianzhang", "0000")
        except ValueError as exc:
            assert "Wrong" in str(exc)
    try:
        register.login("dianzhang", "9999")  # right, but too soon
    except ValueError as exc:
        assert "wait" in str(exc)
    else:
        raise AssertionError("a login went through while throttled")
    now[0] = NOW + timedelta(seconds=31)
    assert register.login("dianzhang", "9999").name == "李店长"


def login_events(sessions: sessionmaker[Session]) -> list[AuditEvent]:
    with sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(("login.failed", "login.locked")))
                .order_by(AuditEvent.id)
            )
        )


async def test_scans_at_the_lock_screen_lock_nobody_and_go_to_the_cart(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock)
    codes = [barcode_of(demo_sessions, sku) for sku in ("P00063", "P00002", "P00063")]
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, "dianzhang", "9999")
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, LoginModal)
        for code in codes:  # three scans at the lock screen
            burst(app, code + "\n")
            await pilot.pause()
        await pilot.press("f12", "f12", "f12")  # and function keys: no PIN attempt either
        assert isinstance(app.screen, LoginModal)
        assert app.screen.query_one("#login-id", OrderedInput).value == ""
        await fill(pilot, "shouyin01", "1111")  # nobody is locked out
        assert isinstance(app.screen, CheckoutScreen)
        assert len(app.register.cart().lines) == 2  # the held scans, added after the unlock
    assert login_events(demo_sessions) == []
    with demo_sessions() as session:
        assert session.scalars(select(PinThrottle)).all() == []
        subjects = session.scalars(select(AuditEvent.subject)).all()
    assert not any(code in subject for code in codes for subject in subjects)


def test_an_unknown_id_is_audited_as_unknown_and_locks_nobody(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    register = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock).register
    for _attempt in range(5):
        with pytest.raises(InputError, match="Wrong user id or PIN"):
            register.login("6901234567892", "6901")
    failed = login_events(demo_sessions)
    assert [(event.subject, event.detail) for event in failed] == [("", {"user": "unknown"})] * 5
    assert register.login("dianzhang", "9999").id == "dianzhang"


def test_the_throttle_survives_a_restart(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    first = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock).register
    for _attempt in range(3):
        with pytest.raises(InputError, match="Wrong"):
            first.login("dianzhang", "0000")
    engine = make_engine(db_path)  # a new register process on the same database
    restarted = make_session_factory(engine)
    again = build_app(login_settings(db_path), restarted, clock=fixed_clock).register
    with pytest.raises(InputError, match="wait 30 s"):
        again.login("dianzhang", "9999")  # a new register process: still locked
    assert again.login("shouyin01", "1111").id == "shouyin01"  # only that user is
    [locked] = [event for event in login_events(demo_sessions) if event.action == "login.locked"]
    assert locked.subject == "dianzhang" and locked.detail["seconds"] == 30
    engine.dispose()


def test_another_users_login_does_not_reset_a_managers_wrong_pins(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    now = [NOW]
    register = build_app(login_settings(db_path), demo_sessions, clock=lambda: now[0]).register
    for _attempt in range(3):
        with pytest.raises(InputError, match="Not approved"):
            register.approve("void", "dianzhang", "0000")  # wrong manager PINs…
        register.login("shouyin01", "1111")  # …between the cashier's own logins
    with pytest.raises(InputError, match="Not approved"):
        register.approve("void", "dianzhang", "9999")  # the right PIN, but locked
    with pytest.raises(InputError, match="wait"):
        register.login("dianzhang", "9999")
    now[0] = NOW + timedelta(seconds=31)
    assert register.approve("void", "dianzhang", "9999").manager_id == "dianzhang"
    with pytest.raises(InputError, match="Not approved"):  # the count was reset by it
        register.approve("void", "dianzhang", "0000")
    register.approve("void", "dianzhang", "9999")


def test_the_approval_does_not_say_why_it_was_refused(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    register = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock).register
    register.login("shouyin01", "1111")
    refusals = []
    for user, pin in (("dianzhang", "0000"), ("yaoshi01", "1234"), ("nobody", "1234")):
        with pytest.raises(InputError) as refused:
            register.approve("void", user, pin)
        refusals.append(str(refused.value))
    assert refusals == ["Not approved"] * 3
    with demo_sessions() as session:  # the audit log knows why
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "override.refused")
        ).all()
        assert [(e.actor, e.subject, e.detail) for e in logged] == [
            ("shouyin01", "dianzhang", {"action": "void"}),
            ("shouyin01", "yaoshi01", {"action": "void"}),
            ("shouyin01", "", {"action": "void", "user": "unknown"}),
        ]


async def test_locked_the_cart_and_member_are_hidden(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, "dianzhang", "9999")
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter")
        assert "维生素C片" in screen_text(app)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginModal)
        assert "维生素C片" not in screen_text(app)


def test_wrong_pharmacist_pins_on_a_prescription_count_like_logins(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    register = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock).register
    form = PrescriptionForm("RX-1", "张医生", "2026-03-09", "王芳")
    for _attempt in range(3):
        with pytest.raises(InputError, match="Wrong user id or PIN"):
            register.review_prescription(form, "yaoshi01", "0000")
    with pytest.raises(InputError, match="wait 30 s"):
        register.review_prescription(form, "yaoshi01", "1234")
    with pytest.raises(InputError, match="wait"):
        register.login("yaoshi01", "1234")


PINS = {"dianzhang": "9999", "shouyin01": "1111", "yaoshi01": "1234"}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    attempts=st.lists(
        st.tuples(st.sampled_from(sorted(PINS)), st.booleans(), st.booleans()), max_size=10
    )
)
def test_each_users_wrong_pins_are_counted_apart(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    attempts: list[tuple[str, bool, bool]],
) -> None:
    """Any mix of logins and approvals: a user is locked after 3 of their own wrong PINs
    in a row, whatever the others do, and only their own right PIN resets the count."""
    with demo_sessions.begin() as session:
        session.execute(delete(PinThrottle))
    register = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock).register
    failures = dict.fromkeys(PINS, 0)
    for user, right, approval in attempts:
        pin = PINS[user] if right else "0000"
        locked = failures[user] >= FREE_TRIES  # the clock stands still: no lock runs out
        try:
            if approval:
                register.check_pin_attempt(user, pin, users.ROLES, "override.refused")
            else:
                register.login(user, pin)
        except InputError as exc:
            assert not right or locked
            assert ("wait" in str(exc)) == locked
        else:
            assert right and not locked
        if not locked:
            failures[user] = 0 if right else failures[user] + 1
    with demo_sessions() as session:
        stored = {row.user_id: row.failures for row in session.scalars(select(PinThrottle))}
    assert stored == {user: count for user, count in failures.items() if count}
