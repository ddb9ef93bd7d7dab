"""``pos complaint``, ``pos adr``, ``pos export adr``, ``pos report service`` and the sales
export's ``rating`` column, driven in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.domain.aftercare.adverse import ADR_CSV_COLUMNS
from pos.enums import Tender
from pos.models import AdverseReaction, AuditEvent, Complaint, SaleRating
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import open_database
from pos.transfer.exports import SALE_CSV_COLUMNS
from tests.conftest import fixed_clock
from tests.helpers import barcode_of, empty_config


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_template: Path) -> Path:
    """A copy of the demo store with one sale; no user config or POS_* variable."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    path = tmp_path / "store.db"
    shutil.copy(demo_template, path)
    engine, sessions = open_database(path)
    register = RegisterService(sessions, RegisterIdentity("001", "01"), fixed_clock)
    register.scan(barcode_of(sessions, "P00063"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    register.complete(tendering)
    engine.dispose()
    return path


SALE = "S001-01-20260310-0001"


def pos(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def rows_of(db: Path, model: type) -> list:  # type: ignore[type-arg]
    engine, sessions = open_database(db)
    try:
        with sessions() as session:
            return list(session.scalars(select(model)).all())
    finally:
        engine.dispose()


def test_complaint_add_list_show_handle_close(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pos(db, "complaint", "add", "--sale", SALE, "--category", "price",
               "--description", "charged twice", "--by", "shouyin01") == EXIT_OK  # fmt: skip
    assert "Complaint #1 recorded" in capsys.readouterr().out
    assert pos(db, "complaint", "list", "--status", "open") == EXIT_OK
    assert SALE in capsys.readouterr().out
    assert pos(db, "complaint", "handle", "1", "--by", "dianzhang") == EXIT_OK
    assert pos(db, "complaint", "close", "1", "--by", "dianzhang",
               "--resolution", "refunded the extra", "--response", "thanks") == EXIT_OK  # fmt: skip
    capsys.readouterr()
    assert pos(db, "complaint", "show", "1") == EXIT_OK
    shown = capsys.readouterr().out
    assert "Status: closed" in shown and "Resolution: refunded the extra" in shown
    [complaint] = rows_of(db, Complaint)
    assert (complaint.status, complaint.handler, complaint.closed_by) == (
        "closed",
        "dianzhang",
        "dianzhang",
    )
    actions = [e.action for e in rows_of(db, AuditEvent) if e.action.startswith("complaint")]
    assert actions == ["complaint.open", "complaint.handle", "complaint.close"]
    assert not any("charged" in json.dumps(e.detail) for e in rows_of(db, AuditEvent))


def test_complaint_bad_input_changes_nothing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pos(db, "complaint", "add", "--sale", "S001-01-20990101-0001", "--category", "price",
               "--description", "x") == EXIT_FAILED  # fmt: skip
    assert "No sale S001-01-20990101-0001" in capsys.readouterr().err
    assert pos(db, "complaint", "add", "--member", "NOCARD", "--category", "other",
               "--description", "x") == EXIT_FAILED  # fmt: skip
    assert rows_of(db, Complaint) == []
    assert pos(db, "complaint", "add", "--category", "other", "--description", "x") == EXIT_OK
    assert pos(db, "complaint", "close", "1", "--by", "m", "--resolution", "ok") == EXIT_OK
    capsys.readouterr()
    assert pos(db, "complaint", "handle", "1", "--by", "m") == EXIT_FAILED
    assert "already closed" in capsys.readouterr().err
    [complaint] = rows_of(db, Complaint)
    assert complaint.handler == "m" and complaint.status == "closed"
    assert pos(db, "complaint", "show", "9") == EXIT_FAILED


def test_adr_add_list_and_export(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pos(db, "adr", "add", "--product", "P00063", "--lot", "L1", "--reaction", "皮疹",
               "--onset", "2026-03-08", "--severity", "serious", "--outcome", "improving",
               "--by", "yaoshi01", "--age", "40", "--sex", "F",
               "--description", "rash on arms") == EXIT_OK  # fmt: skip
    assert pos(db, "adr", "add", "--product", "NOPE", "--reaction", "x",
               "--onset", "2026-03-08", "--severity", "mild", "--outcome", "unknown",
               "--by", "y") == EXIT_FAILED  # fmt: skip
    assert pos(db, "adr", "add", "--product", "P00063", "--reaction", "x", "--onset", "March",
               "--severity", "mild", "--outcome", "unknown", "--by", "y") == EXIT_USAGE  # fmt: skip
    assert len(rows_of(db, AdverseReaction)) == 1
    capsys.readouterr()
    assert pos(db, "adr", "list") == EXIT_OK
    assert "皮疹" in capsys.readouterr().out
    out = tmp_path / "adr.csv"
    assert pos(db, "export", "adr", "--output", str(out)) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert tuple(rows[0]) == ADR_CSV_COLUMNS
    row = rows[0]
    assert (row["report_type"], row["patient_sex"], row["patient_age"], row["lot"]) == (
        "serious",
        "F",
        "40",
        "L1",
    )
    assert row["generic_name"] and row["manufacturer"] and row["onset_on"] == "2026-03-08"
    # Never in marketing data: the member export has no reaction.
    capsys.readouterr()
    assert pos(db, "export", "members", "--format", "csv") == EXIT_OK
    assert "皮疹" not in capsys.readouterr().out


def test_sales_export_gains_rating_at_the_end(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert SALE_CSV_COLUMNS[-1] == "rating"
    assert pos(db, "export", "sales", "--format", "csv") == EXIT_OK
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][-1] == "rating" and rows[1][-1] == ""
    engine, sessions = open_database(db)
    from pos.domain.aftercare import satisfaction

    with sessions.begin() as session:
        satisfaction.rate(session, SALE, 5, cashier="shouyin01", at=fixed_clock())
    engine.dispose()
    assert pos(db, "export", "sales", "--format", "csv") == EXIT_OK
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][-1] == "5"
    assert pos(db, "export", "sales") == EXIT_OK
    assert json.loads(capsys.readouterr().out.splitlines()[0])["rating"] == 5
    assert [r.rating for r in rows_of(db, SaleRating)] == [5]


def test_report_service_formats(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("report", "service", "--from", "2026-03-01", "--to", "2026-03-10")
    assert pos(db, *args, "--format", "json") == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    visits = report["sections"][0]["figures"]
    assert {f["key"]: f["value"] for f in visits}["visits"] == 1
    assert pos(db, *args, "--format", "csv") == EXIT_OK
    assert capsys.readouterr().out.startswith("section,key,name,value\nvisits,visits,")
    assert pos(db, *args, "--format", "table") == EXIT_OK
    assert "Satisfaction" in capsys.readouterr().out
    assert pos(db, "report", "service", "--from", "2026-03-10", "--to", "2026-03-01") == EXIT_USAGE
