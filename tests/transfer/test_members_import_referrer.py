"""The members CSV's optional ``referrer`` column: checked, linked after the rows, round trip."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members
from pos.models import Member
from pos.transfer.exports import export_members_csv
from pos.transfer.imports import ImportReport
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.conftest import NOW
from tests.transfer.test_members_io import SEGMENTS, TIERS, card

ZONE = "Asia/Shanghai"
HEADER = ",".join((*MEMBER_COLUMNS, "referrer"))
A, B, C = card("290000000011"), card("290000000022"), card("290000000033")


def row(card_no: str, phone: str, referrer: str = "") -> str:
    return f"{card_no},{phone},王小明,m,1980-05-06,normal,0,2025-01-02,{referrer}"


def run(sessions: sessionmaker[Session], *rows: str, skip_bad: bool = False) -> ImportReport:
    data = ("\n".join((HEADER, *rows)) + "\n").encode()
    with sessions.begin() as session:
        return import_members(session, data, TIERS, NOW, ZONE, "001", skip_bad)


def referrer_of(sessions: sessionmaker[Session], card_no: str) -> str | None:
    with sessions() as session:
        member = members.by_card(session, card_no)
        assert member is not None
        if member.referrer_id is None:
            return None
        return session.get_one(Member, member.referrer_id).card_no


def count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(list(session.scalars(select(Member.id))))


def test_a_referrer_later_in_the_same_file_and_one_on_file(
    sessions: sessionmaker[Session],
) -> None:
    report = run(sessions, row(A, "13912340001"))
    assert report.errors == []
    report = run(
        sessions,
        row(B, "13912340002", referrer=C),  # C is further down the file
        row(C, "13912340003", referrer=A),  # A is on file
        row("", "13912340004", referrer=B),  # a new card is issued to this one
    )
    assert (report.created, report.errors) == (3, [])
    assert referrer_of(sessions, B) == C
    assert referrer_of(sessions, C) == A
    with sessions() as session:
        fourth = session.scalar(select(Member).where(Member.phone == "13912340004"))
        assert fourth is not None and fourth.referrer_id is not None
        assert session.get_one(Member, fourth.referrer_id).card_no == B
        # an imported referral is not credited for purchases made before the import
        assert fourth.referral_credited_at is not None


def test_an_unknown_referrer_or_the_own_card_is_a_bad_row_and_nothing_changes(
    sessions: sessionmaker[Session],
) -> None:
    report = run(
        sessions,
        row(A, "13912340001"),
        row(B, "13912340002", referrer=card("290000000099")),
        row(C, "13912340003", referrer=C),
        row(card("290000000044"), "13912340005", referrer="12345"),
    )
    assert report.applied is False
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "referrer"),
        (4, "referrer"),
        (5, "referrer"),
    ]
    assert "not a member on file or in this file" in report.errors[0].reason
    assert "own card" in report.errors[1].reason
    assert count(sessions) == 0


def test_skip_bad_leaves_out_a_row_whose_referrer_was_left_out(
    sessions: sessionmaker[Session],
) -> None:
    report = run(
        sessions,
        row(A, "13912340001"),
        row(B, "13912340001"),  # the same phone: bad
        row(C, "13912340003", referrer=B),  # its referrer is left out, so it is too
        skip_bad=True,
    )
    assert [(e.line, e.field) for e in report.errors] == [(3, "phone"), (4, "referrer")]
    assert report.created == 1
    assert count(sessions) == 1


def test_a_member_on_file_keeps_their_referrer(sessions: sessionmaker[Session]) -> None:
    run(sessions, row(A, "13912340001"), row(B, "13912340002"), row(C, "13912340003", A))
    report = run(sessions, row(C, "13912340003", referrer=B))
    assert [(e.line, e.field) for e in report.errors] == [(2, "referrer")]
    assert referrer_of(sessions, C) == A
    report = run(sessions, row(C, "13912340003", referrer=A))  # the same: fine
    assert (report.updated, report.errors) == (1, [])


def test_the_export_reimports_with_its_referrers(sessions: sessionmaker[Session]) -> None:
    run(sessions, row(A, "13912340001"), row(B, "13912340002", referrer=A))
    with sessions() as session:
        text = "".join(export_members_csv(session, SEGMENTS))
    header, *rows = csv.reader(io.StringIO(text))
    assert header[-2:] == ["referrer", "segment"]
    assert [r[-2] for r in rows] == ["", A]
    with sessions.begin() as session:
        report = import_members(session, text.encode(), TIERS, NOW, ZONE, "001")
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    assert not any("referrer" in w or "segment" in w for w in report.warnings)
    assert referrer_of(sessions, B) == A
