"""The attach-rate report of add-on suggestions, from a few hand-made suggestion events."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK, EXIT_USAGE
from pos.domain.suggestions.suggestion_report import report_csv, report_text, suggestion_report
from pos.models import AssociationRule, Pairing, Sale, SuggestionEvent
from pos.transfer.sales_import import import_sales
from tests.helpers import empty_config
from tests.transfer.test_sales_import import sale, write_sales

EARLY = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def events(demo_sessions: sessionmaker[Session], tmp_path: Path) -> dict[str, str]:
    """Seven suggestions shown in one sale; the rules' names by role.

    pairing (masks → vitamin C, P00063): shown 4 — c01 3 times (1 taken), c02 once, late.
    rule (vitamin C → masks, P00136): shown twice to c02, both taken, late.
    a rule since rebuilt away (rule:9999, P00078): shown once, early, nobody signed in.
    """
    with demo_sessions.begin() as session:
        import_sales(session, write_sales(tmp_path / "s.jsonl", sale(1, [("P00063", 1, 350)])))
        sale_id = session.scalars(select(Sale.id)).one()
        pairing = session.scalars(
            select(Pairing).where(
                Pairing.trigger == "category:cold_flu", Pairing.suggest_sku == "P00063"
            )
        ).one()
        rule = AssociationRule(antecedent="ingredient:vitamin c", consequent_sku="P00136",
                               support=0.1, confidence=0.6, lift=3.0, baskets=10,
                               built_at=LATE)  # fmt: skip
        session.add(rule)
        session.flush()
        names = {"pairing": f"pairing:{pairing.id}", "rule": f"rule:{rule.id}"}
        shown = [
            (names["pairing"], "P00063", True, "c01", LATE),
            (names["pairing"], "P00063", False, "c01", LATE),
            (names["pairing"], "P00063", False, "c01", LATE),
            (names["pairing"], "P00063", False, "c02", LATE),
            (names["rule"], "P00136", True, "c02", LATE),
            (names["rule"], "P00136", True, "c02", LATE),
            ("rule:9999", "P00078", False, None, EARLY),
        ]
        session.add_all(
            SuggestionEvent(sale_id=sale_id, rule=rule_name, suggest_sku=sku, accepted=taken,
                            line_no=2 if taken else None, cashier=cashier, shown_at=at)
            for rule_name, sku, taken, cashier, at in shown
        )  # fmt: skip
    return names


def test_report_counts_per_rule_and_cashier(
    events: dict[str, str], demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions() as session:
        report = suggestion_report(session)
    assert [
        (line.rule, line.trigger, line.suggest_sku, line.product, line.shown, line.accepted)
        for line in report.rules
    ] == [
        (events["pairing"], "category:cold_flu", "P00063", "维生素C片", 4, 1),
        (events["rule"], "ingredient:vitamin c", "P00136", "稳健 一次性使用医用口罩", 2, 2),
        ("rule:9999", "", "P00078", "维生素B2片", 1, 0),
    ]
    assert [round(line.rate, 1) for line in report.rules] == [25.0, 100.0, 0.0]
    # c01: 3 shown, 1 taken; c02: 3 shown (1 pairing + 2 rule), 2 taken; nobody: 1, 0.
    assert [(c.cashier, c.shown, c.accepted) for c in report.cashiers] == [
        ("c01", 3, 1),
        ("c02", 3, 2),
        (None, 1, 0),
    ]
    assert (report.total.shown, report.total.accepted) == (7, 3)
    assert round(report.total.rate, 1) == 42.9


def test_since_leaves_out_earlier_events(
    events: dict[str, str], demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions() as session:
        report = suggestion_report(session, since=datetime(2026, 3, 5, tzinfo=UTC))
    assert [line.rule for line in report.rules] == [events["pairing"], events["rule"]]
    assert (report.total.shown, report.total.accepted) == (6, 3)
    assert [c.cashier for c in report.cashiers] == ["c01", "c02"]


def test_text_and_csv(events: dict[str, str], demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as session:
        report = suggestion_report(session)
    text = "\n".join(report_text(report))
    assert "category:cold_flu" in text and "P00063 维生素C片" in text
    assert "(no longer on file)" in text
    assert text.splitlines()[-1] == "Total: 7 shown, 3 accepted, attach rate 42.9%"
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [row["section"] for row in rows] == ["rule"] * 3 + ["cashier"] * 3 + ["total"]
    assert rows[0] == {
        "section": "rule", "rule": events["pairing"], "trigger": "category:cold_flu",
        "suggest_sku": "P00063", "product": "维生素C片", "cashier": "", "shown": "4",
        "accepted": "1", "attach_rate": "25.0",
    }  # fmt: skip
    assert (rows[-1]["shown"], rows[-1]["accepted"], rows[-1]["attach_rate"]) == ("7", "3", "42.9")


def test_empty_report(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as session:
        report = suggestion_report(session)
    assert list(report_text(report)) == ["No suggestion was shown in this period."]
    assert report_csv(report).splitlines()[-1] == "total,,,,,,0,0,0.0"


def test_cli_report(
    events: dict[str, str],
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in [name for name in os.environ if name.startswith("POS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    db = ["--db", str(db_path)]
    assert main(["report", "suggestions", *db, "--since", "2026-03-05", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "total,,,,,,6,3,50.0"
    assert main(["report", "suggestions", *db]) == EXIT_OK
    assert "attach rate 42.9%" in capsys.readouterr().out
    assert main(["report", "suggestions", *db, "--since", "March"]) == EXIT_USAGE
    assert main(["report", "suggestions", "--db", str(tmp_path / "none.db")]) == 1
