"""The audit log records exports, member data requests, users, enrolments and edits."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.domain.members.members import MemberForm
from pos.domain.staff import audit
from pos.models import AuditEvent
from pos.register.service import RegisterService
from tests.store_keys import store_key

CARD = "2959121000841"  # 黄志强, phone 13794276622


def events(sessions: sessionmaker[Session], action: str) -> list[AuditEvent]:
    with sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def chain_ok(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return audit.verify(session, store_key()).ok


def test_exports_and_member_requests_are_recorded_without_personal_data(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", str(db_path)]
    out = tmp_path / "members.csv"
    assert main(["export", "members", "--format", "csv", "-o", str(out), *db]) == 0
    assert main(["export", "stock", *db]) == 0
    assert main(["export", "sales", "-o", str(tmp_path / "sales.jsonl"), *db]) == 0
    members_rows = len(out.read_text(encoding="utf-8").splitlines()) - 1
    exports = [event.detail for event in events(demo_sessions, "export")]
    assert exports[0] == {"what": "members", "rows": members_rows, "file": "members.csv"}
    assert exports[1]["what"] == "stock" and exports[1]["file"] == "-" and exports[1]["rows"] > 0
    assert exports[2] == {"what": "sales", "rows": 0, "file": "sales.jsonl"}
    assert main(["member", "export", CARD, "-o", str(tmp_path / "me.json"), *db]) == 0
    (exported,) = events(demo_sessions, "member.export")
    assert exported.subject == CARD and exported.detail == {"file": "me.json"}
    assert main(["member", "erase", CARD, *db]) == 2  # not confirmed: nothing recorded
    assert events(demo_sessions, "member.erase") == []
    assert main(["member", "erase", CARD, "--yes", *db]) == 0
    (erased,) = events(demo_sessions, "member.erase")
    assert erased.subject.startswith("X") and CARD not in json.dumps(erased.detail)
    with demo_sessions() as session:
        text = json.dumps([e.detail for e in session.scalars(select(AuditEvent))])
    assert "13794276622" not in text and "黄志强" not in text
    assert chain_ok(demo_sessions)


def test_users_added_and_disabled_are_recorded(
    demo_sessions: sessionmaker[Session], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("482916\n"))
    argv = ["user", "add", "zhang01", "--name", "张药师", "--role", "pharmacist"]
    assert main([*argv, "--db", str(db_path)]) == 0
    assert main(["user", "disable", "zhang01", "--db", str(db_path)]) == 0
    assert main(["user", "disable", "nobody", "--db", str(db_path)]) == 1
    (added,) = events(demo_sessions, "user.add")
    assert added.subject == "zhang01" and added.detail == {"role": "pharmacist"}
    assert "482916" not in json.dumps(added.detail)
    assert [e.subject for e in events(demo_sessions, "user.disable")] == ["zhang01"]
    assert chain_ok(demo_sessions)


def test_enrolment_and_edits_record_the_card_and_field_names(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.login("shouyin01", "1111")
    form = MemberForm(phone="13912345678", name="测试", consent_terms=True)
    cart = register.enrol(form)
    assert cart.member is not None
    card, member_id = cart.member.card_no, cart.member.id
    (enrolled,) = events(demo_sessions, "member.enrol")
    assert enrolled.subject == card and enrolled.actor == "shouyin01"
    assert enrolled.detail == {"fields": ["consent_terms", "name", "phone"]}
    changed = MemberForm(
        phone="13912345678", name="测试", birthday="1980-05-01", consent_terms=True,
        consent_marketing=True,
    )  # fmt: skip
    register.edit_member(member_id, changed)
    register.edit_member(member_id, changed)  # nothing changed: nothing recorded
    (edited,) = events(demo_sessions, "member.edit")
    assert edited.subject == card
    assert edited.detail == {"fields": ["birthday", "consent_marketing"]}
    assert "1980" not in json.dumps(edited.detail)
    assert chain_ok(demo_sessions)
