"""After ``pos hq members merge A B`` the next pull makes card B resolve to member A at every
register (its points moved to A through the ledger, no sale lost); ``unmerge`` reverses it
(against a real PostgreSQL, two registers in two stores)."""

from __future__ import annotations

from sqlalchemy import func, select

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members import points_ledger
from pos.models import Member, PointsEntry, Sale
from pos.sync import central, runner
from pos.sync.outbox import SYNC_REASON
from tests.sync.test_sync_push_members import OLD_PHONE, REUSED, Till, at_hq, ledger, tills

__all__ = ["tills"]  # the fixture, shared with the members tests


def local(till: Till, uid: str) -> Member:
    with till.sessions() as session:
        return session.scalars(select(Member).where(Member.uid == uid)).one()


def balance(till: Till, uid: str) -> int:
    with till.sessions() as session:
        return points_ledger.balance(session, local(till, uid).id)


def sales_of(till: Till, uid: str) -> int:
    with till.sessions() as session:
        member_id = local(till, uid).id
        return int(session.scalar(select(func.count()).where(Sale.member_id == member_id)) or 0)


def test_a_merged_card_attaches_the_member_it_was_merged_into_until_unmerged(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    zhang = a.enrol(OLD_PHONE, "张三")
    a.sell_to(zhang)
    li = b.enrol(REUSED, "李四")
    b.sell_to(li)
    a.sync(hq_url)
    b.sync(hq_url)
    a.sync(hq_url)
    zhang_uid, li_uid = a.member(zhang).uid, b.member(li).uid
    zhang_card, li_card = a.member(zhang).card_no, b.member(li).card_no
    own_a, own_b = balance(a, zhang_uid), balance(b, li_uid)
    assert own_a > 0 and own_b > 0 and balance(a, li_uid) == own_b
    b.sell_to(li)  # not sent yet when head office merges
    unsent_b = balance(b, li_uid) - own_b
    sales_b = sales_of(b, li_uid)
    assert main(["hq", "members", "merge", zhang_card, li_card, "--url", hq_url]) == EXIT_OK
    engine, hq = at_hq(hq_url)
    with hq:
        merged_sent = ledger(hq, zhang_uid)
    engine.dispose()
    assert merged_sent == own_a + own_b
    # B pulls the merge before it pushes: what B's member has waiting counts for A already.
    pulled = central.make_hq_engine(hq_url)
    runner.pull(b.sessions, central.hq_sessions(pulled))
    pulled.dispose()
    assert balance(b, li_uid) == 0 and balance(b, zhang_uid) == merged_sent + unsent_b
    for till in (a, b, a):
        till.sync(hq_url)
    engine, hq = at_hq(hq_url)
    with hq:
        merged_total = ledger(hq, zhang_uid)
    engine.dispose()
    assert merged_total == own_a + own_b + unsent_b
    for till in (a, b):
        assert local(till, li_uid).merged_into_uid == zhang_uid
        assert balance(till, li_uid) == 0  # moved to 张三 through the ledger
        assert balance(till, zhang_uid) == merged_total
    with b.sessions() as session:
        last = session.scalars(
            select(PointsEntry).where(PointsEntry.member_id == li).order_by(PointsEntry.id.desc())
        ).first()
        assert last is not None and (last.reason, last.balance_after) == (SYNC_REASON, 0)
    assert sales_of(b, li_uid) == sales_b  # no sale lost
    # Scanning card B at either register attaches A, and says so.
    for till in (a, b):
        outcome = till.service.scan(li_card)
        assert outcome.cart.member is not None
        assert outcome.cart.member.card_no == zhang_card
        assert outcome.note == f"Card {li_card} merged into {zhang_card}"
        till.service.detach_member()
        chosen = till.service.attach_member(local(till, li_uid).id)  # found by name (F2)
        assert chosen.member is not None and chosen.member.card_no == zhang_card
        till.service.detach_member()
    # Unmerged: card B is B's again, with B's points.
    assert main(["hq", "members", "unmerge", li_card, "--url", hq_url]) == EXIT_OK
    for till in (a, b):
        till.sync(hq_url)
    engine, hq = at_hq(hq_url)
    with hq:
        own_li, own_zhang = ledger(hq, li_uid), ledger(hq, zhang_uid)
    engine.dispose()
    assert own_li == own_b + unsent_b and own_zhang == own_a
    for till in (a, b):
        assert local(till, li_uid).merged_into_uid is None
        assert balance(till, li_uid) == own_li and balance(till, zhang_uid) == own_zhang
    outcome = b.service.scan(li_card)
    assert outcome.cart.member is not None and outcome.cart.member.card_no == li_card
    assert outcome.note == ""
