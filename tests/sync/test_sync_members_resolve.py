"""A manager marks a member conflict resolved (``pos hq members resolve``): audited at head
office, the chosen value reaching every register through the pull (real PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK
from pos.domain.members.members import MemberForm
from pos.models import HqMemberConflict, Member
from tests.sync.test_sync_push_members import OLD_PHONE, REUSED, Till, at_hq, tills

__all__ = ["tills"]  # the fixture, shared with the members tests


def conflict_row(hq_url: str) -> HqMemberConflict:
    engine, hq = at_hq(hq_url)
    with hq:
        [row] = hq.scalars(select(HqMemberConflict)).all()
    engine.dispose()
    return row


def test_a_manager_applies_the_value_that_lost_and_every_register_gets_it(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    local_a = a.enrol(OLD_PHONE, "王五")
    a.sync(hq_url)
    b.sync(hq_url)
    with b.sessions() as session:
        local_b = session.scalars(select(Member.id).where(Member.phone == OLD_PHONE)).one()
    b.service.edit_member(local_b, MemberForm(OLD_PHONE, "王五一", consent_terms=True))
    a.service.edit_member(local_a, MemberForm(OLD_PHONE, "王五二", consent_terms=True))
    b.sync(hq_url)
    a.sync(hq_url)  # A's edit arrives last: it wins, B's value is the conflict
    conflict = conflict_row(hq_url)
    url = ["--url", hq_url]
    with pytest.raises(SystemExit) as usage:  # who resolves it is required
        main(["hq", "members", "resolve", str(conflict.id), "--keep", "theirs", *url])
    assert usage.value.code == 2
    assert main(["hq", "members", "resolve", "999", "--by", "dianzhang", *url]) == EXIT_FAILED
    assert "No member conflict #999" in capsys.readouterr().err
    command = ["hq", "members", "resolve", str(conflict.id), "--keep", "theirs"]
    assert main([*command, "--by", "dianzhang", *url]) == EXIT_OK
    assert "takes the value that lost" in capsys.readouterr().out
    assert main([*command, "--by", "dianzhang", *url]) == EXIT_FAILED
    assert "already resolved" in capsys.readouterr().err
    row = conflict_row(hq_url)
    assert (row.resolved_by, row.resolution) == ("dianzhang", "theirs")
    assert row.resolved_at is not None
    a.sync(hq_url)
    b.sync(hq_url)
    assert a.member(local_a).name == b.member(local_b).name == "王五一"
    # Resolved ones are listed only with --all, with who resolved them.
    assert main(["hq", "members", "conflicts", *url]) == EXIT_OK
    assert "No member conflicts" in capsys.readouterr().out
    assert main(["hq", "members", "conflicts", "--all", *url]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"#{row.id} " in out and "by dianzhang: the lost value applied" in out


def test_a_phone_another_member_holds_is_not_applied_and_mine_resolves(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    zhang = a.enrol(OLD_PHONE, "张三")
    a.sync(hq_url)
    b.sync(hq_url)
    a.service.edit_member(zhang, MemberForm(REUSED, "张三", consent_terms=True))
    b.enrol(REUSED, "李四")
    b.sync(hq_url)
    a.sync(hq_url)  # 张三's new phone is 李四's at head office: a conflict
    conflict = conflict_row(hq_url)
    url = ["--url", hq_url]
    command = ["hq", "members", "resolve", str(conflict.id)]
    assert main([*command, "--keep", "theirs", "--by", "dianzhang", *url]) == EXIT_FAILED
    assert "change that member's phone first" in capsys.readouterr().err
    assert conflict_row(hq_url).resolved_at is None  # nothing changed
    assert main([*command, "--by", "dianzhang", *url]) == EXIT_OK
    row = conflict_row(hq_url)
    assert (row.resolved_by, row.resolution) == ("dianzhang", "mine")
    assert a.member(zhang).phone == OLD_PHONE
