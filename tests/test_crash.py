"""Crash safety: a crash at the wrong moment loses no cart and crashes no register."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos.services.register import RegisterService
from tests.conftest import fixed_clock
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
