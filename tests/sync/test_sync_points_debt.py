"""A balance head office has below zero (the same points redeemed at two stores offline)
reaches every register as it is: shown as a debt, paid off by points earned later in the
ledger, never clamped to zero (against a real PostgreSQL, two registers in two stores)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members import points_ledger
from pos.models import PointsEntry
from pos.sync.outbox import SYNC_REASON
from tests.conftest import NOW
from tests.sync.test_sync_push_points import PHONE, Till, enrol_with_points, go_offline, tills

__all__ = ["tills"]  # the fixture, shared with the points tests


def test_a_negative_balance_at_head_office_is_shown_and_paid_off_at_every_register(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    go_offline(a)
    go_offline(b)
    a.redeem_all()
    b.redeem_all()
    for till in (a, b, a):  # both push; A pulls again after B's push
        till.sync(hq_url)
    assert a.balance() == b.balance() == -3000  # head office's figure, not 0
    view = a.service.attach_member(a.member_id())
    assert view.member is not None and view.member.points == -3000
    a.service.detach_member()
    with a.sessions() as session:  # reached through the ledger, by one sync entry
        last = session.scalars(
            select(PointsEntry)
            .where(PointsEntry.member_id == a.member_id())
            .order_by(PointsEntry.id.desc())
        ).first()
        assert last is not None
        assert (last.reason, last.delta, last.balance_after) == (SYNC_REASON, -3000, -3000)
    # Points earned later pay the debt visibly, and reach the other register so.
    with a.sessions.begin() as session:
        entry = points_ledger.post_points(session, a.member_id(), 1000, "earn", NOW)
        assert entry.balance_after == -2000
    a.sync(hq_url)
    b.sync(hq_url)
    assert a.balance() == b.balance() == -2000
    capsys.readouterr()
    database = str(b.engine.url.database)
    assert main(["member", "show", PHONE, "--db", database]) == EXIT_OK
    assert "Points: -2000 · owes 2000 points (redeemed at two stores offline)" in (
        capsys.readouterr().out
    )
