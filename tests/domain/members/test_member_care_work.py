"""Service after the sale, in the domain: follow-up tasks, referrals, birthday gifts, segments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import birthday, follow_up_tasks, members, points_ledger, referrals
from pos.domain.members.follow_up_tasks import FollowUpRules
from pos.domain.members.members import MemberForm
from pos.domain.members.segments import SEGMENTS, SegmentRules, segment
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass, Tender
from pos.models import FollowUpTask, Member, MemberGift, PointsEntry, Product, Sale
from pos.register.service import RegisterService
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of

RULES = FollowUpRules()


def enrol(session: Session, phone: str, name: str = "测试", birthday: str = "") -> Member:
    form = MemberForm(phone=phone, name=name, birthday=birthday, consent_terms=True)
    return members.enrol(session, form, NOW, TODAY, "001")


def sell(
    register: RegisterService, sessions: sessionmaker[Session], sku: str, member_id: int
) -> Sale:
    register.scan(barcode_of(sessions, sku))
    register.attach_member(member_id)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    done = register.complete(tendering)
    with sessions() as session:
        sale = session.scalar(select(Sale).where(Sale.number == done.number))
        assert sale is not None
        session.expunge(sale)
        return sale


def plain_sku(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        sku = session.scalar(
            select(Product.sku).where(Product.drug_class == DrugClass.NONE).order_by(Product.sku)
        )
        assert sku is not None
        return sku


# -- follow-ups ---------------------------------------------------------------------------


def test_a_medicine_sale_plans_a_pharmacist_call_and_a_plain_one_does_not(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        member_id = enrol(session, "16612340001").id
    guided = sell(register, demo_sessions, "P00001", member_id)  # 999感冒灵, OTC-A
    sell(register, demo_sessions, plain_sku(demo_sessions), member_id)
    with demo_sessions() as session:
        tasks = session.scalars(select(FollowUpTask)).all()
        member = session.get_one(Member, member_id)
        assert member.visits == 2 and member.referral_code is not None
    assert [(t.reason, t.sale_id, t.assignee) for t in tasks] == [
        ("after_sale", guided.id, "pharmacist")
    ]
    assert tasks[0].due_on == guided.business_date + timedelta(days=3)


@pytest.fixture
def task_id(demo_sessions: sessionmaker[Session]) -> int:
    with demo_sessions.begin() as session:
        member = enrol(session, "16612340002", "回访甲")
        task = follow_up_tasks.plan_after_complaint(session, member.id, 7, TODAY, RULES, NOW)
        assert task is not None
        return task.id


def test_tasks_show_full_phones_only_to_those_who_call(
    demo_sessions: sessionmaker[Session], task_id: int
) -> None:
    later = TODAY + timedelta(days=2)
    with demo_sessions() as session:
        assert follow_up_tasks.tasks(session, TODAY, "manager") == []  # not yet due
        [full] = follow_up_tasks.tasks(session, later, "pharmacist")
        [masked] = follow_up_tasks.tasks(session, later, "cashier")
    assert full.phone == "16612340002"
    assert masked.phone == "166****0002"


def test_not_reached_moves_the_call_and_other_outcomes_close_it(
    demo_sessions: sessionmaker[Session], task_id: int
) -> None:
    with demo_sessions.begin() as session:
        task = follow_up_tasks.record_outcome(
            session, task_id, "not_reached", "dianzhang", "manager", NOW, TODAY
        )
        assert (task.status, task.due_on, task.attempts) == ("open", TODAY + timedelta(days=1), 1)
        task = follow_up_tasks.record_outcome(
            session, task_id, "doing_well", "dianzhang", "manager", NOW, TODAY
        )
        assert (task.status, task.outcome, task.attempts) == ("done", "doing_well", 2)
    with demo_sessions.begin() as session, pytest.raises(InputError, match="already done"):
        follow_up_tasks.record_outcome(
            session, task_id, "reached", "dianzhang", "manager", NOW, TODAY
        )


@pytest.mark.parametrize(
    ("outcome", "role", "retry", "message"),
    [
        ("maybe", "manager", None, "Unknown outcome"),
        ("reached", "cashier", None, "pharmacist or a manager"),
        ("not_reached", "manager", TODAY, "later day"),
    ],
)
def test_a_bad_outcome_changes_nothing(
    demo_sessions: sessionmaker[Session],
    task_id: int,
    outcome: str,
    role: str,
    retry: date | None,
    message: str,
) -> None:
    with demo_sessions.begin() as session, pytest.raises(InputError, match=message):
        follow_up_tasks.record_outcome(
            session, task_id, outcome, "x", role, NOW, TODAY, retry_on=retry
        )
    with demo_sessions() as session:
        task = session.get_one(FollowUpTask, task_id)
        assert (task.status, task.attempts, task.outcome) == ("open", 0, None)


def test_do_not_call_withdraws_the_consent_and_closes_every_call(
    demo_sessions: sessionmaker[Session], task_id: int
) -> None:
    with demo_sessions.begin() as session:
        member_id = session.get_one(FollowUpTask, task_id).member_id
        other = follow_up_tasks.plan_after_complaint(session, member_id, 8, TODAY, RULES, NOW)
        assert other is not None
        follow_up_tasks.record_outcome(
            session, task_id, "do_not_call", "yaoshi01", "pharmacist", NOW, TODAY
        )
    with demo_sessions.begin() as session:
        assert not session.get_one(Member, member_id).consent_follow_up
        statuses = session.scalars(select(FollowUpTask.status)).all()
        assert statuses == ["done", "done"]
        assert (
            follow_up_tasks.plan_after_complaint(session, member_id, 9, TODAY, RULES, NOW) is None
        )


def test_wants_refill_marks_the_next_visit(
    demo_sessions: sessionmaker[Session], task_id: int
) -> None:
    with demo_sessions.begin() as session:
        task = follow_up_tasks.record_outcome(
            session, task_id, "wants_refill", "yaoshi01", "pharmacist", NOW, TODAY
        )
        assert session.get_one(Member, task.member_id).next_visit_on == TODAY + timedelta(days=1)


def test_only_a_pharmacist_does_a_medicine_call(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        member_id = enrol(session, "16612340003").id
    sale = sell(register, demo_sessions, "P00001", member_id)
    with demo_sessions.begin() as session:
        task = session.scalars(select(FollowUpTask).where(FollowUpTask.sale_id == sale.id)).one()
        with pytest.raises(InputError, match="Only a pharmacist"):
            follow_up_tasks.record_outcome(
                session, task.id, "reached", "dianzhang", "manager", NOW, TODAY
            )


# -- referrals ----------------------------------------------------------------------------


def test_a_referral_code_is_read_as_people_type_it(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        referrer = enrol(session, "16612340010", "推荐人")
        code = referrals.ensure_code(session, referrer)
        assert referrals.ensure_code(session, referrer) == code  # given once
        typed = code.lower().replace("0", "o").replace("1", "l")
        assert referrals.find_referrer(session, typed[:4] + " " + typed[4:]).id == referrer.id
        assert referrals.find_referrer(session, "166 1234 0010").id == referrer.id


@pytest.mark.parametrize(
    ("text", "message"),
    [("ZZZZZZZZ", "No member has the referral code"), ("abc", "letters and digits"),
     ("16612349999", "No member has the referrer's phone")],
)  # fmt: skip
def test_an_unknown_referrer_is_named(
    demo_sessions: sessionmaker[Session], text: str, message: str
) -> None:
    with demo_sessions.begin() as session:
        member = enrol(session, "16612340011")
        with pytest.raises(InputError, match=message):
            referrals.set_referrer(session, member, text)
        assert member.referrer_id is None


def test_no_one_refers_themself_and_one_referrer_only(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        first = enrol(session, "16612340012")
        second = enrol(session, "16612340013")
        new = enrol(session, "16612340014")
        with pytest.raises(InputError, match="themself"):
            referrals.set_referrer(session, new, referrals.ensure_code(session, new))
        referrals.set_referrer(session, new, referrals.ensure_code(session, first))
        with pytest.raises(InputError, match="already has a referrer"):
            referrals.set_referrer(session, new, referrals.ensure_code(session, second))
        assert new.referrer_id == first.id


def test_the_referrer_is_credited_once(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        referrer = enrol(session, "16612340015")
        new = enrol(session, "16612340016")
        referrals.set_referrer(session, new, referrals.ensure_code(session, referrer))
        assert referrals.credit_referrer(session, new, 100, NOW, None) == 100
        assert referrals.credit_referrer(session, new, 100, NOW, None) == 0
        assert points_ledger.balance(session, referrer.id) == 100
        reasons = session.scalars(
            select(PointsEntry.reason).where(PointsEntry.member_id == referrer.id)
        ).all()
        assert reasons == ["referral"]


# -- birthday gifts -----------------------------------------------------------------------


def test_a_birthday_gift_is_offered_in_the_month_and_given_once(
    demo_sessions: sessionmaker[Session],
) -> None:
    month = f"1980-{TODAY.month:02d}-15"
    other = f"1980-{TODAY.month % 12 + 1:02d}-15"
    with demo_sessions.begin() as session:
        born_now = enrol(session, "16612340020", birthday=month)
        born_later = enrol(session, "16612340021", birthday=other)
        assert birthday.gift_due(session, born_later, "", 50, TODAY) is None
        assert birthday.gift_due(session, born_now, "", 0, TODAY) is None  # none configured
        gift = birthday.gift_due(session, born_now, "", 50, TODAY)
        assert gift is not None and (gift.kind, gift.points) == ("points", 50)
        birthday.record_gift(session, born_now.id, gift, TODAY, NOW, None, "shouyin01")
        assert points_ledger.balance(session, born_now.id) == 50
        assert birthday.gift_due(session, born_now, "", 50, TODAY) is None
        with pytest.raises(InputError, match="already given"):
            birthday.record_gift(session, born_now.id, gift, TODAY, NOW, None, "shouyin01")
        assert session.scalar(select(func.count()).select_from(MemberGift)) == 1
        next_year = TODAY.replace(year=TODAY.year + 1)
        assert birthday.gift_due(session, born_now, "", 50, next_year) is not None


def test_a_product_gift_names_the_product(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        member = enrol(session, "16612340022", birthday=f"1990-{TODAY.month:02d}-01")
        gift = birthday.gift_due(session, member, "P00001", 50, TODAY)
        assert gift is not None and (gift.kind, gift.sku, gift.name) == (
            "product",
            "P00001",
            "999感冒灵颗粒",
        )


# -- segments -----------------------------------------------------------------------------

SEG = SegmentRules()


@pytest.mark.parametrize(
    ("enrolled_ago", "visits", "last_ago", "expected"),
    [
        (5, 0, None, "new"), (5, 1, 2, "new"), (5, 2, 1, "active"), (400, 3, 10, "active"),
        (400, 6, 10, "regular"), (400, 9, 91, "at_risk"), (400, 9, 181, "lapsed"),
        (200, 0, None, "lapsed"), (60, 0, None, "active"),
    ],
)  # fmt: skip
def test_segments(enrolled_ago: int, visits: int, last_ago: int | None, expected: str) -> None:
    last = None if last_ago is None else TODAY - timedelta(days=last_ago)
    assert segment(TODAY - timedelta(days=enrolled_ago), visits, last, TODAY, SEG) == expected


@given(
    enrolled_ago=st.integers(0, 3000),
    visits=st.integers(0, 500),
    last_ago=st.none() | st.integers(0, 3000),
    days_later=st.integers(0, 400),
)
def test_a_member_only_drifts_towards_lapsed_without_a_visit(
    enrolled_ago: int, visits: int, last_ago: int | None, days_later: int
) -> None:
    """Time alone never makes a member more engaged: at risk and lapsed only deepen."""
    enrolled = TODAY - timedelta(days=enrolled_ago)
    last = None if last_ago is None else max(enrolled, TODAY - timedelta(days=last_ago))
    now = segment(enrolled, visits, last, TODAY, SEG)
    later = segment(enrolled, visits, last, TODAY + timedelta(days=days_later), SEG)
    assert now in SEGMENTS and later in SEGMENTS
    order = {"lapsed": 2, "at_risk": 1}
    assert order.get(later, 0) >= order.get(now, 0)


def test_a_members_complaint_closed_plans_a_call_an_anonymous_one_does_not(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    from pos.domain.aftercare.complaints import ComplaintForm

    with demo_sessions.begin() as session:
        card = enrol(session, "16612340030").card_no
    aftercare = register.aftercare
    theirs = aftercare.open_complaint(
        ComplaintForm("waiting", "排队太久", member_card=card), "shouyin01"
    )
    anonymous = aftercare.open_complaint(ComplaintForm("price", "价格贵"), "shouyin01")
    for complaint in (theirs, anonymous):
        aftercare.close_complaint(complaint.id, "dianzhang", "已道歉并说明")
    with demo_sessions() as session:
        tasks = session.scalars(select(FollowUpTask)).all()
    assert [(t.reason, t.complaint_id, t.due_on) for t in tasks] == [
        ("complaint", theirs.id, TODAY + timedelta(days=2))
    ]
