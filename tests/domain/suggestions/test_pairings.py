"""Curated add-on pairings: the CSV import, its bad rows, and the demo store's pairings."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK
from pos.domain.sales.codes import InputError
from pos.domain.suggestions.pairings import import_pairings, parse_trigger
from pos.enums import DrugClass
from pos.models import Pairing, Product
from tests.helpers import ROOT, empty_config

DATA = ROOT / "data"
HEADER = "trigger,suggest_sku,reason\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode("utf-8")


def pairings(sessions: sessionmaker[Session]) -> dict[tuple[str, str], str]:
    with sessions() as session:
        return {(p.trigger, p.suggest_sku): p.reason for p in session.scalars(select(Pairing))}


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI reads no real configuration and speaks English."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def test_demo_store_has_the_pharmacy_pairings(demo_sessions: sessionmaker[Session]) -> None:
    found = pairings(demo_sessions)
    assert len(found) == 28
    assert found["category:antibiotics", "P00039"].startswith("益生菌与抗生素间隔2小时服用")
    assert ("ingredient:montmorillonite", "P00048") in found  # diarrhoea → rehydration salts
    assert ("sku:P00191", "P00078") in found  # mouth ulcer → vitamin B2
    assert ("category:diabetes", "P00144") in found  # diabetes → glucose strips
    with demo_sessions() as session:
        classes = dict(
            session.execute(
                select(Product.sku, Product.drug_class).where(
                    Product.sku.in_({sku for _trigger, sku in found})
                )
            ).all()
        )
    assert len(classes) == len({sku for _trigger, sku in found})
    assert DrugClass.RX not in classes.values()  # never suggested
    assert all(0 < len(reason) <= 200 and "。" in reason for reason in found.values())


def test_demo_pairings_file_uses_catalogue_skus() -> None:
    with (DATA / "products.csv").open(encoding="utf-8") as handle:
        catalogue = {row["sku"]: row for row in csv.DictReader(handle)}
    with (DATA / "pairings.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert catalogue[row["suggest_sku"]]["drug_class"] != "rx"
        if row["trigger"].startswith("sku:"):
            assert row["trigger"][4:] in catalogue


def test_import_creates_then_updates_the_reason(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        report = import_pairings(
            session, csv_bytes("Category: Eye_Ear,P00136,眼睛不适时少揉眼，出门可戴口罩。")
        )
    assert (report.created, report.updated, report.errors, report.applied) == (1, 0, [], True)
    with demo_sessions.begin() as session:
        report = import_pairings(session, csv_bytes("category:eye_ear,P00136,换一句话。"))
    assert (report.created, report.updated) == (0, 1)
    assert pairings(demo_sessions)["category:eye_ear", "P00136"] == "换一句话。"


def test_every_bad_row_is_reported_and_nothing_is_imported(
    demo_sessions: sessionmaker[Session],
) -> None:
    data = csv_bytes(
        "sku:P00063,P00136,好句子。",  # line 2: good
        "cold_flu,P00063,没有前缀。",  # 3: malformed trigger
        "shop:abc,P00063,未知前缀。",  # 4
        "sku:NOPE,P00063,未知商品。",  # 5: unknown sku in the trigger
        "category:cold_flu,NOPE,未知商品。",  # 6: unknown suggest_sku
        "category:cold_flu,P00078,",  # 7: empty reason
        "category:cold_flu,P00078," + "长" * 201,  # 8: too long
        "category:antibiotics,P00109,处方药不能推荐。",  # 9: Rx
        "sku:P00063,P00136,又一次。",  # 10: duplicate of line 2
        "sku:P00063,P00063,自己。",  # 11: itself
        "sku:P00063,P00136",  # 12: too few fields
    )
    before = pairings(demo_sessions)
    with demo_sessions.begin() as session:
        report = import_pairings(session, data)
    assert [error.line for error in report.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    reasons = [error.reason for error in report.errors]
    assert "trigger must be" in reasons[0] and "trigger must be" in reasons[1]
    assert "NOPE" in reasons[2] and "trigger" in reasons[2]
    assert "NOPE" in reasons[3] and "suggest_sku" in reasons[3]
    assert "empty" in reasons[4] and "201" in reasons[5]
    assert "prescription" in reasons[6]
    assert "line 2" in reasons[7]
    assert not report.applied and pairings(demo_sessions) == before

    with demo_sessions.begin() as session:
        report = import_pairings(session, data, skip_bad=True)
    assert report.applied and report.created == 1 and len(report.errors) == 10
    assert pairings(demo_sessions)["sku:P00063", "P00136"] == "好句子。"


def test_unknown_columns_are_warned(demo_sessions: sessionmaker[Session]) -> None:
    data = csv_bytes("sku:P00063,P00136,好句子。,x", header="trigger,suggest_sku,reason,note\n")
    with demo_sessions.begin() as session:
        report = import_pairings(session, data)
    assert report.created == 1 and report.warnings == ["Ignoring unknown column(s): note"]


def test_parse_trigger() -> None:
    assert parse_trigger("ingredient:  Insulin   Human ") == "ingredient:insulin human"
    assert parse_trigger("SKU:P00001") == "sku:P00001"
    for bad in ("", "sku:", ":x", "brand:x", "category:" + "x" * 96):
        with pytest.raises(InputError):
            parse_trigger(bad)


def test_cli_import_pairings(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("sku:P00063,P00136,好句子。"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("sku:P00063,P00109,处方药。"))
    assert main(["import", "pairings", str(bad), "--db", str(db_path)]) == EXIT_FAILED
    assert main(["import", "pairings", str(good), "--db", str(db_path)]) == EXIT_OK
    assert main(["import", "pairings", str(tmp_path / "none.csv"), "--db", str(db_path)]) == 1
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Pairing)) == 29
