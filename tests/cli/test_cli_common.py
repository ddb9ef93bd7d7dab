"""``pos.cli.common``: the helpers every command shares, and the shape of ``pos.cli``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pos.cli
from pos.cli.common import parse_day, parse_since, start_of_day

CLI = Path(pos.cli.__file__).parent
SHANGHAI = "Asia/Shanghai"


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_a_day_is_its_start_in_the_store(day: date) -> None:
    text = day.isoformat()
    assert parse_day(text) == day
    assert parse_since(text, SHANGHAI) == start_of_day(day, SHANGHAI)
    assert start_of_day(day, SHANGHAI).tzinfo == ZoneInfo(SHANGHAI)


@pytest.mark.parametrize(
    "text", ["", "2026-3-10", "2026-02-30", "20260310", "yesterday", "2026-03-10x"]
)
def test_not_a_day(text: str) -> None:
    assert parse_day(text) is None


def test_since_a_time() -> None:
    assert parse_since("2026-03-10T08:00:00Z", SHANGHAI) == datetime(2026, 3, 10, 8, tzinfo=UTC)
    assert parse_since("2026-03-10T08:00", SHANGHAI) == datetime(2026, 3, 10, 8, tzinfo=UTC)
    eight = timezone(timedelta(hours=8))
    assert parse_since("2026-03-10T08:00+08:00", SHANGHAI) == datetime(2026, 3, 10, 8, tzinfo=eight)
    assert parse_since("2026-02-30", SHANGHAI) is None
    assert parse_since("not a time", SHANGHAI) is None


def test_every_command_module_is_listed_once() -> None:
    modules = {path.stem for path in CLI.rglob("*.py")} - {"__init__", "common", "progress"}
    assert sorted(
        command.run.__module__.rsplit(".", 1)[1] for command in pos.cli.COMMANDS
    ) == sorted(modules)
    names = [command.NAME for command in pos.cli.COMMANDS]
    assert len(set(names)) == len(names)


def test_no_private_argparse_api_and_one_no_database_message() -> None:
    for path in CLI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\._actions|argparse\._|_SubParsersAction", text), path
        if path.name != "common.py":
            assert '_("No database at' not in text, path
