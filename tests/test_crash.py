"""Crash safety: a crash at the wrong moment loses no cart and crashes no register."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import ParkedCart
from pos.services.register import RegisterService
from tests.conftest import NOW, fixed_clock
from tests.helpers import barcode_of


def test_a_crash_while_a_held_sale_is_recalled_loses_nothing(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan("2*" + barcode_of(demo_sessions, "P00001"))
    register.hold()
    [held] = register.held_sales()
    # The register stops right after it took the held cart back, before anything else.
    register.recall(held.id)
    again = RegisterService(demo_sessions, register.identity, fixed_clock)
    if again.held_sales():  # still held, or back at the register: never neither
        assert again.cart().lines == ()
    else:
        assert [(line.sku, line.qty) for line in again.cart().lines] == [("P00001", 2)]


def test_a_unit_of_work_that_read_can_still_write_after_another_thread_wrote(
    demo_sessions: sessionmaker[Session],
) -> None:
    # Found by the crash test: the receipt worker's commit fell between the
    # register's read and write of the saved cart, and SQLite failed the scan at
    # once with "database is locked" (a deferred transaction that has read cannot
    # write after another connection committed).
    def cart(kind: str) -> ParkedCart:
        return ParkedCart(register_id="01", kind=kind, data={}, created_at=NOW, updated_at=NOW)

    errors: list[Exception] = []

    def hold_another() -> None:
        try:
            with demo_sessions.begin() as session:
                session.add(cart("held"))
        except Exception as exc:
            errors.append(exc)

    with demo_sessions.begin() as session:
        session.scalars(select(ParkedCart)).all()
        other = threading.Thread(target=hold_another)
        other.start()
        other.join(timeout=0.3)  # it waits for this unit of work, or writes first
        session.add(cart("current"))
    other.join(timeout=10)
    assert errors == []
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(ParkedCart)) == 2
