"""The register service: warnings only a pharmacist may acknowledge, and who signed them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import Sale, SaleWarning
from pos.register.sale.safety import PharmacistNeeded
from pos.register.service import RegisterService
from tests.conftest import NOW
from tests.helpers import barcode_of


def two_paracetamols(register: RegisterService, sessions: sessionmaker[Session]) -> str:
    """Two oral acetaminophen products in the cart; the duplicate warning's key."""
    register.scan(barcode_of(sessions, "P00028"))
    register.scan(barcode_of(sessions, "P00026"))
    (warning,) = register.warnings()
    assert warning.kind == "duplicate_ingredient" and warning.needs_pharmacist
    return warning.key


def pay(register: RegisterService) -> None:
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    register.complete(tendering)


def test_the_sale_is_refused_until_a_pharmacist_signs(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.login("shouyin01", "1111")
    key = two_paracetamols(register, demo_sessions)
    with pytest.raises(PharmacistNeeded):
        register.acknowledge(key)  # a cashier's F9
    with pytest.raises(InputError, match="A pharmacist must acknowledge"):
        pay(register)
    with demo_sessions() as session:
        assert session.scalars(select(Sale)).all() == []
    with pytest.raises(InputError, match="Wrong user id or PIN"):
        register.acknowledge_as_pharmacist(key, "yaoshi01", "0000")
    with pytest.raises(InputError, match="may not do this"):
        register.acknowledge_as_pharmacist(key, "dianzhang", "9999")  # a manager is no pharmacist
    assert [check.key for check in register.pending_checks() if check.kind == "warning"] == [key]
    assert register.acknowledge_as_pharmacist(key, " yaoshi01 ", "1234") == "王药师"  # id recorded
    assert [check.kind for check in register.pending_checks()] == ["guidance", "guidance"]
    pay(register)
    with demo_sessions() as session:
        warning = session.scalars(select(SaleWarning)).one()
        sale = session.scalars(select(Sale)).one()
    assert (warning.acknowledged_by, warning.acknowledged_at) == ("yaoshi01", NOW)
    assert sale.cashier == "shouyin01"


def test_the_pharmacist_logged_in_signs_with_f9(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.login("yaoshi01", "1234")
    key = two_paracetamols(register, demo_sessions)
    register.acknowledge(key)
    pay(register)
    with demo_sessions() as session:
        assert session.scalars(select(SaleWarning)).one().acknowledged_by == "yaoshi01"
