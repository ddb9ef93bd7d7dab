"""Every configuration error is one line naming the key and where it came from; exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos.cli import main
from pos.cli.common import EXIT_USAGE
from pos.config import load_settings


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line ``pos`` wrote to stderr (no traceback, no second line)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def export(tmp_path: Path, *options: str) -> int:
    return main(["export", "stock", "--db", str(tmp_path / "pos.db"), *options])


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("POS_STORE", "{not json", "store"),
        ("POS_LOYALTY__TIERS", "[{", "loyalty.tiers"),
        ("POS_PHARMACY__RESTRICTED_LIMITS", '{"ephedrine": ', "pharmacy.restricted_limits"),
    ],
)
def test_an_environment_variable_that_is_not_json_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    key: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert export(tmp_path) == EXIT_USAGE
    line = one_error(capsys)
    assert f"environment {variable}: {key}: not valid JSON" in line


def test_a_bad_value_inside_an_environment_list_names_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_LOYALTY__TIERS", '[{"name": "normal", "min_spend": "lots"}]')
    assert export(tmp_path) == EXIT_USAGE
    assert "environment POS_LOYALTY__TIERS: loyalty.tiers.0.min_spend:" in one_error(capsys)


def test_the_real_command_prints_no_traceback(tmp_path: Path) -> None:
    environment = os.environ | {"POS_STORE": "{not json"}
    done = subprocess.run(
        [sys.executable, "-m", "pos", "export", "stock", "--db", str(tmp_path / "pos.db")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "POS_STORE" in done.stderr


def test_pos_config_naming_a_missing_file_exits_2_like_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = tmp_path / "absent.toml"
    monkeypatch.setenv("POS_CONFIG", str(absent))
    assert export(tmp_path) == EXIT_USAGE
    line = one_error(capsys)
    assert str(absent) in line and "not found" in line and "POS_CONFIG" in line
    assert not (tmp_path / "pos.db").exists()


def test_a_list_value_in_the_file_is_blamed_on_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pos.toml"
    config.write_text(
        '[[loyalty.tiers]]\nname = "normal"\nmin_spend = "lots"\n[printer]\nfooter = ["谢谢", 3]\n',
        "utf-8",
    )
    assert export(tmp_path, "--config", str(config)) == EXIT_USAGE
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err  # one line per problem
    assert f"{config}: loyalty.tiers.0.min_spend:" in err
    assert f"{config}: printer.footer.1:" in err
    assert "environment" not in err


def test_a_table_missing_a_key_in_a_file_list_is_blamed_on_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pos.toml"
    config.write_text('[[loyalty.tiers]]\nname = "normal"\n', "utf-8")
    assert export(tmp_path, "--config", str(config)) == EXIT_USAGE
    assert f"{config}: loyalty.tiers.0.min_spend: Field required" in one_error(capsys)


def test_a_toml_file_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    config = tmp_path / "pos.toml"
    config.write_bytes('\ufeff[store]\nname = "BOM 大药房"\n'.encode())
    assert load_settings(config).store.name == "BOM 大药房"


def test_the_environment_wins_over_the_file_and_is_blamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "pos.toml"
    config.write_text("[printer]\npaper_width = 80\n", "utf-8")
    monkeypatch.setenv("POS_PRINTER__PAPER_WIDTH", "70")
    assert export(tmp_path, "--config", str(config)) == EXIT_USAGE
    assert "environment POS_PRINTER__PAPER_WIDTH: printer.paper_width:" in one_error(capsys)
