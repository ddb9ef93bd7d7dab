"""The front end's one door: pos.app imports only the register facade and the program's plumbing.

import-linter (tests/test_quality.py) forbids the layers below; this test names what is allowed,
so a new top-level module the screens start importing is caught too.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

import pos.app
from pos.app import PosApp
from pos.app.modals.returns import ReturnModal
from pos.domain.returns.returns import plan_refund
from pos.domain.sales.tendering import tender_name
from pos.money import format_fen
from tests.domain.returns.test_returns import sell
from tests.frontend.test_checkout_ui import SIZE, scan
from tests.helpers import barcode_of, screen_text, type_text

APP = Path(pos.app.__file__).parent
ROOT = APP.parent.parent

ALLOWED = (
    "pos.app",
    "pos.register",
    "pos.i18n",
    "pos.names",
    "pos.config",
    "pos.crash_report",
    "pos.startup",  # the collector kept out of the way while the register is built
    "printer",
)
"""What pos.app may import of the project (README "Layout"); printer/ is a standalone library."""


def project_imports(path: Path) -> list[str]:
    """The modules of ``pos`` or ``printer`` that the file at ``path`` imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name.split(".")[0] in ("pos", "printer")]


def allowed(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in ALLOWED)


def test_the_front_end_imports_only_the_register_facade() -> None:
    files = sorted(APP.rglob("*.py"))
    assert len(files) > 40, "the front end moved: look for it again"
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in project_imports(path)
        if not allowed(module)
    ]
    assert offenders == []


def test_the_check_catches_a_domain_import(tmp_path: Path) -> None:
    source = tmp_path / "screen.py"
    source.write_text("from pos.domain.sales.codes import InputError\nimport pos.money\n")
    assert [m for m in project_imports(source) if not allowed(m)] == [
        "pos.domain.sales.codes",
        "pos.money",
    ]


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("pos.app", {"pos.domain", "pos.store", "pos.sync", "pos.transfer", "pos.models"}),
        ("pos.domain", {"pos.register", "pos.app", "pos.cli", "textual"}),
    ],
)
def test_import_linter_holds_the_boundaries(source: str, forbidden: set[str]) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    covering = [
        contract
        for contract in contracts
        if contract["type"] == "forbidden"
        and source in contract["source_modules"]
        and forbidden <= set(contract["forbidden_modules"])
    ]
    assert covering, f"no contract keeps {source} from {sorted(forbidden)}"


async def test_the_return_form_shows_the_refund_the_register_plans(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    """The refund shown while choosing what comes back is the domain's plan, via the facade."""
    app.register.login("shouyin01", "1111")
    number = sell(app.register, f"3*{barcode_of(demo_sessions, 'P00063')}", card_fen=1000)
    sale = app.register.find_return(number)
    one = {sale.lines[0].sale_line_id: 1}
    plan = app.register.plan_refund(sale, one)
    assert plan == plan_refund(sale, one)
    assert sum(fen for _tender, fen in plan.refunds) == sale.lines[0].total_fen // 3
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, number)  # the receipt's QR code
        assert isinstance(app.screen, ReturnModal)
        await type_text(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
    for tender, fen in plan.refunds:
        assert f"{tender_name(tender)} ¥{format_fen(fen)}" in text
