"""Imports at scale: every bad row named, nothing stored unless --skip-bad, the file
streamed, all bad rows in ``--errors FILE``, one progress bar (silent off a terminal)."""

from __future__ import annotations

import csv
import io
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.cli import main
from pos.cli.common import EXIT_FAILED
from pos.cli.progress import Progress
from pos.models import Member, OutboxItem, PointsEntry
from pos.store.db import open_database
from pos.transfer.import_common import MAX_PRINTED_ERRORS, ImportReport, read_rows
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.conftest import NOW
from tests.helpers import empty_config

TIERS = ("normal", "silver", "gold", "platinum")
ZONE = "Asia/Shanghai"
HEADER = ",".join(MEMBER_COLUMNS)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))


def card(index: int) -> str:
    body = f"29{index:010d}"
    return body + ean.calc_check_digit(body)


def phone(index: int) -> str:
    return f"139{index:08d}"


def good(index: int) -> str:
    return f"{card(index)},{phone(index)},王小明,m,1980-05-06,silver,{index % 7},2025-01-02"


BAD_KINDS = (
    lambda i: f"{card(i)},1391234,王小明,m,1980-05-06,silver,1,2025-01-02",  # short phone
    lambda i: f"{card(i)},{phone(i)},王小明,m,1980-05-06,silver,-1,2025-01-02",  # points
    lambda i: f"{card(i)},{phone(i)},,m,1980-05-06,silver,1,2025-01-02",  # no name
    lambda i: f"2900000000000,{phone(i)},王小明,m,1980-05-06,silver,1,2025-01-02",  # card
    lambda i: f"{card(i)},{phone(i)},王小明,m,1980-05-06,iron,1,2025-01-02",  # tier
    lambda i: f"{card(i)},{phone(i)},王小明",  # too few fields
    lambda i: f"{card(0)},{phone(i)},王小明,m,1980-05-06,silver,1,2025-01-02",  # card repeated
)


def members_file(kinds: list[int | None]) -> tuple[bytes, set[int]]:
    """Row 0 is good; then a good row (None) or a bad one of a kind; the bad lines."""
    rows, bad = [good(0)], set()
    for index, kind in enumerate(kinds, 1):
        if kind is None:
            rows.append(good(index))
        else:
            rows.append(BAD_KINDS[kind](index))
            bad.add(index + 2)  # the header is line 1, row 0 line 2
    return ("\n".join((HEADER, *rows)) + "\n").encode(), bad


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count(Member.id))) or 0,
            session.scalar(select(func.count(PointsEntry.id))) or 0,
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.one_of(st.none(), st.integers(0, len(BAD_KINDS) - 1)), max_size=40),
    skip_bad=st.booleans(),
)
def test_exactly_the_bad_lines_are_reported_and_only_the_good_stored(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[int | None], skip_bad: bool
) -> None:
    data, bad = members_file(kinds)
    engine, sessions = open_database(tmp_path_factory.mktemp("db") / "pos.db")
    try:
        with sessions.begin() as session:
            report = import_members(session, data, TIERS, NOW, ZONE, "001", skip_bad)
        assert {error.line for error in report.errors} == bad
        assert len(report.errors) == len(bad)  # each bad line once
        stored, entries = counts(sessions)
        good_rows = 1 + kinds.count(None)
        if bad and not skip_bad:
            assert (stored, entries, report.applied) == (0, 0, False)
        else:
            assert stored == report.created == good_rows
            points = 1 + sum(1 for i, kind in enumerate(kinds, 1) if kind is None and i % 7)
            assert entries == points - 1  # row 0 has 0 points: no entry
    finally:
        engine.dispose()


def test_new_members_are_enrolled_with_ledger_and_outbox(sessions: sessionmaker[Session]) -> None:
    data = ("\n".join((HEADER, good(1), good(2).replace(card(2), ""))) + "\n").encode()
    with sessions.begin() as session:
        report = import_members(session, data, TIERS, NOW, ZONE, "001")
    assert (report.created, report.errors) == (2, [])
    with sessions() as session:
        first, second = session.scalars(select(Member).order_by(Member.id))
        assert first.card_no == card(1) and first.phone_last4 == phone(1)[-4:]
        assert first.name_initials == "wxm" and first.tier == "silver"
        assert second.card_no.startswith("29") and ean.is_valid(second.card_no)
        kinds = list(session.scalars(select(OutboxItem.kind).order_by(OutboxItem.id)))
        assert kinds == ["member", "member", "points", "points"]
        balances = session.execute(select(PointsEntry.member_id, PointsEntry.balance_after))
        assert sorted(balances) == [(first.id, 1), (second.id, 2)]


def test_the_reader_streams_a_file(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(("\n".join((HEADER, *(good(i) for i in range(50_000)))) + "\n").encode())
    bound = 2_000_000  # bytes; the file is about 4 MB, its rows as dicts some 40 MB

    def peak(read: Callable[[], None]) -> int:
        tracemalloc.start()
        try:
            read()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def streamed() -> None:
        for _line, _row in read_rows(path, MEMBER_COLUMNS, ImportReport()):
            pass

    def listed() -> None:
        list(read_rows(path, MEMBER_COLUMNS, ImportReport()))

    assert peak(streamed) < bound < peak(listed)  # the bound tells them apart


def test_errors_file_and_first_hundred_printed(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kinds: list[int | None] = [0] * 150 + [None]
    data, bad = members_file(kinds)
    path = tmp_path / "members.csv"
    path.write_bytes(data)
    errors = tmp_path / "errors.csv"

    code = main(["import", "members", str(path), "--db", str(db_path), "--errors", str(errors)])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("A mobile number has 11 digits") == MAX_PRINTED_ERRORS
    assert "… and 50 more bad rows (all of them: --errors FILE)" in err
    assert "Nothing imported: 150 bad row(s)" in err
    with errors.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["line", "field", "value", "message"]
    assert {int(row[0]) for row in rows[1:]} == bad
    assert all(row[1:3] == ["phone", "****"] for row in rows[1:])  # personal data masked
    with open_database(db_path)[1]() as session:
        assert session.scalar(select(func.count(Member.id))) == 0


def test_errors_file_masks_a_repeated_phone(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    repeat = good(2).replace(phone(2), phone(1))
    path.write_bytes(("\n".join((HEADER, good(1), repeat)) + "\n").encode())
    errors = tmp_path / "errors.csv"

    main(["import", "members", str(path), "--db", str(db_path), "--errors", str(errors)])

    with errors.open(encoding="utf-8-sig", newline="") as file:
        (_header, row) = list(csv.reader(file))
    masked = phone(1)[:3] + "****" + phone(1)[-4:]
    assert row == ["3", "phone", masked, f"phone {masked} already on line 2"]


def test_progress_is_silent_off_a_terminal() -> None:
    out = io.StringIO()
    with Progress(console=Console(file=out)) as progress:
        progress.start("Importing", 10)
        progress.advance(5)
        progress.show("Importing", 10, 10)
    assert out.getvalue() == "" and not progress.drawn


def test_progress_draws_rows_rate_and_time_left_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with Progress(unit="rows", console=console) as progress:
        progress.start("Importing", 1000)
        progress.advance(400)
        progress.advance(600)
    drawn = out.getvalue()
    assert "Importing" in drawn and "1000/1000" in drawn and "rows/s" in drawn
