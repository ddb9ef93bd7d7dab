"""The members import's fast paths give exactly what the general ones give: plain mobiles,
card check digits, pinyin initials, the rows and outbox payloads written in bulk, and
chunks that hold the lock longer only while no one else writes."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.domain.catalogue import pinyin
from pos.domain.members import members
from pos.domain.sales.codes import InputError
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import outbox
from pos.transfer import member_import
from pos.transfer.import_common import Chunks, chunked
from pos.transfer.member_import import MEMBER_COLUMNS, import_members

TIERS = ("normal", "silver", "gold", "platinum")
ZONE = "Asia/Shanghai"
NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


def normalized(text: str) -> str | None:
    try:
        return members.normalize_phone(text)
    except InputError:
        return None


def fast(text: str) -> str | None:
    try:
        return member_import._phone(text)
    except InputError:
        return None


def test_every_mobile_prefix_is_judged_as_the_numbering_plan_does() -> None:
    """The plan decides by the first five digits at most: each of them, with two endings."""
    for prefix in range(10_000, 20_000):
        for ending in ("000000", "987654"):
            text = f"{prefix}{ending}"
            assert fast(text) == normalized(text), text


@given(st.text(alphabet="0123456789 -+（）()１３８", min_size=0, max_size=16))
def test_any_phone_text_gives_the_same_number_or_message(text: str) -> None:
    try:
        expected: str | None = members.normalize_phone(text)
        message = ""
    except InputError as exc:
        expected, message = None, str(exc)
    try:
        assert member_import._phone(text) == expected
    except InputError as exc:
        assert expected is None and str(exc) == message


@given(st.text(alphabet="0123456789２９", min_size=11, max_size=14), st.booleans())
def test_card_numbers_are_checked_as_the_members_rule_does(body: str, check: bool) -> None:
    code = body
    if check and body.isascii() and body.isdigit() and len(body) == 12:
        code = "29" + body[2:] + ean.calc_check_digit("29" + body[2:])
    assert member_import._is_card_no(code) == members.is_card_no(code)


NAME_CHARS = (
    "张王李赵刘陈杨黄吴周曾单解朴区仇长重乐查华行覃晓明红军伟芳娜秀英敏静丽强磊洋艳勇杰娟涛"
    "超霞平刚桂英·AbZ 1"
)


@settings(max_examples=400)
@given(st.text(alphabet=NAME_CHARS, min_size=1, max_size=6))
def test_initials_are_those_of_the_whole_name(name: str) -> None:
    member_import._initials.cache_clear()
    assert member_import._initials(name) == pinyin.initials(name)


@pytest.mark.parametrize("name", ["长江", "重庆", "曾经", "单于", "银行", "音乐", "王小明", "华晓"])
def test_a_phrase_in_a_name_is_read_as_the_phrase(name: str) -> None:
    assert member_import._initials(name) == pinyin.initials(name)


def members_file(path: Path, rows: int) -> Path:
    lines = [",".join((*MEMBER_COLUMNS, "health_consent", "allergies", "tier_until"))]
    for index in range(rows):
        body = f"29{index:010d}"
        card = body + ean.calc_check_digit(body) if index % 7 else ""
        health = ("yes", "青霉素|花粉") if index % 5 == 0 else ("", "")
        tier, until = ("gold", "2026-12-31") if index % 3 == 0 else ("", "")
        lines.append(
            ",".join(
                (card, f"139{index:08d}", "张晓明" if index % 2 else f"Li {index}",
                 "mf"[index % 2] if index % 4 else "", "1980-02-29" if index % 6 else "",
                 tier, str(index % 4), f"2025-01-0{1 + index % 9}" if index % 8 else "",
                 *health, until)
            )
        )  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def items_as_the_orm_would_write(sessions: sessionmaker[Session]) -> tuple[set[Any], set[Any]]:
    """The outbox items stored, and those the ORM would write for the members stored."""
    with sessions() as session:
        stored = {
            (item.kind, item.key, item.payload) for item in session.scalars(select(OutboxItem))
        }
        expected = set()
        for member in session.scalars(select(Member)):
            payload = outbox.member_payload(member, None)
            assert payload is not None
            expected.add(("member", member.uid, outbox.payload_text(payload)))
            assert member.name_initials == pinyin.initials(member.name or "")
            assert member.visits == 0 and member.consent_follow_up  # the columns' defaults
        for entry in session.scalars(select(PointsEntry)):
            member = session.get_one(Member, entry.member_id)
            values = {
                "member_uid": member.uid, "delta": entry.delta, "reason": entry.reason,
                "sale_number": None, "created_at": entry.created_at,
            }  # fmt: skip
            text = outbox.payload_text(outbox.points_payload(values.__getitem__))
            expected.add(("points", member.uid, text))
    return stored, expected


def test_bulk_rows_and_payloads_are_what_the_orm_would_write(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = members_file(tmp_path / "members.csv", 2_500)
    with chunked(sessions) as (session, chunks):
        report = import_members(session, path, TIERS, NOW, ZONE, "S001", chunks=chunks)
    assert report.errors == [] and report.created == 2_500
    stored, expected = items_as_the_orm_would_write(sessions)
    assert stored == expected
    # every value as SQLAlchemy itself stores it: written again by Core, nothing moves
    raw = sqlite3.connect(sessions.kw["bind"].url.database)
    before = raw.execute("SELECT * FROM member ORDER BY id").fetchall()
    with sessions() as session:
        table = Member.__table__
        for columns in session.execute(select(table)).mappings().all():
            session.execute(update(Member).where(Member.id == columns["id"]).values(**columns))
        session.commit()
    after = raw.execute("SELECT * FROM member ORDER BY id").fetchall()
    raw.close()
    assert after == before


def test_chunks_grow_while_no_one_else_writes(sessions: sessionmaker[Session]) -> None:
    now = [0.0]
    with chunked(sessions) as (session, _chunks):
        chunks = Chunks(session, seconds=0.1, pause=0, clock=lambda: now[0])
        chunks.stretch(0.5)
        held: list[float] = []
        for _chunk in range(5):
            since = now[0]
            while chunks.commits == len(held):
                now[0] += 0.01
                chunks.checkpoint()
            held.append(round(now[0] - since, 2))
        # the first commit has nothing to compare with: the second chunk is short too
        assert held == pytest.approx([0.1, 0.1, 0.2, 0.4, 0.5], abs=0.011)
        session.commit()  # as in the pause after a commit: the lock is free
        other = sqlite3.connect(sessions.kw["bind"].url.database)  # a register writes:
        other.execute("CREATE TABLE scratch (x)")  # back to short chunks
        other.commit()
        other.close()
        since = now[0]
        while chunks.commits == 5:
            now[0] += 0.01
            chunks.checkpoint()
        assert now[0] - since == pytest.approx(0.5, abs=0.011)  # the one under way was long
        since = now[0]
        while chunks.commits == 6:
            now[0] += 0.01
            chunks.checkpoint()
        assert now[0] - since == pytest.approx(0.1, abs=0.011)


def test_the_page_cache_is_as_it_was_after_an_import(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = members_file(tmp_path / "members.csv", 30)
    with chunked(sessions) as (session, chunks):
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        import_members(session, path, TIERS, NOW, ZONE, chunks=chunks)
        after = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    assert after == before and before != -member_import._CACHE_KB


def test_the_log_is_checkpointed_less_often_only_while_an_import_writes(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = members_file(tmp_path / "members.csv", 30)
    seen: list[int] = []
    create = member_import._Writer.create

    def spy(
        writer: member_import._Writer, first: int, last: int, ahead: member_import._Ahead
    ) -> int:
        pages = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        seen.append(int(pages or 0))
        return create(writer, first, last, ahead)

    monkeypatch.setattr(member_import._Writer, "create", spy)
    with chunked(sessions) as (session, chunks):
        before = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        import_members(session, path, TIERS, NOW, ZONE, chunks=chunks)
        after = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert seen and set(seen) == {member_import._WAL_PAGES}
    assert after == before == 1000


def test_the_uids_of_an_import_are_uuid7_in_increasing_order_and_unique(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = members_file(tmp_path / "members.csv", 60)
    with chunked(sessions) as (session, chunks):
        import_members(session, path, TIERS, NOW, ZONE, chunks=chunks)
    with sessions() as session:
        members_uids = list(session.scalars(select(Member.uid).order_by(Member.id)))
        items = list(session.scalars(select(OutboxItem.uid).order_by(OutboxItem.id)))
    for uids in (members_uids, items):
        assert uids == sorted(uids) and len(set(uids)) == len(uids) >= 60
        assert {uuid.UUID(uid).version for uid in uids} == {7}
        assert all(len(uid) == 32 and uid == uuid.UUID(uid).hex for uid in uids)


def test_items_spelled_ahead_in_many_files_are_those_the_orm_would_write(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A look-ahead file per batch, a commit after each: every member's uid and items are
    spelled once and read whole; each file is removed once the writer has gone past it,
    and the look-ahead stays at most two files ahead."""
    monkeypatch.setattr(member_import, "_AHEAD_GROUP", 1)
    monkeypatch.setattr(member_import, "_AHEAD_FILES", 2)
    monkeypatch.setattr(member_import, "_BATCH", 40)
    path = members_file(tmp_path / "members.csv", 500)
    passed: list[bool] = []
    files: list[int] = []
    detach = member_import._Ahead.detach

    def spied(ahead: member_import._Ahead) -> None:
        detach(ahead)
        passed.append(not any(ahead._path(group).exists() for group in range(ahead._reading)))
        files.append(len(list(ahead._path(0).parent.glob("ahead-*.db"))))

    monkeypatch.setattr(member_import._Ahead, "detach", spied)
    with chunked(sessions) as (session, _chunks):
        chunks = Chunks(session, seconds=0, pause=0)
        report = import_members(session, path, TIERS, NOW, ZONE, "S001", chunks=chunks)
    assert report.errors == [] and report.created == 500
    stored, expected = items_as_the_orm_would_write(sessions)
    assert stored == expected and len(stored) == 500 + 375  # a quarter have no points
    assert len(passed) >= 13 and all(passed)  # after each commit, no file passed is left
    assert max(files) <= 2


def test_a_look_ahead_that_fails_fails_the_import(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(member_import, "_AHEAD_GROUP", 1)
    monkeypatch.setattr(member_import, "_BATCH", 40)
    spell = member_import._Ahead._spell

    def failing(ahead: member_import._Ahead, db: Any, group: int, batches: Any) -> None:
        if group == 3:
            raise sqlite3.OperationalError("disk I/O error")
        spell(ahead, db, group, batches)

    monkeypatch.setattr(member_import._Ahead, "_spell", failing)
    path = members_file(tmp_path / "members.csv", 500)
    before = member_count(sessions)
    with (
        pytest.raises(RuntimeError, match="look-ahead failed") as failed,
        chunked(sessions) as (session, _chunks),
    ):
        import_members(session, path, TIERS, NOW, ZONE, chunks=Chunks(session, 0, 0))
    assert isinstance(failed.value.__cause__, sqlite3.OperationalError)
    assert not [t for t in threading.enumerate() if t.name == "pos-import-ahead"]
    written = member_count(sessions) - before  # the chunks committed before it stay, as
    assert written % 40 == 0 and written <= 3 * 40  # after any failure of a chunked import


def member_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Member)) or 0)
