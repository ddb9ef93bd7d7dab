"""CI smoke test of ``pos bench``: generate a small store, run the quick benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos.cli import main
from pos.domain.members.members import is_card_no, normalize_phone
from pos.domain.sales.codes import classify_barcode
from pos.models import Barcode, Member, Product, Sale
from pos.store.db import open_database

MEASUREMENTS = {
    "import_members",
    "import_products",
    "import_lots",
    "import_sales",
    "import_bad",
    "barcode",
    "member_phone",
    "member_card",
    "member_last4",
    "search_name",
    "search_initials",
    "search_english",
    "scan_to_row",
    "scan_to_row_pilot",
    "scanner_burst",
    "scanner_burst_bare",
    "sale_commit",
    "rebuild",
    "suggest",
    "daily_report",
    "cold_start",
    "cold_start_bare",
    "first_scan",
    "first_row_bare",
    "rss",
    "chain_push",
}


def test_generate_then_quick_run_reports_every_measurement(
    tmp_path: Path, hq_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_BENCH_HQ_URL", hq_url)  # a scratch head office for the push row
    db = tmp_path / "bench.db"
    args = ["bench", "generate", "--db", str(db), "--members", "2000", "--products", "500"]
    assert main([*args, "--sales", "2000", "--seed", "3"]) == 0

    engine, sessions = open_database(db)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 2000
        assert session.scalar(select(func.count()).select_from(Product)) == 500
        assert session.scalar(select(func.count()).select_from(Sale)) == 2000
        for member in session.scalars(select(Member).limit(50)):
            assert member.phone is not None and normalize_phone(member.phone) == member.phone
            assert is_card_no(member.card_no) and member.phone_last4 == member.phone[-4:]
        for code in session.scalars(select(Barcode.code).limit(50)):
            assert code.startswith("69") and classify_barcode(code)
        assert session.scalar(select(func.count()).where(Product.pinyin_initials == "")) == 0
    engine.dispose()
    assert main([*args, "--sales", "1"]) == 1  # not into a database that has products

    out = tmp_path / "bench.json"
    docs = tmp_path / "benchmarks.md"
    assert (
        main(["bench", "run", "--db", str(db), "--quick", "--json", str(out), "--docs", str(docs)])
        == 0
    )
    assert not docs.exists()  # --quick leaves the docs alone
    report = json.loads(out.read_text())
    results = {result["key"]: result for result in report["results"]}
    assert set(results) == MEASUREMENTS
    for key, result in results.items():
        numbers = [result["median_ms"], result["p95_ms"], result["p99_ms"]]
        assert all(isinstance(n, float) for n in numbers) or isinstance(result["value"], float), key
        # every target is judged; the Pilot.press row is an upper bound with no target
        assert isinstance(result["met"], bool) or key == "scan_to_row_pilot", key
        assert "not measured" not in result["note"], key
    assert report["scale"]["sale"] >= 2000 and report["machine"]["cores"]


def test_the_cold_starts_read_the_bench_settings_as_pos_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cold start's child process reads ``pos``'s way (arguments, environment, file)
    what the in-process measurements are given directly: the same settings."""
    from pos.bench.cold import bench_environment, bench_settings, started_as_pos

    config = tmp_path / "pos.toml"
    config.write_text("", encoding="utf-8")
    for name, value in bench_environment(config).items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "bench.db"
    read = started_as_pos(path)
    given = bench_settings(path)
    assert read.model_dump() == given.model_dump()
    assert (read.register.require_login, read.printer.uri, read.backup.daily) == (
        False,
        "none",
        False,
    )
