"""The service report's care figures: follow-ups, referrals, birthday gifts, segments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import points_ledger
from pos.domain.members.segments import SEGMENTS, SegmentRules, segment
from pos.models import FollowUpTask, Member, MemberGift, PointsEntry
from tests.domain.aftercare.test_aftercare_service_report import add_sale

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 10)
ZONE = "Asia/Shanghai"
IN = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
BEFORE = datetime(2026, 2, 27, 2, 0, tzinfo=UTC)
AFTER = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


def four_members(session: Session) -> list[int]:
    """Four members, the others erased (so segments count only these)."""
    ids = list(session.scalars(select(Member.id).order_by(Member.id)))
    session.execute(update(Member).where(Member.id.in_(ids[4:])).values(erased_at=BEFORE))
    return ids[:4]


def task(
    session: Session,
    member_id: int,
    reason: str,
    due_on: date,
    *,
    outcome: str | None = None,
    attempts: int = 1,
    done_at: datetime | None = None,
) -> None:
    session.add(
        FollowUpTask(
            member_id=member_id,
            reason=reason,
            due_on=due_on,
            status="done" if done_at else "open",
            created_at=BEFORE,
            attempts=attempts if outcome else 0,
            outcome=outcome,
            done_at=done_at,
        )
    )


def test_the_care_figures_on_a_known_data_set(demo_sessions: sessionmaker[Session]) -> None:
    from pos.domain.aftercare.service_report import service_report

    with demo_sessions.begin() as session:
        m1, m2, m3, m4 = four_members(session)
        session.execute(delete(FollowUpTask))
        session.execute(delete(MemberGift))
        # follow-ups: due in the period 4 (one of them done after it), done in it 4
        task(session, m1, "refill", date(2026, 3, 2), outcome="reached", done_at=IN)
        task(session, m2, "after_sale", date(2026, 3, 3), outcome="doing_well", done_at=IN)
        task(session, m3, "after_sale", date(2026, 2, 20), outcome="side_effect", done_at=IN)
        # closed by another task's "do not call again": done, nobody reached
        task(session, m1, "complaint", date(2026, 3, 9), outcome="do_not_call", done_at=IN)
        session.execute(
            update(FollowUpTask).where(FollowUpTask.reason == "complaint").values(attempts=0)
        )
        task(session, m4, "refill", date(2026, 3, 4), outcome="not_reached")  # still open
        task(session, m4, "refill", date(2026, 2, 1), outcome="reached", done_at=BEFORE)
        task(session, m2, "refill", date(2026, 3, 20), outcome="reached", done_at=AFTER)
        # referrals: m2 and m3 referred by m1 in the period, m4 before it; m2 bought
        # (enrolment days are set with the segments below: m2, m3 in the period, m4 before)
        session.execute(update(Member).where(Member.id.in_([m2, m3, m4])).values(referrer_id=m1))
        add_sale(session, date(2026, 3, 6), m2, 1000)
        add_sale(session, date(2026, 3, 12), m3, 1000)  # after the period
        points_ledger.post_points(session, m1, 100, "referral", IN)
        points_ledger.post_points(session, m1, 100, "referral", AFTER)
        points_ledger.post_points(session, m1, 50, "earn", IN)
        # birthday gifts: two products and a points grant in the period, one before
        for member_id, kind, at in (
            (m1, "product", IN),
            (m2, "product", IN),
            (m3, "points", IN),
            (m4, "points", datetime(2025, 6, 1, tzinfo=UTC)),
        ):
            session.add(
                MemberGift(member_id=member_id, year=at.year, kind=kind, points=0, given_at=at)
            )
        # segments on 2026-03-10: m1 lapsed, m2 new, m3 regular, m4 at risk
        for member_id, enrolled, visits, last in (
            (m1, datetime(2025, 1, 1, tzinfo=UTC), 3, datetime(2025, 8, 1, tzinfo=UTC)),
            (m2, IN, 1, IN),
            (m3, IN, 9, IN),
            (m4, datetime(2025, 1, 1, tzinfo=UTC), 2, datetime(2025, 11, 20, tzinfo=UTC)),
        ):
            session.execute(
                update(Member)
                .where(Member.id == member_id)
                .values(visits=visits, last_visit_at=last, enrolled_at=enrolled)
            )
        report = service_report(session, FIRST, LAST, ZONE, today=LAST)

    def value(section: str, key: str) -> object:
        return report.figure(section, key).value

    assert value("follow_ups", "due") == 4  # 3-02, 3-03, 3-09, 3-04
    assert value("follow_ups", "done") == 4
    assert value("follow_ups", "reached") == 3
    assert value("follow_ups", "reached.refill") == 1
    assert value("follow_ups", "reached.after_sale") == 2
    assert value("follow_ups", "reached.complaint") == 0
    assert value("referrals", "referred") == 2
    assert value("referrals", "first_purchase") == 1
    assert value("referrals", "points_credited") == 100
    assert value("birthday", "given") == 3
    assert value("birthday", "kind.product") == 2
    assert value("birthday", "kind.points") == 1
    # m2 enrolled 2026-03-05 with one visit: new; m3 nine visits lately: regular
    assert value("segments", "lapsed") == 1
    assert value("segments", "new") == 1
    assert value("segments", "regular") == 1
    assert value("segments", "at_risk") == 1
    assert value("segments", "active") == 0
    keys = [s.key for s in report.sections]
    assert keys[-4:] == ["follow_ups", "referrals", "birthday", "segments"]


def test_segments_follow_the_rules_given(demo_sessions: sessionmaker[Session]) -> None:
    from pos.domain.aftercare.service_report import service_report

    with demo_sessions.begin() as session:
        four_members(session)
        session.execute(
            update(Member).values(
                enrolled_at=datetime(2025, 1, 1, tzinfo=UTC),
                visits=3,
                last_visit_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        lenient = service_report(session, FIRST, LAST, ZONE, today=LAST)
        strict = service_report(
            session, FIRST, LAST, ZONE, today=LAST, segment_rules=SegmentRules(at_risk_days=30)
        )
    assert lenient.figure("segments", "active").value == 4
    assert strict.figure("segments", "at_risk").value == 4


MEMBER_STATE = st.tuples(
    st.integers(min_value=0, max_value=600),  # days enrolled before today
    st.integers(min_value=0, max_value=12),  # visits
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),  # days since the last visit
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    states=st.lists(MEMBER_STATE, min_size=4, max_size=4),
    outcomes=st.lists(
        st.tuples(
            st.sampled_from(["refill", "after_sale", "complaint"]),
            st.sampled_from(["reached", "not_reached", "doing_well", "do_not_call"]),
            st.integers(min_value=-3, max_value=12),  # done day offset from FIRST
        ),
        max_size=8,
    ),
)
def test_counts_add_up_on_any_data(
    demo_sessions: sessionmaker[Session],
    states: list[tuple[int, int, int | None]],
    outcomes: list[tuple[str, str, int]],
) -> None:
    from pos.domain.aftercare.service_report import service_report

    with demo_sessions() as session:
        ids = four_members(session)
        session.execute(delete(FollowUpTask))
        session.execute(delete(PointsEntry).where(PointsEntry.reason == "referral"))
        expected = dict.fromkeys(SEGMENTS, 0)
        for member_id, (enrolled_days, visits, since) in zip(ids, states, strict=True):
            enrolled = LAST - timedelta(days=enrolled_days)
            last = None if since is None else LAST - timedelta(days=min(since, enrolled_days))
            session.execute(
                update(Member)
                .where(Member.id == member_id)
                .values(
                    enrolled_at=datetime.combine(enrolled, datetime.min.time(), UTC),
                    visits=visits,
                    last_visit_at=None
                    if last is None
                    else datetime.combine(last, datetime.min.time(), UTC),
                )
            )
            expected[segment(enrolled, visits, last, LAST, SegmentRules())] += 1
        reached = done = 0
        for reason, outcome, offset in outcomes:
            day = FIRST + timedelta(days=offset)
            at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=4)
            closed = outcome != "not_reached"
            task(session, ids[0], reason, day, outcome=outcome, done_at=at if closed else None)
            if closed and FIRST <= day <= LAST:
                done += 1
                reached += 1
        session.flush()
        report = service_report(session, FIRST, LAST, ZONE, today=LAST)
        session.rollback()
    assert {k: report.figure("segments", k).value for k in SEGMENTS} == expected
    assert report.figure("follow_ups", "done").value == done
    assert report.figure("follow_ups", "reached").value == reached
    assert (
        sum(
            report.figure("follow_ups", f"reached.{k}").value or 0
            for k in ("refill", "after_sale", "complaint")
        )
        == reached
    )
    due = sum(1 for _, _, offset in outcomes if 0 <= offset <= 9)
    assert report.figure("follow_ups", "due").value == due
