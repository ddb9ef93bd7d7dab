"""Complaints, ratings and adverse reactions as data functions: the rules and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.aftercare import adverse, complaints, satisfaction
from pos.domain.aftercare.adverse import AdverseForm
from pos.domain.aftercare.complaints import ComplaintForm
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import AdverseReaction, Complaint, Member, SaleRating
from pos.register.service import RegisterService
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of


@pytest.fixture
def sale_number(register: RegisterService, demo_sessions: sessionmaker[Session]) -> str:
    register.scan(barcode_of(demo_sessions, "P00063"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    return register.complete(tendering).number


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rating=st.integers().filter(lambda n: not 1 <= n <= 5))
def test_a_rating_outside_1_to_5_is_refused_and_nothing_stored(
    demo_sessions: sessionmaker[Session], sale_number: str, rating: int
) -> None:
    with demo_sessions() as session, pytest.raises(InputError, match="1 to 5"):
        satisfaction.rate(session, sale_number, rating, cashier=None, at=NOW)
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(SaleRating)) == 0


def test_a_sale_is_rated_once_through_the_register(
    register: RegisterService, demo_sessions: sessionmaker[Session], sale_number: str
) -> None:
    given = register.aftercare.rate(sale_number, 1, "shouyin01")
    assert given.low and given.rating == 1
    with pytest.raises(InputError, match="already rated"):
        register.aftercare.rate(sale_number, 5, "shouyin01")
    with pytest.raises(InputError, match="No sale"):
        register.aftercare.rate("S001-01-20990101-0001", 5, None)
    with demo_sessions() as session:
        assert session.scalars(select(SaleRating.rating)).all() == [1]


def test_a_complaint_from_a_sale_takes_its_member_and_goes_open_in_hand_closed(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions() as session:
        card = session.scalars(select(Member.card_no).order_by(Member.id)).first()
    assert card is not None
    register.scan(card)
    register.scan(barcode_of(demo_sessions, "P00063"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    aftercare = register.aftercare
    opened = aftercare.open_complaint(
        ComplaintForm(category="medicine", description="wrong strength", sale_number=number),
        "shouyin01",
    )
    assert (opened.status, opened.member_card, opened.sale_number) == ("open", card, number)
    assert aftercare.overdue_complaints(0)[0].id == opened.id
    handled = aftercare.handle_complaint(opened.id, "yaoshi01", "called the customer")
    assert (handled.status, handled.handler, handled.resolution) == (
        "in_hand",
        "yaoshi01",
        "called the customer",
    )
    assert aftercare.overdue_complaints(0) == []  # it had its first response
    closed = aftercare.close_complaint(opened.id, "dianzhang", "exchanged", "happy")
    assert closed.status == "closed" and closed.handler == "yaoshi01"
    with pytest.raises(InputError, match="already closed"):
        aftercare.close_complaint(opened.id, "dianzhang", "again")
    with pytest.raises(InputError, match="already closed"):
        aftercare.handle_complaint(opened.id, "dianzhang")
    assert [c.id for c in aftercare.complaints("closed")] == [opened.id]
    assert aftercare.complaints("open") == []


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (ComplaintForm(category="rude", description="x"), "Unknown category"),
        (ComplaintForm(category="price", description="  "), "Give the description"),
        (ComplaintForm(category="price", description="x", severity="urgent"), "Unknown severity"),
        (ComplaintForm(category="price", description="x" * 1001), "longer than 1000"),
        (ComplaintForm(category="price", description="x", member_card="NOPE"), "No member"),
        (ComplaintForm(category="price", description="x", sale_number="S9-9-1-1"), "No sale"),
    ],
)
def test_bad_complaints_are_refused_and_nothing_stored(
    demo_sessions: sessionmaker[Session], form: ComplaintForm, error: str
) -> None:
    with demo_sessions.begin() as session, pytest.raises(InputError, match=error):
        complaints.open_complaint(session, form, at=NOW, by=None)
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_an_adverse_reaction_takes_sex_and_age_from_the_member(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        member = session.scalars(select(Member).where(Member.birthday.is_not(None))).first()
        assert member is not None and member.birthday is not None
        form = AdverseForm(
            product="P00063",
            reaction="nausea",
            onset_on=TODAY,
            severity="moderate",
            outcome="recovered",
            member_card=member.card_no,
        )
        entry = adverse.record(session, form, at=NOW, by="yaoshi01", today=TODAY)
        assert entry.patient_age == adverse.age_on(member.birthday, TODAY)
        assert entry.patient_sex == (member.gender or "")
        assert entry.report_type == "general"
        [row] = list(adverse.rows(session))
        assert row["member"] == member.card_no and row["report_date"] == "2026-03-10"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"onset_on": TODAY + timedelta(days=1)}, "future"),
        ({"severity": "awful"}, "Unknown severity"),
        ({"outcome": "fine"}, "Unknown outcome"),
        ({"reaction": " "}, "Give the reaction"),
        ({"product": "NOPE"}, "No product"),
        ({"started_on": date(2026, 3, 5), "stopped_on": date(2026, 3, 1)}, "stopped before"),
        ({"patient_sex": "X"}, "M or F"),
    ],
)
def test_bad_adverse_reactions_are_refused_and_nothing_stored(
    demo_sessions: sessionmaker[Session], changes: dict[str, object], error: str
) -> None:
    values: dict[str, object] = {
        "product": "P00063",
        "reaction": "rash",
        "onset_on": TODAY,
        "severity": "mild",
        "outcome": "recovered",
    } | changes
    form = AdverseForm(**values)  # type: ignore[arg-type]
    with demo_sessions.begin() as session, pytest.raises(InputError, match=error):
        adverse.record(session, form, at=NOW, by=None, today=TODAY)
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AdverseReaction)) == 0
