"""The members import written set-based: repeats found once the file is read are those a
row-at-a-time check finds; payload texts spelled in SQL are the JSON the outbox writes;
ids spelled in SQL are those :meth:`_Uids.next` gives."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members
from pos.models import Member, OutboxItem, PointsEntry
from pos.sync import outbox
from pos.transfer import member_import
from pos.transfer.import_common import chunked
from pos.transfer.member_import import MemberRow, Stage, import_members
from tests.transfer.test_members_import_speed import NOW, TIERS, ZONE, members_file

NOTHING: dict[str, Any] = {}
CARDS = [None, "2900000000001", "2900000000018", "2900000000025"]
PHONES = ["13800000001", "13800000002", "13800000003"]


def sequential(rows: list[tuple[str | None, str]]) -> list[tuple[int, str, str]]:
    """Repeats as the import found them one row at a time (a unique index per column)."""
    cards: dict[str, int] = {}
    phones: dict[str, int] = {}
    found = []
    for line, (card, phone) in enumerate(rows, 2):
        if card is not None and card in cards:
            found.append((line, "card_no", f"card_no {card} already on line {cards[card]}"))
        elif phone in phones:
            masked = phone[:3] + "****" + phone[-4:]
            found.append((line, "phone", f"phone {masked} already on line {phones[phone]}"))
        else:
            if card is not None:
                cards[card] = line
            phones[phone] = line
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CARDS), st.sampled_from(PHONES)), max_size=12))
def test_repeats_found_at_the_end_are_those_found_row_by_row(
    rows: list[tuple[str | None, str]],
) -> None:
    with Stage() as stage:
        for line, (card, phone) in enumerate(rows, 2):
            stage.add(MemberRow(line, card, phone, "张三", "", "", "normal", 0, None))
        repeats = stage.done()
        assert [(line, e.field, str(e)) for line, e in repeats] == sequential(rows)
        assert stage.count() == len(rows) - len(repeats)


@settings(max_examples=300)
@given(st.text())
def test_sql_spells_a_payload_as_the_outbox_does(text: str) -> None:
    texts = outbox.PayloadTexts(
        lambda value: {"a": value("a"), "b": [value("b"), 1], "c": "it's {x}"},
        NOTHING.__getitem__,
        ("a", "b"),
    )
    sql = texts.sql(lambda name: "json_quote(:a)" if name == "a" else ":b")
    raw = sqlite3.connect(":memory:")
    spelled = raw.execute(f"SELECT {sql}", {"a": text, "b": 7}).fetchone()[0]
    raw.close()
    assert spelled == texts.text({"a": text, "b": 7}.__getitem__)
    assert json.loads(spelled) == {"a": text, "b": [7, 1], "c": "it's {x}"}


@given(st.integers(min_value=0, max_value=(1 << 41) + 10**7))
def test_ids_spelled_in_sql_are_those_of_the_counter(count: int) -> None:
    uids = member_import._Uids()
    raw = sqlite3.connect(":memory:")
    spelled = raw.execute(
        f"SELECT {member_import._uid_sql(':count')}", {"count": count, "prefix": uids.prefix}
    ).fetchone()[0]
    raw.close()
    uids._count = count - 1
    expected = uids.next()
    assert spelled[:-8] == expected[:-8] and len(spelled) == 32
    assert uuid.UUID(spelled).version == 7 and uuid.UUID(spelled).hex == spelled


def test_rows_without_a_card_get_one_each_over_many_batches(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(member_import, "_BATCH", 50)
    path = members_file(tmp_path / "members.csv", 700)  # every 7th row has no card: 100
    with chunked(sessions) as (session, chunks):
        report = import_members(session, path, TIERS, NOW, ZONE, "S001", chunks=chunks)
    assert report.errors == [] and report.created == 700
    with sessions() as session:
        cards = list(session.scalars(select(Member.card_no)))
        phones = list(session.scalars(select(Member.phone).order_by(Member.id)))
        entries = session.scalar(select(func.count(PointsEntry.id)))
        kinds = list(session.scalars(select(OutboxItem.kind).order_by(OutboxItem.id)))
    assert len(set(cards)) == 700 and all(members.is_card_no(card) for card in cards)
    assert phones == [f"139{index:08d}" for index in range(700)]  # in file order
    assert entries == sum(1 for index in range(700) if index % 4)
    assert kinds.count("member") == 700 and kinds.count("points") == entries
