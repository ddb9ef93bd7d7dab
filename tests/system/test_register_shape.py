"""The register's shape: a facade composed of collaborators, and one call per scan.

No class in ``pos`` or ``printer`` is assembled from two or more of the project's
classes (mixins); the register's collaborators inherit nothing of ours; a scan
returns everything the screen shows next, so the screen asks the register once.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.register.service import RegisterService
from pos.register.views import ScanOutcome
from tests.domain.suggestions.test_suggestions import pair
from tests.helpers import ROOT, barcode_of, screen_text, type_text

PROJECT = ("pos", "printer")


def project_bases(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """Each class of a module and those of its bases that are the project's own classes."""
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported[alias.asname or alias.name.split(".")[0]] = alias.name
    local = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}

    def ours(name: str) -> bool:
        module = imported.get(name)
        return module is not None and module.split(".")[0] in PROJECT

    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        found = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            root = target
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(target, ast.Name) and (target.id in local or ours(target.id)):
                found.append(target.id)
            elif isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and ours(root.id):
                found.append(ast.unparse(target))
        yield node.name, found


def classes() -> Iterator[tuple[str, str, list[str]]]:
    """(path, class, project bases) of every class in the project's packages."""
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for name, bases in project_bases(tree):
                yield path.relative_to(ROOT).as_posix(), name, bases


def test_the_check_sees_a_mixin_and_a_base_from_another_module() -> None:
    source = (
        "from pos.register.staff.overrides import Overrides\n"
        "import pos.register.sale.safety as safety\n"
        "from textual.screen import Screen\n"
        "class Local: ...\n"
        "class Both(Overrides, safety.Safety, Screen): ...\n"
        "class One(Local, Screen): ...\n"
    )
    found = dict(project_bases(ast.parse(source)))
    assert found == {"Local": [], "Both": ["Overrides", "safety.Safety"], "One": ["Local"]}


def test_no_class_is_assembled_from_two_project_classes() -> None:
    assembled = {(path, name) for path, name, bases in classes() if len(bases) >= 2}
    assert assembled == set()


def test_the_registers_collaborators_inherit_nothing_of_ours() -> None:
    inheriting = {
        (path, name, tuple(bases))
        for path, name, bases in classes()
        if path.startswith("pos/register/") and bases and bases != ["InputError"]
    }
    assert inheriting == set()  # only the errors extend InputError
    assert RegisterService.__bases__ == (object,)
    assert RegisterService.__mro__ == (RegisterService, object)


def test_a_scan_returns_the_cart_with_its_suggestions_warnings_and_expiry(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    pair(demo_sessions, ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"))
    first = register.scan(barcode_of(demo_sessions, "P00001"))
    assert isinstance(first, ScanOutcome)
    assert first.suggestions and first.suggestions == tuple(register.suggestions())
    assert first.warnings == ()
    outcome = register.scan(barcode_of(demo_sessions, "P00008"))  # acetaminophen again
    assert outcome.cart == register.cart()
    assert outcome.warnings and outcome.warnings == tuple(register.warnings())
    assert any(warning.line_index == outcome.cart.last_index for warning in outcome.warnings)
    assert outcome.suggestions == tuple(register.suggestions())
    assert outcome.unsaved is False
    for line in outcome.cart.lines:
        assert outcome.near_expiry(line.next_expiry) == register.near_expiry(line.next_expiry)
    assert outcome.near_expiry(outcome.today) == 0
    assert outcome.near_expiry(None) is None


class Counting:
    """The register, with every method call the screen makes on it written down."""

    def __init__(self, inner: RegisterService) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if not callable(found):
            self.calls.append(name)
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return cast(Callable[..., Any], found)(*args, **kwargs)

        return call


async def test_the_screen_asks_the_register_once_per_scan(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    pair(demo_sessions, ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        counting = Counting(app.register)
        screen.register = cast(RegisterService, counting)
        for sku in ("P00001", "P00008"):
            await type_text(pilot, barcode_of(demo_sessions, sku))
            counting.calls.clear()
            await pilot.press("enter")
            await pilot.pause()
            assert counting.calls == ["scan"], sku
        shown = screen_text(app)
        assert "多补充维生素C有助于恢复" in shown  # the suggestion, from the outcome
        assert "acetaminophen" in shown.lower() or "对乙酰氨基酚" in shown  # the warning


def test_the_register_keeps_no_type_checking_stubs() -> None:
    """No collaborator declares another's methods or state for the type checker."""
    for module in sorted((ROOT / "pos" / "register").rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                stubs = [
                    part for part in node.body if not isinstance(part, ast.Import | ast.ImportFrom)
                ]
                assert stubs == [], module.name


REGISTER_MODULES = sorted(
    ".".join(path.relative_to(ROOT / "pos" / "register").with_suffix("").parts)
    for path in (ROOT / "pos" / "register").rglob("[!_]*.py")
)
"""The register's modules, those of its area folders (sale/, staff/, customers/) too."""


@pytest.mark.parametrize("module", REGISTER_MODULES)
def test_each_register_module_imports_first(module: str) -> None:
    """Imported first in a fresh interpreter (as a command does), no import cycle breaks it."""
    run = subprocess.run(
        [sys.executable, "-c", f"import pos.register.{module}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
