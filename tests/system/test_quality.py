"""House tooling, run by the same test command: ruff, mypy (strict), import-linter."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint() -> None:
    result = run(sys.executable, "-m", "ruff", "check", "pos", "printer", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(sys.executable, "-m", "ruff", "format", "--check", "pos", "printer", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layer_contracts() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.fail("lint-imports is not installed: python -m pip install -e '.[test]'")
    result = run(lint_imports)
    assert result.returncode == 0, result.stdout + result.stderr


def test_screens_and_widgets_show_text_as_text() -> None:
    """Text from input or data is never read as markup: every screen and widget takes
    Label, Static and DataTable from pos.app.widgets.plain, not from Textual directly."""
    offenders = []
    front_end = sorted(ROOT.glob("pos/app/**/*.py"))
    assert len(front_end) > 40, "the front end moved: look for it again"
    for path in front_end:
        if path.name == "plain.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("from textual.widgets import") and any(
                name in line.split("import", 1)[1].replace(",", " ").split()
                for name in ("Label", "Static", "DataTable")
            ):
                offenders.append(f"{path.relative_to(ROOT)}: {line}")
    assert not offenders, "import these from pos.app.widgets.plain:\n" + "\n".join(offenders)
