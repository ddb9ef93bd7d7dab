"""``pos`` parses its command line with the parser of the command named (the whole tree of
80 parsers only for help, the version or a mistake): whatever the words, it gives what the
whole parser gives — the same values, the same help, the same error and exit code."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.cli import COMMANDS, build_parser, command_named, parse_args

WORDS = (
    *(command.NAME for command in COMMANDS),
    *("members", "products", "sales", "show", "list", "add", "rebuild", "generate", "x"),
    *("--db", "--db=a.db", "--config", "--config=c.toml", "--printer", "none", "--printer=none"),
    *("--d", "--con", "--pr", "--p", "--v", "--h", "--", "-", "-h", "--help", "--version"),
    *("--file", "--skip-bad", "--errors", "--limit", "5", "a.csv", "13800000000", "--bogus"),
)


def _outcome(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, ...]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return ("parsed", vars(parser.parse_args(argv)), out.getvalue(), err.getvalue())
        except SystemExit as exc:
            return ("exit", exc.code, out.getvalue(), err.getvalue())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=6))
def test_the_named_commands_parser_parses_as_the_whole_one(argv: list[str]) -> None:
    named = command_named(argv)
    assert _outcome(build_parser(named), argv) == _outcome(build_parser(), argv)


def test_a_command_line_naming_its_command_builds_that_command_alone() -> None:
    assert command_named([]) == "run"
    assert command_named(["--db", "x.db"]) == "run"
    assert command_named(["--db=x.db", "--printer", "none", "run"]) == "run"
    assert command_named(["--d", "x.db", "import", "members", "m.csv"]) == "import"
    for unclear in (["-h"], ["--version"], ["--v"], ["--bogus"], ["--db"], ["imp"], ["--"]):
        assert command_named(unclear) is None
    only = build_parser("run")
    subparsers = next(a for a in only._actions if isinstance(a, argparse._SubParsersAction))
    assert list(subparsers.choices) == ["run"]


def test_parse_args_reads_the_command_line_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["pos", "--db", "s.db", "backup"])
    args = parse_args()
    assert (args.command, args.db) == ("backup", "s.db")
