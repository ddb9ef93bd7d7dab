"""Tendering: split payments, change from cash only, undo, and no sale while unpaid."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.domain.sales.tendering import Tendering
from pos.enums import Tender
from pos.register.service import RegisterService
from tests.helpers import barcode_of


def test_tendering_split_and_change() -> None:
    tendering = Tendering(10_000)
    tendering.add(Tender.CARD, 3_000)
    with pytest.raises(InputError, match="Only cash"):
        tendering.add(Tender.WECHAT, 8_000)
    tendering.add(Tender.CASH, 5_000)
    assert tendering.remaining_fen == 2_000 and not tendering.is_paid
    payment = tendering.add(Tender.CASH, 5_000)
    assert (payment.amount_fen, payment.tendered_fen, tendering.change_fen) == (2_000, 5_000, 3_000)
    assert tendering.is_paid
    with pytest.raises(InputError):
        tendering.add(Tender.CASH, None)
    assert tendering.undo() == payment
    assert tendering.change_fen == 0 and tendering.remaining_fen == 2_000
    with pytest.raises(InputError):
        tendering.add(Tender.CARD, 0)


def test_unpaid_sale_cannot_complete(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, 100)
    with pytest.raises(InputError, match="not paid"):
        register.complete(tendering)
