"""``pos import members`` of a big file checks it in parts at once (a child process per
later part): the outcome is the same as in one part, to the row and to the line number.

Files whose names hold quotes, commas and line breaks (quoted cells over several lines),
with bad rows, rows of the wrong length, blank lines, and cards and phones repeated
(within a part and across parts, and on file) are imported in one part and in two; the
reports (every bad row with its line, field, value and message, in file order; the
warnings and counts) and every member stored are the same.
"""

from __future__ import annotations

import csv
import io
import itertools
import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.models import Member
from pos.transfer import member_import
from pos.transfer.import_common import Chunks, FileFormatError, next_csv_record, part_bounds
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.transfer.test_members_import_speed import NOW, TIERS, ZONE
from tests.transfer.test_sales_import_fast import _copies, fresh_store

__all__ = ["fresh_store"]  # the fixture, used by name

HEADER = (*MEMBER_COLUMNS, "referrer")


def card(number: int) -> str:
    body = f"29{number:010d}"
    return body + ean.calc_check_digit(body)


names = st.text(alphabet="张晓明 Li\"，,\n\r'x", min_size=0, max_size=12)


@st.composite
def rows(draw: st.DrawFn) -> list[list[str] | str]:
    """A file's records: members (cards and phones drawn from a few, so some repeat), some
    bad (phone, points, a cell too many), blank lines; names with quotes, commas, breaks."""
    out: list[list[str] | str] = []
    for _row in range(draw(st.integers(1, 16))):
        kind = draw(st.sampled_from(["good", "good", "good", "bad", "short", "blank"]))
        if kind == "blank":
            out.append("")
            continue
        number = draw(st.integers(0, 8))
        row = [
            draw(st.sampled_from(["", card(number), card(number + 1)])),
            draw(st.sampled_from(["12345", "1390000000x"]))
            if kind == "bad"
            else f"1390000{draw(st.integers(0, 9)):04d}",
            draw(names),
            draw(st.sampled_from(["", "m", "f"])),
            "",
            draw(st.sampled_from(["", "silver"])),
            draw(st.sampled_from(["0", "12", "x"])) if kind == "bad" else "3",
            draw(st.sampled_from(["", "2025-01-02"])),
            draw(st.sampled_from(["", card(number + 2)])),
        ]
        out.append(row[:-1] if kind == "short" else row)
    return out


def write(path: Path, records: list[list[str] | str], bom: bool, crlf: bool) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(HEADER)
    for record in records:
        if isinstance(record, str):
            text.write(record + ("\r\n" if crlf else "\n"))
        else:
            writer.writerow(record)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode())
    return path


def run(sessions: sessionmaker[Session], path: Path, skip_bad: bool) -> tuple[Any, ...]:
    with sessions(execution_options={"pos_begin_immediate": True}) as session:
        report = import_members(
            session, path, TIERS, NOW, ZONE, "S001", skip_bad, Chunks(session, 0, 0)
        )
        session.commit()
    return (
        [(e.line, e.field, e.value, e.reason) for e in report.errors],
        report.warnings,
        report.created,
        report.updated,
        report.applied,
    )


def dump(path: Path) -> list[tuple[Any, ...]]:
    """Every member but their random uid, by id."""
    with sqlite3.connect(path) as raw:
        return raw.execute(
            "SELECT id, card_no IS NULL, phone, name, name_initials, gender, tier, tier_floor, "
            "enrolled_at, referrer_id FROM member ORDER BY id"
        ).fetchall()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=rows(), skip_bad=st.booleans(), bom=st.booleans(), crlf=st.booleans())
def test_a_file_checked_in_two_parts_imports_as_in_one(
    fresh_store: Any,
    tmp_path: Path,
    records: list[list[str] | str],
    skip_bad: bool,
    bom: bool,
    crlf: bool,
) -> None:
    path = write(tmp_path / f"members{next(_copies)}.csv", records, bom, crlf)
    stores = [fresh_store(), fresh_store()]
    outcomes = []
    for sessions, (parts, least) in zip(stores, ((1, 1 << 40), (2, 1)), strict=True):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(member_import, "PARTS", parts)
            patch.setattr(member_import, "PART_BYTES", least)
            try:
                outcomes.append(run(sessions, path, skip_bad))
            except FileFormatError as exc:  # a cell not read as CSV: the file refused
                outcomes.append(("refused", str(exc)))
    assert outcomes[0] == outcomes[1]
    one, two = (Path(s.kw["bind"].url.database) for s in stores)
    assert dump(one) == dump(two)


@given(records=rows(), crlf=st.booleans(), parts=st.integers(2, 5))
def test_the_parts_start_at_records_and_cover_the_file(
    records: list[list[str] | str], crlf: bool, parts: int, tmp_path_factory: Any
) -> None:
    """Each part read on its own gives the file's records: none cut inside a quoted cell."""
    path = write(tmp_path_factory.mktemp("p") / "m.csv", records, False, crlf)
    data = path.read_bytes()
    spans = part_bounds(path, parts, 1, 1.0, next_csv_record)
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(end == start for (_s, end), (start, _e) in itertools.pairwise(spans))
    whole = list(csv.reader(io.StringIO(data.decode(), newline="")))
    pieces = [
        record
        for start, end in spans
        for record in csv.reader(io.StringIO(data[start:end].decode(), newline=""))
    ]
    assert pieces == whole


def test_a_bad_row_of_the_second_part_is_named_by_its_line_in_the_file(
    fresh_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line numbers count the lines of quoted cells before the part, as in one part."""
    first = [[card(n), f"1390000{n:04d}", f'"张\n{n}', "", "", "", "1", "", ""] for n in range(40)]
    bad = ["", "12345", "x", "", "", "", "1", "", ""]
    path = write(tmp_path / "m.csv", [*first, bad, ["", "13900009999", "y"]], False, False)
    monkeypatch.setattr(member_import, "PART_BYTES", 1)
    spans = member_import._parts(path)
    assert len(spans) == 2 and spans[1][0] > 0
    assert path.read_bytes().index(b",12345,") > spans[1][0]  # the bad row: in the second
    errors, _warnings, _created, _updated, applied = run(fresh_store(), path, False)
    assert not applied
    assert [(line, field) for line, field, *_rest in errors] == [(82, "phone"), (83, "")]


def test_a_child_that_fails_fails_the_import_and_stores_nothing(
    fresh_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    original = member_import.Stage.add

    def add(stage: member_import.Stage, row: Any) -> None:
        if os.getpid() != parent:
            raise RuntimeError("disk full in the child")
        original(stage, row)

    records: list[list[str] | str] = [
        [card(n), f"1390000{n:04d}", f"李{n}", "", "", "", "1", "", ""] for n in range(20)
    ]
    path = write(tmp_path / "m.csv", records, False, False)
    monkeypatch.setattr(member_import.Stage, "add", add)
    monkeypatch.setattr(member_import, "PART_BYTES", 1)
    sessions = fresh_store()
    with sessions() as session:
        before = session.scalars(select(Member.id)).all()
    with pytest.raises(RuntimeError, match="disk full in the child"):
        run(sessions, path, skip_bad=False)
    assert multiprocessing.active_children() == []
    with sessions() as session:
        assert session.scalars(select(Member.id)).all() == before
