"""The service report: every figure on known data, and counts and means on any data."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.aftercare import adverse, complaints, satisfaction
from pos.domain.aftercare.adverse import AdverseForm
from pos.domain.aftercare.complaints import ComplaintForm
from pos.domain.aftercare.service_report import (
    SERVICE_CSV_COLUMNS,
    mean_fen,
    report_csv,
    service_report,
)
from pos.models import Member, Sale
from tests.conftest import NOW

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 10)
ZONE = "Asia/Shanghai"


def add_sale(session: Session, day: date, member_id: int | None, total_fen: int) -> Sale:
    """A minimal completed sale on business day ``day``."""
    seq = len(session.scalars(select(Sale.id)).all()) + 1
    sale = Sale(
        number=f"S001-01-{day:%Y%m%d}-{seq:04d}",
        store_code="001",
        register_id="01",
        business_date=day,
        seq=seq,
        cashier="shouyin01",
        member=None,
        member_id=member_id,
        completed_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=2),
        subtotal_fen=total_fen,
        discount_fen=0,
        total_fen=total_fen,
        change_fen=0,
    )
    session.add(sale)
    session.flush()
    return sale


def member_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Member.id).order_by(Member.id).limit(4)))


def test_every_figure_on_a_known_data_set(demo_sessions: sessionmaker[Session]) -> None:
    at = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    with demo_sessions.begin() as session:
        m1, m2, m3, m4 = member_ids(session)
        add_sale(session, date(2026, 2, 1), m1, 1000)  # before: the retention cohort m1, m2, m4
        add_sale(session, date(2026, 2, 20), m2, 1000)
        add_sale(session, date(2025, 11, 1), m4, 1000)  # over 90 days before: not in it
        add_sale(session, date(2026, 2, 28), m4, 1000)
        one = add_sale(session, date(2026, 3, 2), m1, 3000)
        add_sale(session, date(2026, 3, 4), m1, 1001)
        add_sale(session, date(2026, 3, 5), m3, 2000)
        two = add_sale(session, date(2026, 3, 6), None, 500)
        three = add_sale(session, date(2026, 3, 7), None, 800)
        add_sale(session, date(2026, 3, 11), m2, 9999)  # after the period
        for sale, rating in ((one, 5), (two, 4), (three, 1)):
            satisfaction.rate(session, sale.number, rating, cashier=None, at=at)
        for category, hours_to_respond, hours_to_close in (
            ("price", 2, 10),
            ("price", 4, None),
            ("service", None, None),
        ):
            form = ComplaintForm(category=category, description="x", sale_number=one.number)
            item = complaints.open_complaint(session, form, at=at, by="shouyin01")
            if hours_to_respond is not None:
                complaints.handle(
                    session, item.id, handler="dianzhang", at=at + timedelta(hours=hours_to_respond)
                )
            if hours_to_close is not None:
                complaints.close(
                    session,
                    item.id,
                    by="dianzhang",
                    at=at + timedelta(hours=hours_to_close),
                    resolution="done",
                )
        for severity in ("mild", "serious"):
            reaction = AdverseForm(
                product="P00063",
                reaction="rash",
                onset_on=date(2026, 3, 4),
                severity=severity,
                outcome="recovered",
            )
            adverse.record(session, reaction, at=at, by="yaoshi01", today=date(2026, 3, 10))
        report = service_report(session, FIRST, LAST, ZONE)

    def value(section: str, key: str) -> object:
        return report.figure(section, key).value

    assert value("visits", "visits") == 5
    assert value("visits", "member_visits") == 3
    assert value("visits", "member_share") == 0.6
    assert value("visits", "member_ticket_fen") == 2000  # 6001 / 3 = 2000.33
    assert value("visits", "other_ticket_fen") == 650
    assert value("members", "members_visiting") == 2
    assert value("members", "repeat_members") == 1
    assert value("members", "repeat_rate") == 0.5
    assert value("members", "retention_cohort") == 3
    assert value("members", "retained") == 1
    assert value("members", "retention_90") == 0.3333
    assert value("satisfaction", "ratings") == 3
    assert value("satisfaction", "mean") == 3.33
    assert value("satisfaction", "share_4_5") == 0.6667
    assert value("complaints", "complaints") == 3
    assert value("complaints", "category.price") == 2
    assert value("complaints", "category.service") == 1
    assert value("complaints", "category.other") == 0
    assert value("complaints", "median_first_response_h") == 3.0  # of 2 h and 4 h
    assert value("complaints", "median_close_h") == 10.0
    assert value("adverse", "recorded") == 2
    assert value("adverse", "serious") == 1
    rows = report_csv(report).splitlines()
    assert rows[0] == ",".join(SERVICE_CSV_COLUMNS)
    assert "satisfaction,mean,Mean rating (1–5),3.33" in rows
    as_json = json.loads(json.dumps(report.as_json()))
    assert [s["key"] for s in as_json["sections"]] == [
        "visits",
        "members",
        "satisfaction",
        "complaints",
        "adverse",
        "follow_ups",
        "referrals",
        "birthday",
        "segments",
    ]


def test_an_empty_period_has_no_rates_and_no_means(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as session:
        report = service_report(session, FIRST, LAST, ZONE)
    assert report.figure("visits", "member_share").value is None
    assert report.figure("satisfaction", "mean").text == "—"
    assert report.figure("complaints", "median_close_h").value is None


SALES = st.lists(
    st.tuples(
        st.integers(min_value=-100, max_value=12),  # days after FIRST
        st.one_of(st.none(), st.integers(min_value=0, max_value=3)),  # which member
        st.integers(min_value=0, max_value=50_000),
        st.one_of(st.none(), st.integers(min_value=1, max_value=5)),  # rating
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sales=SALES)
def test_counts_means_and_rates_add_up(
    demo_sessions: sessionmaker[Session], sales: list[tuple[int, int | None, int, int | None]]
) -> None:
    with demo_sessions() as session:  # never committed: each example starts empty
        members = member_ids(session)
        inside = []
        for offset, who, total, rating in sales:
            day = FIRST + timedelta(days=offset)
            member_id = None if who is None else members[who]
            sale = add_sale(session, day, member_id, total)
            if rating is not None:
                satisfaction.rate(session, sale.number, rating, cashier=None, at=NOW)
            if FIRST <= day <= LAST:
                inside.append((member_id, total, rating))
        report = service_report(session, FIRST, LAST, ZONE)
        session.rollback()
    figure = report.figure
    member_totals = [t for m, t, _r in inside if m is not None]
    other_totals = [t for m, t, _r in inside if m is None]
    assert figure("visits", "visits").value == len(inside)
    assert figure("visits", "member_visits").value == len(member_totals)
    assert figure("visits", "member_ticket_fen").value == mean_fen(
        sum(member_totals), len(member_totals)
    )
    assert figure("visits", "other_ticket_fen").value == mean_fen(
        sum(other_totals), len(other_totals)
    )
    ticket = figure("visits", "member_ticket_fen").value
    if member_totals:
        assert isinstance(ticket, int)
        assert min(member_totals) <= ticket <= max(member_totals)
    given_ratings = [r for _m, _t, r in inside if r is not None]
    assert figure("satisfaction", "ratings").value == len(given_ratings)
    mean = figure("satisfaction", "mean").value
    if given_ratings:
        assert mean == round(statistics.fmean(given_ratings), 2)
        assert 1 <= float(mean or 0) <= 5
    else:
        assert mean is None
    visiting = {m for m, _t, _r in inside if m is not None}
    assert figure("members", "members_visiting").value == len(visiting)
    repeat = figure("members", "repeat_members").value
    assert isinstance(repeat, int) and 0 <= repeat <= len(visiting)
    retained = figure("members", "retained").value
    cohort = figure("members", "retention_cohort").value
    assert isinstance(retained, int) and isinstance(cohort, int) and 0 <= retained <= cohort
