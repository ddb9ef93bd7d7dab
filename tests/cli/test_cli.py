"""The ``pos`` command, driven in-process through ``pos.cli.main`` (and once as a process)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.enums import Tender
from pos.models import Barcode, Base, Lot, Product, StockMovement
from pos.register.service import RegisterService
from pos.store.db import open_database
from pos.transfer import imports
from pos.transfer.import_common import Chunks
from pos.transfer.imports import PRODUCT_COLUMNS
from tests.helpers import empty_config


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config, data or POS_* variable reaches the command; English messages."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def with_check(body: str) -> str:
    """``body`` followed by its EAN check digit."""
    return body + ean.calc_check_digit(body)


EAN_A = with_check("693000000001")
EAN_B = with_check("693000000002")
EAN_C = with_check("693000000003")


def products_file(path: Path, *rows: str) -> Path:
    """A products CSV at ``path`` with the contract header and ``rows``."""
    path.write_text(",".join(PRODUCT_COLUMNS) + "\n" + "".join(r + "\n" for r in rows), "utf-8")
    return path


def row(sku: str, code: str, price: str = "12.50", name: str = "测试药片") -> str:
    """One products row."""
    return f"{sku},{code},{name},Test,10片,测试制药,盒,pain_fever,{price},,otc_a,acetaminophen"


def stock_file(path: Path, *rows: str) -> Path:
    """A stock CSV at ``path``."""
    path.write_text("sku,lot,expiry,quantity\n" + "".join(r + "\n" for r in rows), "utf-8")
    return path


def count(db: Path, model: type[Base]) -> int:
    """Rows of ``model`` in the database at ``db``."""
    engine, sessions = open_database(db)
    try:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def skus(db: Path) -> list[str]:
    """SKUs in the database at ``db``, sorted."""
    engine, sessions = open_database(db)
    try:
        with sessions() as session:
            return sorted(session.scalars(select(Product.sku)))
    finally:
        engine.dispose()


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What the command wrote to stderr, as lines."""
    return capsys.readouterr().err.splitlines()


# -- init ------------------------------------------------------------------------


def test_init_demo_creates_the_database_and_loads_the_demo_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store" / "pos.db"

    code = main(["init", "--db", str(db), "--demo"])

    assert code == EXIT_OK
    out = capsys.readouterr().out
    assert f"Database created: {db}" in out
    assert "Demo store loaded" in out
    assert db.exists()
    assert count(db, Product) >= 150
    assert count(db, Lot) > 0


def test_second_init_demo_leaves_the_catalogue_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    main(["init", "--db", str(db), "--demo"])
    before = (count(db, Product), count(db, Lot), count(db, StockMovement))
    capsys.readouterr()

    code = main(["init", "--db", str(db), "--demo"])

    assert code == EXIT_OK
    out = capsys.readouterr().out
    assert "The catalogue is not empty" in out
    assert "Demo store loaded" not in out
    assert (count(db, Product), count(db, Lot), count(db, StockMovement)) == before


def test_init_without_demo_creates_an_empty_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"

    assert main(["init", "--db", str(db)]) == EXIT_OK

    assert db.exists()
    assert count(db, Product) == 0
    assert "Demo store" not in capsys.readouterr().out


def test_init_uses_the_database_named_in_the_config_file(tmp_path: Path) -> None:
    db = tmp_path / "from-config.db"
    config = tmp_path / "pos.toml"
    config.write_text(f'[register]\ndatabase = "{db.as_posix()}"\n', "utf-8")

    assert main(["init", "--config", str(config)]) == EXIT_OK

    assert db.exists()


def test_db_option_wins_over_the_config_file(tmp_path: Path) -> None:
    configured = tmp_path / "from-config.db"
    chosen = tmp_path / "chosen.db"
    config = tmp_path / "pos.toml"
    config.write_text(f'[register]\ndatabase = "{configured.as_posix()}"\n', "utf-8")

    assert main(["init", "--config", str(config), "--db", str(chosen)]) == EXIT_OK

    assert chosen.exists()
    assert not configured.exists()


def test_db_option_before_the_subcommand_is_honoured(tmp_path: Path) -> None:
    db = tmp_path / "pos.db"

    assert main(["--db", str(db), "init"]) == EXIT_OK

    assert db.exists()


# -- import products ---------------------------------------------------------------


def test_import_products_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    data = products_file(tmp_path / "p.csv", row("T001", EAN_A), row("T002", EAN_B))

    code = main(["import", "products", str(data), "--db", str(db)])

    assert code == EXIT_OK
    captured = capsys.readouterr()
    assert "2 created, 0 updated" in captured.out
    assert captured.err == ""
    assert skus(db) == ["T001", "T002"]


def test_import_products_again_updates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    first = products_file(tmp_path / "a.csv", row("T001", EAN_A))
    assert main(["import", "products", str(first), "--db", str(db)]) == EXIT_OK
    capsys.readouterr()
    data = products_file(tmp_path / "b.csv", row("T001", EAN_A, price="20"))

    assert main(["import", "products", str(data), "--db", str(db)]) == EXIT_OK

    assert "0 created, 1 updated" in capsys.readouterr().out
    assert count(db, Product) == 1


def test_import_stopped_by_ctrl_c_says_what_stays_and_completes_when_run_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "pos.db"
    data = products_file(
        tmp_path / "p.csv", row("T001", EAN_A), row("T002", EAN_B), row("T003", EAN_C)
    )
    monkeypatch.setattr(imports, "BATCH_ROWS", 1)

    def ctrl_c_after_the_first_chunk(self: Chunks, committed: object = None) -> None:
        self.commit()
        raise KeyboardInterrupt

    with monkeypatch.context() as interrupted:
        interrupted.setattr(Chunks, "checkpoint", ctrl_c_after_the_first_chunk)
        code = main(["import", "products", str(data), "--db", str(db)])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "Import interrupted: what it had committed stays stored." in err
    assert "Traceback" not in err
    assert skus(db) == ["T001"]  # the first chunk, committed before Ctrl+C
    assert main(["import", "products", str(data), "--db", str(db)]) == EXIT_OK
    assert "2 created, 1 updated" in capsys.readouterr().out
    assert skus(db) == ["T001", "T002", "T003"]
    assert count(db, Barcode) == 3  # no row twice


def test_any_command_stopped_by_ctrl_c_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos.cli.store import init

    def ctrl_c(*_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(init, "run", ctrl_c)

    assert main(["init", "--db", str(tmp_path / "pos.db")]) == EXIT_FAILED
    assert capsys.readouterr().err == "Interrupted.\n"


def test_import_products_bad_rows_are_all_listed_and_nothing_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    data = products_file(
        tmp_path / "p.csv",
        row("T001", EAN_A),
        row("T002", EAN_B[:-1] + str((int(EAN_B[-1]) + 1) % 10)),
        row("T003", EAN_C),
        row("T004", "", price="abc"),
    )

    code = main(["import", "products", str(data), "--db", str(db)])

    assert code == EXIT_FAILED
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert [line.split(":")[0] for line in err if line.startswith("line ")] == [
        "line 3",
        "line 5",
    ]
    assert "check digit" in err[0]
    assert "abc" in err[1]
    assert "Nothing imported: 2 bad row(s)" in captured.err
    assert captured.out == ""
    assert count(db, Product) == 0


def test_import_products_skip_bad_imports_the_good_rows_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    data = products_file(
        tmp_path / "p.csv", row("T001", EAN_A), row("T002", EAN_B, price="-3"), row("T003", EAN_C)
    )

    code = main(["import", "products", str(data), "--db", str(db), "--skip-bad"])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "line 3: " in err
    assert "2 created, 0 updated" in err
    assert skus(db) == ["T001", "T003"]


def test_import_products_extra_column_warns_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    data = tmp_path / "p.csv"
    data.write_text(
        ",".join(PRODUCT_COLUMNS) + ",shelf\n" + row("T001", EAN_A) + ",A3\n", encoding="utf-8"
    )

    code = main(["import", "products", str(data), "--db", str(db)])

    assert code == EXIT_OK
    err = capsys.readouterr().err
    assert "shelf" in err
    assert skus(db) == ["T001"]


def test_import_products_missing_column_exits_1_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    data = tmp_path / "p.csv"
    data.write_text("sku,barcodes,name\nT001,,x\n", encoding="utf-8")

    code = main(["import", "products", str(data), "--db", str(db)])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert str(data) in err
    assert "Missing column" in err
    assert count(db, Product) == 0


def test_import_products_non_utf8_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pos.db"
    data = tmp_path / "p.csv"
    data.write_bytes((",".join(PRODUCT_COLUMNS) + "\n" + row("T001", EAN_A) + "\n").encode("gbk"))

    assert main(["import", "products", str(data), "--db", str(db)]) == EXIT_FAILED

    assert "UTF-8" in capsys.readouterr().err
    assert count(db, Product) == 0


def test_import_missing_file_exits_1_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"

    code = main(["import", "products", str(missing), "--db", str(tmp_path / "pos.db")])

    assert code == EXIT_FAILED
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert f"Cannot read {missing}" in err[0]
    assert "No such file" in err[0]


# -- import stock ------------------------------------------------------------------


@pytest.fixture
def store_with_products(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A database holding T001 and T002."""
    db = tmp_path / "pos.db"
    data = products_file(tmp_path / "p.csv", row("T001", EAN_A), row("T002", EAN_B))
    assert main(["import", "products", str(data), "--db", str(db)]) == EXIT_OK
    capsys.readouterr()
    return db


def test_import_stock_good_file(
    store_with_products: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = stock_file(tmp_path / "s.csv", "T001,L1,2027-01-31,10", "T002,L1,2027-06-30,4")

    code = main(["import", "stock", str(data), "--db", str(store_with_products)])

    assert code == EXIT_OK
    assert "2 created, 0 updated" in capsys.readouterr().out
    assert count(store_with_products, Lot) == 2
    assert count(store_with_products, StockMovement) == 2


def test_import_stock_bad_rows_exit_1_and_import_nothing(
    store_with_products: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = stock_file(
        tmp_path / "s.csv",
        "T001,L1,2027-01-31,10",
        "NOPE,L1,2027-01-31,10",
        "T002,L2,2026-02-30,1",
        "T002,L3,2027-01-31,-1",
    )

    code = main(["import", "stock", str(data), "--db", str(store_with_products)])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    for line in (3, 4, 5):
        assert f"line {line}: " in err
    assert "line 2: " not in err
    assert count(store_with_products, Lot) == 0


def test_import_stock_skip_bad(
    store_with_products: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = stock_file(tmp_path / "s.csv", "T001,L1,2027-01-31,10", "NOPE,L1,2027-01-31,10")

    code = main(["import", "stock", str(data), "--db", str(store_with_products), "--skip-bad"])

    assert code == EXIT_FAILED
    assert "unknown sku NOPE" in capsys.readouterr().err
    assert count(store_with_products, Lot) == 1


# -- export ------------------------------------------------------------------------


@pytest.fixture
def sold(register: RegisterService, demo_sessions: sessionmaker[Session]) -> str:
    """One sale of 2 × 999感冒灵颗粒 on the demo store at db_path; its number."""
    with demo_sessions() as session:
        code = session.scalar(
            select(Barcode.code).join(Product).where(Product.sku == "P00001").limit(1)
        )
    assert code is not None
    register.scan(f"2*{code}")
    tendering = register.start_payment()
    tendering.add(Tender.CASH, 5000)
    return register.complete(tendering).number


def test_export_sales_jsonl_to_stdout(
    sold: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "sales", "--db", str(db_path)])

    assert code == EXIT_OK
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["number"] == sold
    assert record["total_fen"] == 3160
    assert record["payments"] == [{"tender": "cash", "amount_fen": 3160, "tendered_fen": 5000}]


def test_export_sales_csv(sold: str, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "sales", "--db", str(db_path), "--format", "csv"])

    assert code == EXIT_OK
    header, *rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:2] == ["number", "completed_at"]
    assert len(rows) == 1
    assert rows[0][0] == sold


def test_export_sales_to_a_file(sold: str, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "sales.jsonl"

    assert main(["export", "sales", "--db", str(db_path), "--output", str(out)]) == EXIT_OK

    [line] = out.read_text("utf-8").splitlines()
    assert json.loads(line)["number"] == sold


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-03-10T02:00:00Z", 1),
        ("2026-03-10T10:00:00+08:00", 1),
        ("2026-03-10", 1),
        ("2026-03-10T02:00:01Z", 0),
        ("2026-03-11", 0),
    ],
)
def test_export_sales_since(
    sold: str, db_path: Path, capsys: pytest.CaptureFixture[str], since: str, expected: int
) -> None:
    code = main(["export", "sales", "--db", str(db_path), "--since", since])

    assert code == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == expected


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "10/03/2026"])
def test_export_sales_bad_since_exits_2(
    db_path: Path, capsys: pytest.CaptureFixture[str], since: str
) -> None:
    code = main(["export", "sales", "--db", str(db_path), "--since", since])

    assert code == EXIT_USAGE
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert "--since" in err[0]
    assert since in err[0]


def test_export_without_a_database_exits_1_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "missing.db"

    assert main(["export", "sales", "--db", str(db)]) == EXIT_FAILED

    assert f"No database at {db}" in capsys.readouterr().err
    assert not db.exists()


def test_export_stock(sold: str, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "stock", "--db", str(db_path)])

    assert code == EXIT_OK
    header, *rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["sku", "lot", "expiry", "quantity"]
    assert len(rows) > 150
    assert [r[3] for r in rows if r[0] == "P00001"] == ["28", "100"]


# -- configuration errors ------------------------------------------------------------


def test_config_typo_key_exits_2_naming_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pos.toml"
    config.write_text('[store]\nnmae = "x"\n', "utf-8")
    db = tmp_path / "pos.db"

    code = main(["init", "--config", str(config), "--db", str(db)])

    assert code == EXIT_USAGE
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert "store.nmae" in err[0]
    assert str(config) in err[0]
    assert not db.exists()


def test_config_from_pos_config_variable_is_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "env.toml"
    config.write_text('[store]\nnmae = "x"\n', "utf-8")
    monkeypatch.setenv("POS_CONFIG", str(config))

    assert main(["init", "--db", str(tmp_path / "pos.db")]) == EXIT_USAGE

    [line] = stderr_lines(capsys)
    assert "store.nmae" in line
    assert str(config) in line


def test_config_invalid_value_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pos.toml"
    config.write_text("[printer]\npaper_width = 70\n", "utf-8")

    code = main(["export", "stock", "--config", str(config), "--db", str(tmp_path / "pos.db")])

    assert code == EXIT_USAGE
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert "printer.paper_width" in err[0]
    assert str(config) in err[0]


def test_config_not_toml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pos.toml"
    config.write_text("[store\nname = \n", "utf-8")

    assert main(["init", "--config", str(config), "--db", str(tmp_path / "pos.db")]) == EXIT_USAGE

    assert str(config) in capsys.readouterr().err


def test_bad_environment_variable_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_STORE__CODE", "bad code")
    db = tmp_path / "pos.db"

    code = main(["init", "--db", str(db)])

    assert code == EXIT_USAGE
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert "POS_STORE__CODE" in err[0]
    assert "store.code" in err[0]
    assert not db.exists()


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "absent.toml"
    db = tmp_path / "pos.db"

    code = main(["init", "--config", str(config), "--db", str(db)])

    assert code == EXIT_USAGE
    err = stderr_lines(capsys)
    assert len(err) == 1
    assert str(config) in err[0]
    assert "not found" in err[0]
    assert not db.exists()


# -- usage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["import"],
        ["import", "prices", "x.csv"],
        ["export", "sales", "--format", "xml"],
    ],
    ids=["unknown-command", "import-without-what", "unknown-import", "bad-format"],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code == EXIT_USAGE
    assert "usage: pos" in capsys.readouterr().err


def test_help_as_a_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pos", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )

    assert result.returncode == 0
    assert result.stdout.startswith("usage: pos")
    for command in ("init", "import", "export", "run"):
        assert command in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "home").exists()
