"""Head office sync carries referrals like enrolments: code, referrer (by uid), credit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import Member, PointsEntry
from pos.sync import central
from tests.helpers import barcode_of
from tests.sync.test_sync import Register, registers  # noqa: F401 (the fixture)

REFERRER_PHONE, NEW_PHONE = "13900007777", "13900008888"


def enrol(register: Register, phone: str, name: str, referrer: str = "") -> int:
    view = register.service.enrol(
        MemberForm(phone=phone, name=name, consent_terms=True, referrer=referrer)
    )
    assert view.member is not None
    return view.member.id


def sell_to(register: Register, member_id: int) -> None:
    register.service.scan(barcode_of(register.sessions, "P00001"))
    register.service.attach_member(member_id)
    tendering = register.service.start_payment()
    tendering.add(Tender.CASH, None)
    register.service.complete(tendering)


def by_phone(session: Session, phone: str) -> Member:
    return session.scalars(select(Member).where(Member.phone == phone)).one()


def referral_points(session: Session, member_id: int) -> int:
    return len(
        session.scalars(
            select(PointsEntry.id).where(
                PointsEntry.member_id == member_id, PointsEntry.reason == "referral"
            )
        ).all()
    )


def test_a_referral_made_at_a_shows_at_b_and_is_credited_once(
    registers: tuple[Register, Register],  # noqa: F811
    hq_url: str,
) -> None:
    a, b = registers
    referrer_id = enrol(a, REFERRER_PHONE, "推荐人")
    new_id = enrol(a, NEW_PHONE, "新会员", referrer=REFERRER_PHONE)
    sell_to(a, new_id)  # the first purchase: the referrer is credited at A
    with a.sessions() as session:
        new = session.get_one(Member, new_id)
        code, credited = new.referral_code, new.referral_credited_at
        assert code and credited is not None
        assert referral_points(session, referrer_id) == 1
    a.sync(hq_url)
    engine = central.make_hq_engine(hq_url)
    with Session(engine) as hq:
        at_hq = by_phone(hq, NEW_PHONE)
        assert at_hq.referral_code == code
        assert at_hq.referral_credited_at is not None
        assert at_hq.referrer_id == by_phone(hq, REFERRER_PHONE).id
    engine.dispose()
    b.sync(hq_url)
    with b.sessions() as session:
        new_b = by_phone(session, NEW_PHONE)
        referrer_b = by_phone(session, REFERRER_PHONE)
        assert new_b.referrer_id == referrer_b.id
        assert new_b.referral_code == code
        assert new_b.referral_credited_at is not None
        new_b_id, referrer_b_id = new_b.id, referrer_b.id
    sell_to(b, new_b_id)  # a purchase at B: the referral was credited already, at A
    with b.sessions() as session:
        assert referral_points(session, referrer_b_id) == 0
    b.sync(hq_url)
    a.sync(hq_url)
    with a.sessions() as session:
        assert session.get_one(Member, new_id).referrer_id == referrer_id
        assert referral_points(session, referrer_id) == 1


def test_a_referrer_set_later_travels_as_an_edit(
    registers: tuple[Register, Register],  # noqa: F811
    hq_url: str,
) -> None:
    a, b = registers
    enrol(a, REFERRER_PHONE, "推荐人")
    new_id = enrol(a, NEW_PHONE, "新会员")
    a.sync(hq_url)
    b.sync(hq_url)
    with b.sessions() as session:
        assert by_phone(session, NEW_PHONE).referrer_id is None
    with a.sessions.begin() as session:
        new = session.get_one(Member, new_id)
        new.referrer_id = by_phone(session, REFERRER_PHONE).id
    a.sync(hq_url)
    b.sync(hq_url)
    with b.sessions() as session:
        assert by_phone(session, NEW_PHONE).referrer_id == by_phone(session, REFERRER_PHONE).id
