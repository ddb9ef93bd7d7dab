"""The register's reads never write, and its writes always save.

Every getter of the register facade runs no INSERT, UPDATE or DELETE; every change
of the cart (a scan, an acknowledgement, a reviewed prescription, the invitation)
is stored by the call that made it, so a register started afresh on the same
database has it, though nobody asked for the cart in between. A sale is one write
transaction: nothing is written after it for the cart it emptied.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members
from pos.domain.members.members import MemberForm
from pos.register.service import RegisterIdentity, RegisterService
from tests.conftest import NOW, TODAY, fixed_clock
from tests.helpers import barcode_of

WRITES = ("insert", "update", "delete", "replace")


@contextmanager
def writes(engine: Engine) -> Iterator[list[str]]:
    """The write statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().lower().startswith(WRITES):
            seen.append(statement.split("\n", 1)[0][:80])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def register_on(sessions: sessionmaker[Session]) -> RegisterService:
    return RegisterService(sessions, RegisterIdentity("001", "01"), fixed_clock)


def test_every_getter_is_a_pure_read(
    demo_engine: Engine, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        form = MemberForm(
            phone="13700137000", name="周敏", consent_terms=True, consent_health=True,
            allergies="布洛芬",
        )  # fmt: skip
        member = members.enrol(session, form, NOW, TODAY, "001")
        card = member.card_no
    register = register_on(demo_sessions)
    register.login("yaoshi01", "1234")
    register.scan(barcode_of(demo_sessions, "P00001"))  # a medicine with guidance
    register.scan("2*" + barcode_of(demo_sessions, "P00063"))
    register.scan(card)
    with writes(demo_engine) as seen:
        view = register.cart()
        register.suggestions()
        register.warnings()
        register.pending_checks()
        register.promotions()
        register.current_shift()
        register.held_sales()
        register.search("gmlkl")
        register.find_members("周敏")
        register.missing_trace_codes()
        register.printer_status()
        register.near_expiry(view.lines[0].next_expiry)
        register.cart()
    assert seen == []
    assert view.member is not None and len(view.lines) == 2


def test_each_change_is_stored_by_the_call_that_made_it(
    demo_sessions: sessionmaker[Session],
) -> None:
    register = register_on(demo_sessions)
    register.login("yaoshi01", "1234")
    register.scan(barcode_of(demo_sessions, "P00001"))
    register.scan(barcode_of(demo_sessions, "P00063"))
    assert register.acknowledge_guidance(0)
    assert register.invite_to_enrol()
    for warning in register.warnings():
        register.acknowledge(warning.key)
    # no cart() between the changes and the restart
    again = register_on(demo_sessions)
    view = again.cart()
    assert view.lines[0].guidance_given
    assert not again.invite_to_enrol()  # once per customer, across a restart too
    assert {w.key for w in again.warnings()} <= set(again._state.cart.acknowledged)


def test_a_sale_writes_nothing_after_its_own_transaction(
    demo_engine: Engine, demo_sessions: sessionmaker[Session]
) -> None:
    register = register_on(demo_sessions)
    register.scan(barcode_of(demo_sessions, "P00063"))
    tendering = register.start_payment()
    tendering.add(tendering.payments[0].tender if tendering.payments else _cash(), None)
    register.complete(tendering)  # deletes the saved cart in the sale's own transaction
    with writes(demo_engine) as seen:
        register.cart()
        assert register.save_cart()  # the emptied cart is already stored as deleted
    assert seen == []
    with writes(demo_engine) as seen:
        register.scan(barcode_of(demo_sessions, "P00063"))  # the next customer: a save
    assert seen and not any(statement.lower().startswith("delete") for statement in seen)


def _cash() -> Any:
    from pos.enums import Tender

    return Tender.CASH
