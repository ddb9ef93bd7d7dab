"""The help text of ``pos`` and of every command and subcommand, kept as golden files.

Every option, help line and the order of the commands are a contract (README). After an
intended change to the command line, regenerate the files and review their diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli/test_cli_help.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pos.cli import main
from tests.helpers import TESTS

GOLDEN = TESTS / "golden" / "cli_help"

SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "run": (),
    "init": (),
    "import": ("products", "stock", "members", "guidance", "promotions", "pairings", "sales"),
    "export": ("sales", "stock", "quarantine", "members", "adr"),
    "member": ("show", "export", "erase"),
    "followup": ("list", "done", "plan"),
    "user": ("add", "list", "disable", "pin"),
    "complaint": ("add", "list", "show", "handle", "close"),
    "adr": ("add", "list"),
    "audit": ("verify", "list"),
    "quarantine": ("list", "release", "destroy"),
    "suggestions": ("rebuild",),
    "report": ("suggestions", "daily", "range", "restricted", "service"),
    "shift": ("open", "cash-in", "cash-out", "x", "close"),
    "backup": (),
    "restore": (),
    "bench": ("generate", "run"),
    "sync": (),
    "hq": ("init", "publish", "registers", "report", "members", "grant"),
    "printer": ("test",),
    "reprint": (),
}
"""Every command of ``pos``, in the order ``pos --help`` lists them, and its subcommands."""

PATHS: list[tuple[str, ...]] = [()]
for _command, _whats in SUBCOMMANDS.items():
    PATHS.append((_command,))
    PATHS.extend((_command, what) for what in _whats)
PATHS.append(("hq", "report", "negative-balances"))  # the third levels
PATHS.extend(("hq", "members", what) for what in ("conflicts", "merge", "unmerge", "resolve"))


def _help(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def _golden(path: tuple[str, ...]) -> Path:
    return GOLDEN / ("-".join(("pos", *path)) + ".txt")


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(("pos", *path)))
def test_help_is_unchanged(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to the terminal's width
    text = _help(path, capsys)
    golden = _golden(path)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_every_command_is_covered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new command or subcommand needs a golden file: the lists above are complete."""
    monkeypatch.setenv("COLUMNS", "100")
    with_subcommands = [(command,) for command, whats in SUBCOMMANDS.items() if whats]
    for path in [(), *with_subcommands]:
        with pytest.raises(SystemExit):
            main([*path, "no-such-command"])
        error = capsys.readouterr().err
        expected = tuple(SUBCOMMANDS) if not path else SUBCOMMANDS[path[0]]
        choices = error.split("(choose from ", 1)[1].split(")", 1)[0]
        assert tuple(name.strip(" '\n") for name in choices.split(",")) == expected
    assert sorted(file.name for file in GOLDEN.glob("*.txt")) == sorted(
        _golden(path).name for path in PATHS
    )
