"""``pos.domain.pharmacy.guidance``: the guidance TOML contract, re-import, and the lookup order."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK
from pos.domain.pharmacy.guidance import EntryError, guidance_for, guidance_keys, import_guidance
from pos.models import Guidance, Product
from pos.transfer.imports import FileFormatError, ImportReport, import_products
from tests.helpers import empty_config

PRODUCTS = """sku,barcodes,name,name_en,spec,manufacturer,unit,category,price,member_price,\
drug_class,ingredients
T001,,测试感冒片,Test Cold Tablets,10片,测试,盒,cold_flu,9.9,,otc_a,acetaminophen|chlorphenamine
T002,,测试扑尔敏,Test Chlorphenamine,10片,测试,盒,allergy,3.5,,otc_b,chlorphenamine
T003,,测试凉茶,Test Herbal Tea,10包,测试,盒,tcm,5,,none,
"""


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))


@pytest.fixture
def catalogue(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Three products: a compound cold remedy, chlorphenamine alone, a TCM item."""
    with sessions.begin() as session:
        assert not import_products(session, PRODUCTS.encode()).errors
    return sessions


def entry(key: str, **fields: str | list[str]) -> str:
    """One ``[[guidance]]`` table (usage defaults to a text).

    Values are written as TOML strings or lists of strings; a value starting with
    ``@`` is written as the raw TOML after it (``dosage="@3"`` → ``dosage = 3``).
    """
    values: dict[str, str | list[str]] = {"usage": f"用法 {key}", **fields}
    lines = ["[[guidance]]", f'key = "{key}"']
    for name, value in values.items():
        if isinstance(value, list):
            lines.append(f"{name} = [{', '.join(repr(item) for item in value)}]")
        else:
            lines.append(
                f"{name} = {value!r}" if not value.startswith("@") else f"{name} = {value[1:]}"
            )
    return "\n".join(lines) + "\n"


def toml(*entries: str) -> bytes:
    return "\n".join(entries).encode("utf-8")


def load(sessions: sessionmaker[Session], data: bytes, skip_bad: bool = False) -> ImportReport:
    with sessions.begin() as session:
        return import_guidance(session, data, skip_bad)


def stored(sessions: sessionmaker[Session]) -> dict[str, Guidance]:
    with sessions() as session:
        return {g.key: g for g in session.scalars(select(Guidance))}


def found_for(sessions: sessionmaker[Session], sku: str) -> str | None:
    with sessions() as session:
        product = session.scalars(select(Product).where(Product.sku == sku)).one()
        guidance = guidance_for(session, product)
        return guidance.key if guidance else None


# -- good files ----------------------------------------------------------------


def test_every_field_is_stored(catalogue: sessionmaker[Session]) -> None:
    data = toml(
        entry(
            "ingredient:Chlorphenamine",
            usage="口服",
            dosage="成人一次4 mg，一日3次",
            precautions="嗜睡",
            contraindications=["driving", "Alcohol", "青光眼", "prostatic_hyperplasia", "高血压"],
            storage="遮光",
            advice="睡前服",
            usage_en="By mouth",
            dosage_en="Adults 4 mg 3 times a day",
            precautions_en="Drowsy",
            advice_en="At bedtime",
        )
    )
    report = load(catalogue, data)

    assert (report.created, report.updated, report.errors, report.applied) == (1, 0, [], True)
    guidance = stored(catalogue)["ingredient:chlorphenamine"]
    assert (guidance.usage, guidance.dosage, guidance.precautions) == (
        "口服",
        "成人一次4 mg，一日3次",
        "嗜睡",
    )
    assert (guidance.storage, guidance.advice) == ("遮光", "睡前服")
    assert (guidance.usage_en, guidance.dosage_en, guidance.precautions_en, guidance.advice_en) == (
        "By mouth",
        "Adults 4 mg 3 times a day",
        "Drowsy",
        "At bedtime",
    )
    assert guidance.contraindications == (
        "driving,alcohol,glaucoma,prostatic_hyperplasia,hypertension"
    )


def test_optional_fields_default_to_empty(catalogue: sessionmaker[Session]) -> None:
    load(catalogue, toml('[[guidance]]\nkey = "category:tcm"\ndosage = "一次1袋"\n'))

    guidance = stored(catalogue)["category:tcm"]
    assert (guidance.usage, guidance.dosage, guidance.contraindications, guidance.usage_en) == (
        "",
        "一次1袋",
        "",
        "",
    )


def test_reimport_updates_by_key(catalogue: sessionmaker[Session]) -> None:
    load(catalogue, toml(entry("sku:T001", advice="多喝水"), entry("category:tcm")))
    report = load(
        catalogue, toml(entry("sku:T001", usage="新用法"), entry("ingredient:acetaminophen"))
    )

    assert (report.created, report.updated) == (1, 1)
    rows = stored(catalogue)
    assert sorted(rows) == ["category:tcm", "ingredient:acetaminophen", "sku:T001"]
    assert rows["sku:T001"].usage == "新用法"
    assert rows["sku:T001"].advice == ""  # the entry replaces the stored text


def test_empty_array_imports_nothing(catalogue: sessionmaker[Session]) -> None:
    report = load(catalogue, b"guidance = []\n")
    assert (report.created, report.updated, report.errors, report.applied) == (0, 0, [], True)


# -- bad entries -----------------------------------------------------------------

BAD_ENTRIES = {
    "missing-key": ('[[guidance]]\nusage = "x"\n', "", "key is missing"),
    "key-not-string": ("[[guidance]]\nkey = 3\nusage = 'x'\n", "", "key is missing"),
    "no-colon": (entry("T001"), "T001", "key must be"),
    "empty-name": (entry("sku:"), "sku:", "key must be"),
    "unknown-prefix": (entry("brand:泰诺"), "brand:泰诺", "unknown key prefix 'brand'"),
    "unknown-sku": (entry("sku:T999"), "sku:T999", "no product has the sku T999"),
    "unknown-field": (entry("sku:T001", dose="x"), "sku:T001", "unknown field(s): dose"),
    "number-field": (entry("sku:T001", dosage="@3"), "sku:T001", "dosage must be a string"),
    "list-field": (entry("sku:T001", advice=["a"]), "sku:T001", "advice must be a string"),
    "contra-string": (
        entry("sku:T001", contraindications="pregnancy"),
        "sku:T001",
        "contraindications must be a list of strings",
    ),
    "contra-numbers": (
        entry("sku:T001", contraindications="@[1, 2]"),
        "sku:T001",
        "contraindications must be a list of strings",
    ),
    "contra-unknown": (
        entry("sku:T001", contraindications=["pregnancy", "moon"]),
        "sku:T001",
        "unknown contraindication 'moon'",
    ),
    "no-usage-or-dosage": (
        entry("sku:T001", usage="  ", advice="多喝水"),
        "sku:T001",
        "usage and dosage are both empty",
    ),
    "not-a-table": ("guidance = [1]\n", "", "must be a table"),
}


@pytest.mark.parametrize(
    ("text", "key", "reason"), list(BAD_ENTRIES.values()), ids=list(BAD_ENTRIES)
)
def test_bad_entry_is_reported_with_index_and_key_and_nothing_imported(
    catalogue: sessionmaker[Session], text: str, key: str, reason: str
) -> None:
    good = entry("category:tcm")
    report = load(catalogue, toml(good, text) if text.startswith("[[") else text.encode())

    [error] = report.errors
    assert isinstance(error, EntryError)
    assert reason in error.reason, error.reason
    assert error.key == key
    assert error.line == (2 if text.startswith("[[") else 1)
    assert str(error).startswith(f"entry {error.line}")
    if key:
        assert f"({key})" in str(error)
    assert not report.applied
    assert stored(catalogue) == {}


def test_duplicate_key_in_the_file(catalogue: sessionmaker[Session]) -> None:
    report = load(catalogue, toml(entry("sku:T001"), entry("category:tcm"), entry("sku:T001")))

    assert [(e.line, e.reason) for e in report.errors] == [(3, "key already in entry 1")]


def test_every_bad_entry_is_reported_in_order_and_skip_bad_imports_the_rest(
    catalogue: sessionmaker[Session],
) -> None:
    data = toml(
        entry("sku:T999"),
        entry("ingredient:acetaminophen"),
        entry("size:big"),
        entry("category:tcm", usage="", dosage=""),
        entry("sku:T002"),
    )
    assert [e.line for e in load(catalogue, data).errors] == [1, 3, 4]
    assert stored(catalogue) == {}

    report = load(catalogue, data, skip_bad=True)
    assert report.applied and report.created == 2 and [e.line for e in report.errors] == [1, 3, 4]
    assert sorted(stored(catalogue)) == ["ingredient:acetaminophen", "sku:T002"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"guidance = [", "Not a TOML file"),
        (b"\xff\xfe", "not UTF-8"),
        (b'title = "x"\n', "[[guidance]]"),
        (b'[[guidance]]\nkey = "category:tcm"\nusage = "x"\n[other]\na = 1\n', "other"),
        (b"guidance = 3\n", "[[guidance]]"),
    ],
)
def test_unreadable_file_is_a_file_error(
    catalogue: sessionmaker[Session], data: bytes, message: str
) -> None:
    with catalogue.begin() as session, pytest.raises(FileFormatError, match=re.escape(message)):
        import_guidance(session, data)


# -- lookup order -----------------------------------------------------------------


def test_lookup_keys_are_sku_then_ingredients_in_order_then_category(
    catalogue: sessionmaker[Session],
) -> None:
    with catalogue() as session:
        product = session.scalars(select(Product).where(Product.sku == "T001")).one()
        assert guidance_keys(product) == [
            "sku:T001",
            "ingredient:acetaminophen",
            "ingredient:chlorphenamine",
            "category:cold_flu",
        ]


def test_sku_beats_ingredient_beats_category(catalogue: sessionmaker[Session]) -> None:
    assert found_for(catalogue, "T001") is None
    load(catalogue, toml(entry("category:cold_flu")))
    assert found_for(catalogue, "T001") == "category:cold_flu"
    load(catalogue, toml(entry("ingredient:chlorphenamine")))
    assert found_for(catalogue, "T001") == "ingredient:chlorphenamine"
    load(catalogue, toml(entry("ingredient:acetaminophen")))
    assert found_for(catalogue, "T001") == "ingredient:acetaminophen"  # the first ingredient
    load(catalogue, toml(entry("sku:T001")))
    assert found_for(catalogue, "T001") == "sku:T001"
    assert found_for(catalogue, "T002") == "ingredient:chlorphenamine"
    assert found_for(catalogue, "T003") is None
    load(catalogue, toml(entry("category:tcm")))
    assert found_for(catalogue, "T003") is None  # not a medicine: no category's medication text


def test_lookup_is_a_couple_of_queries(catalogue: sessionmaker[Session]) -> None:
    load(catalogue, toml(entry("category:cold_flu"), entry("ingredient:chlorphenamine")))
    statements: list[str] = []

    def count(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    with catalogue() as session:
        product = session.scalars(select(Product).where(Product.sku == "T001")).one()
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            guidance = guidance_for(session, product)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert guidance is not None and guidance.key == "ingredient:chlorphenamine"
    assert len(statements) <= 2  # the product's ingredients, then the guidance


# -- the command -----------------------------------------------------------------


def test_cli_import_guidance(
    catalogue: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "guidance.toml"
    path.write_bytes(toml(entry("sku:T001"), entry("sku:T999")))

    assert main(["import", "guidance", str(path), "--db", str(db_path)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "entry 2 (sku:T999): no product has the sku T999" in err
    assert "Nothing imported" in err
    assert main(["import", "guidance", str(path), "--db", str(db_path), "--skip-bad"]) == 1
    assert "1 created, 0 updated" in capsys.readouterr().err

    path.write_bytes(toml(entry("sku:T001")))
    assert main(["import", "guidance", str(path), "--db", str(db_path)]) == EXIT_OK
    assert "0 created, 1 updated" in capsys.readouterr().out
    path.write_bytes(b"guidance = [")
    assert main(["import", "guidance", str(path), "--db", str(db_path)]) == EXIT_FAILED
    assert "Not a TOML file" in capsys.readouterr().err
    with catalogue() as session:
        assert session.scalar(select(func.count()).select_from(Guidance)) == 1
