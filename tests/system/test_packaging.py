"""The hand-written package list in pyproject.toml names every package of the source tree."""

from __future__ import annotations

import tomllib

from tests.helpers import ROOT


def test_every_package_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("pos", "printer")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert listed == found | {"pos.demo"}  # pos.demo is data/, mapped in package-dir
