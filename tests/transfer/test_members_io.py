"""Members in and out: CSV import, members and sales exports, data requests (show/export/erase)."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.domain.members import members, points_ledger
from pos.domain.members.member_care import erase_member, export_member
from pos.domain.members.segments import SegmentRules
from pos.enums import Tender
from pos.models import Member, PointsEntry, Sale
from pos.register.service import RegisterService
from pos.transfer.exports import (
    Segmenter,
    export_members_csv,
    export_members_jsonl,
    export_sales_jsonl,
)
from pos.transfer.imports import ImportReport
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of, empty_config

TIERS = ("normal", "silver", "gold", "platinum")
HEALTH_COLUMNS = ("health_consent", "allergies", "conditions")
ZONE = "Asia/Shanghai"
HEADER = ",".join(MEMBER_COLUMNS)
CARD = "2900000000018"
PHONE, OTHER_PHONE, THIRD_PHONE = "13912340001", "18622220002", "15033330003"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))


def card(body: str) -> str:
    """``body`` (12 digits) with its EAN-13 check digit."""
    return body + ean.calc_check_digit(body)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def good_row(card_no: str = CARD, phone: str = PHONE, points: str = "120") -> str:
    return f"{card_no},{phone},王小明,m,1980-05-06,silver,{points},2025-01-02"


def run_import(
    sessions: sessionmaker[Session], data: bytes, skip_bad: bool = False
) -> ImportReport:
    with sessions.begin() as session:
        return import_members(session, data, TIERS, NOW, ZONE, "001", skip_bad)


def all_members(sessions: sessionmaker[Session]) -> list[Member]:
    with sessions() as session:
        return list(session.scalars(select(Member).order_by(Member.id)))


def ledger(sessions: sessionmaker[Session], member_id: int) -> list[tuple[int, str, int]]:
    with sessions() as session:
        rows = session.execute(
            select(PointsEntry.delta, PointsEntry.reason, PointsEntry.balance_after)
            .where(PointsEntry.member_id == member_id)
            .order_by(PointsEntry.id)
        )
        return [(delta, reason, after) for delta, reason, after in rows]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- import: the rows -------------------------------------------------------------------


def test_good_rows_create_members_with_keys_consents_and_opening_points(
    sessions: sessionmaker[Session],
) -> None:
    data = csv_bytes(
        good_row(),
        f",{OTHER_PHONE},李 梅,女,,,0,2024-06-30T09:15:00+08:00",
        ",+86 150-3333-0003,陈静,,,gold,,",
    )
    report = run_import(sessions, data)

    assert (report.created, report.updated, report.errors) == (3, 0, [])
    first, second, third = all_members(sessions)
    assert (first.card_no, first.phone, first.name, first.gender) == (CARD, PHONE, "王小明", "m")
    assert (first.birthday, first.tier, first.phone_last4) == (date(1980, 5, 6), "silver", "0001")
    assert first.name_initials == "wxm"
    assert (first.consent_terms, first.consent_marketing, first.consent_health) == (
        True,
        False,
        False,
    )
    # A date alone is the start of that day in the store (UTC+8).
    assert first.enrolled_at == datetime(2025, 1, 1, 16, 0, tzinfo=UTC)
    assert second.enrolled_at == datetime(2024, 6, 30, 1, 15, tzinfo=UTC)
    assert (second.name, second.gender, second.tier) == ("李 梅", "f", "normal")
    assert third.phone == THIRD_PHONE and third.enrolled_at == NOW
    for generated in (second.card_no, third.card_no):
        assert members.is_card_no(generated)
    assert second.card_no != third.card_no
    assert ledger(sessions, first.id) == [(120, "import", 120)]
    assert ledger(sessions, second.id) == ledger(sessions, third.id) == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (good_row(phone="12345678901"), "not a mainland mobile"),
        (good_row(phone="1391234000"), "11 digits"),
        (good_row(phone="139123400a1"), "11 digits"),
        (good_row(card_no=CARD[:-1] + "1"), "not a member card"),
        (good_row(card_no=card("690000000001")), "not a member card"),
        (good_row(card_no="29000000000"), "not a member card"),
        (f"{CARD},{PHONE},王小明,m,1980-13-01,silver,1,", "YYYY-MM-DD"),
        (f"{CARD},{PHONE},王小明,m,1980/05/06,silver,1,", "YYYY-MM-DD"),
        (f"{CARD},{PHONE},王小明,m,2026-03-11,silver,1,", "in the future"),
        (f"{CARD},{PHONE}, ,m,,silver,1,", "name is empty"),
        (f"{CARD},{PHONE},王小明,x,,silver,1,", "Gender"),
        (f"{CARD},{PHONE},王小明,m,,diamond,1,", "tier must be one of"),
        (good_row(points="-5"), "points must be"),
        (good_row(points="1.5"), "points must be"),
        (good_row(points="many"), "points must be"),
        (f"{CARD},{PHONE},王小明,m,,silver,1,yesterday", "enrolled_at"),
        (f"{CARD},{PHONE},王小明,m,,silver,1,2026-03-11", "in the future"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_imported(
    sessions: sessionmaker[Session], row: str, reason: str
) -> None:
    report = run_import(sessions, csv_bytes(good_row(card("290000000002"), OTHER_PHONE), row))

    [error] = report.errors
    assert error.line == 3 and reason in error.reason, error.reason
    assert not report.applied
    assert all_members(sessions) == []


def test_duplicate_phone_and_card_in_the_file_are_bad_rows(
    sessions: sessionmaker[Session],
) -> None:
    data = csv_bytes(
        good_row(),
        good_row(card_no="", phone=PHONE),
        good_row(card_no=CARD, phone=OTHER_PHONE),
    )
    report = run_import(sessions, data)

    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "phone 139****0001 already on line 2"),
        (4, f"card_no {CARD} already on line 2"),
    ]
    assert all_members(sessions) == []


def test_a_phone_of_another_member_in_the_database_is_a_bad_row(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, csv_bytes(good_row()))
    report = run_import(sessions, csv_bytes(good_row(card_no="", phone=PHONE)))

    [error] = report.errors
    assert error.line == 2 and f"belongs to another member ({CARD})" in error.reason
    assert "13912340001" not in error.reason
    assert len(all_members(sessions)) == 1


def test_skip_bad_imports_the_good_rows(sessions: sessionmaker[Session]) -> None:
    data = csv_bytes(good_row(), good_row(card_no="", phone="1234"), f",{OTHER_PHONE},李梅,,,,,")
    report = run_import(sessions, data, skip_bad=True)

    assert report.applied and report.created == 2 and [e.line for e in report.errors] == [3]
    assert [m.phone for m in all_members(sessions)] == [PHONE, OTHER_PHONE]


def test_reimport_updates_the_member_and_sets_points_through_the_ledger(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, csv_bytes(good_row(points="500")))
    with sessions.begin() as session:  # consents given at the counter since
        member = session.scalars(select(Member)).one()
        member.consent_health = True
        member.allergies = "青霉素"

    report = run_import(sessions, csv_bytes(f"{CARD},{OTHER_PHONE},王晓明,m,1980-05-06,gold,300,"))
    assert (report.created, report.updated) == (0, 1)
    run_import(sessions, csv_bytes(f"{CARD},{OTHER_PHONE},王晓明,m,1980-05-06,gold,300,"))

    [member] = all_members(sessions)
    assert (member.phone, member.phone_last4, member.name, member.tier) == (
        OTHER_PHONE,
        "0002",
        "王晓明",
        "gold",
    )
    assert member.enrolled_at == datetime(2025, 1, 1, 16, 0, tzinfo=UTC)  # kept when empty
    assert member.consent_health and member.allergies == "青霉素"
    assert ledger(sessions, member.id) == [(500, "import", 500), (-200, "import", 300)]
    with sessions() as session:
        assert (
            points_ledger.balance(session, member.id)
            == points_ledger.ledger_sum(session, member.id)
            == 300
        )


def test_bom_and_unknown_columns(sessions: sessionmaker[Session]) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(good_row() + ",x", header=HEADER + ",remark")
    report = run_import(sessions, data)

    assert report.created == 1 and report.warnings == ["Ignoring unknown column(s): remark"]


# -- import: the command ----------------------------------------------------------------


def test_cli_import_bad_rows_exit_1_and_import_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = csv_bytes(good_row(), good_row(card_no="", phone="1391234000"), good_row(points="-1"))
    path = write(tmp_path / "members.csv", bad)

    code = main(["import", "members", str(path), "--db", str(db_path)])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "line 3: A mobile number has 11 digits" in err and "line 4: " in err
    assert "Nothing imported: 2 bad row(s)" in err
    code = main(["import", "members", str(path), "--db", str(db_path), "--skip-bad"])
    assert code == EXIT_FAILED
    assert "1 created, 0 updated" in capsys.readouterr().err


def test_cli_import_good_file_exits_0(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "members.csv", csv_bytes(good_row()))

    assert main(["import", "members", str(path), "--db", str(db_path)]) == EXIT_OK
    assert "1 created, 0 updated" in capsys.readouterr().out


# -- import: health data ----------------------------------------------------------------

HEALTH_HEADER = HEADER + ",health_consent,allergies,conditions"


def health_row(consent: str, allergies: str = "", conditions: str = "", phone: str = PHONE) -> str:
    return f"{good_row(phone=phone)},{consent},{allergies},{conditions}"


def test_health_data_is_stored_with_consent(sessions: sessionmaker[Session]) -> None:
    data = csv_bytes(health_row("yes", "青霉素| NSAIDs |", "高血压|糖尿病"), header=HEALTH_HEADER)
    report = run_import(sessions, data)

    assert (report.created, report.errors, report.warnings) == (1, [], [])
    [member] = all_members(sessions)
    assert member.consent_health is True
    assert (member.allergies, member.conditions) == ("青霉素,NSAIDs", "高血压,糖尿病")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (health_row("", "青霉素"), "only with health_consent = yes"),
        (health_row("no", "", "高血压"), "only with health_consent = yes"),
        (health_row("maybe"), "health_consent must be yes, no or empty"),
        (health_row("yes", "青霉素，磺胺"), "separate the names with |"),
        (health_row("yes", "", '"高血压,糖尿病"'), "separate the names with |"),
        (health_row("yes", "|".join(f"过敏原{n:03d}" for n in range(40))), "under 200 characters"),
    ],
)
def test_bad_health_columns_are_a_bad_row(
    sessions: sessionmaker[Session], row: str, reason: str
) -> None:
    good = health_row("yes", "青霉素", phone=OTHER_PHONE).replace(CARD, "", 1)
    report = run_import(sessions, csv_bytes(good, row, header=HEALTH_HEADER))

    [error] = report.errors
    assert error.line == 3 and reason in error.reason, error.reason
    assert all_members(sessions) == []


def test_reimport_no_withdraws_consent_and_empty_keeps_the_data(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, csv_bytes(health_row("yes", "青霉素"), header=HEALTH_HEADER))
    run_import(sessions, csv_bytes(health_row(""), header=HEALTH_HEADER))
    [member] = all_members(sessions)
    assert (member.consent_health, member.allergies) == (True, "青霉素")

    run_import(sessions, csv_bytes(health_row("no"), header=HEALTH_HEADER))
    [member] = all_members(sessions)
    assert (member.consent_health, member.allergies, member.conditions) == (False, "", "")


def test_health_data_is_exported_only_with_consent(sessions: sessionmaker[Session]) -> None:
    data = csv_bytes(
        health_row("yes", "布洛芬|NSAIDs", "高血压"),
        health_row("", phone=OTHER_PHONE).replace(CARD, "", 1),
        header=HEALTH_HEADER,
    )
    run_import(sessions, data)
    with sessions() as session:
        consenting, other = (json.loads(line) for line in export_members_jsonl(session))
        text = "".join(export_members_csv(session))
        member = members.by_card(session, other["card_no"])
        assert member is not None
        assert export_member(session, member)["health"] is None

    assert consenting["health"] == {"allergies": ["布洛芬", "NSAIDs"], "conditions": ["高血压"]}
    assert other["health"] is None
    header, first, second = csv.reader(io.StringIO(text))
    column = {name: index for index, name in enumerate(header)}
    assert [first[column[name]] for name in HEALTH_COLUMNS] == [
        "yes",
        "布洛芬|NSAIDs",
        "高血压",
    ]
    assert [second[column[name]] for name in HEALTH_COLUMNS] == ["no", "", ""]
    report = run_import(sessions, text.encode())  # the export imports again unchanged
    assert (report.updated, report.errors) == (2, [])
    assert [(m.consent_health, m.allergies) for m in all_members(sessions)] == [
        (True, "布洛芬,NSAIDs"),
        (False, ""),
    ]


def test_demo_members_with_health_data(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as session:
        consenting = list(session.scalars(select(Member).where(Member.consent_health)))
    allergies = {item for m in consenting for item in m.allergies.split(",") if item}
    conditions = {item for m in consenting for item in m.conditions.split(",") if item}
    assert {"布洛芬", "NSAIDs", "青霉素"} <= allergies and "高血压" in conditions


# -- members export ---------------------------------------------------------------------


@pytest.fixture
def three_members(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Three imported members; the second is then erased."""
    data = csv_bytes(
        good_row(),
        f"{card('290000000002')},{OTHER_PHONE},李梅,f,,gold,900,2024-06-30T09:15:00+08:00",
        f"{card('290000000003')},{THIRD_PHONE},陈静,,,normal,0,",
    )
    run_import(sessions, data)
    with sessions.begin() as session:
        member = members.by_card(session, card("290000000002"))
        assert member is not None
        erase_member(session, member, NOW)
        third = members.by_card(session, card("290000000003"))
        assert third is not None
        third.consent_marketing = True
        points_ledger.post_points(session, third.id, 40, "adjust", NOW)
    return sessions


SEGMENTS = Segmenter(TODAY, "Asia/Shanghai", SegmentRules(lapsed_days=1000, at_risk_days=900))
"""Segments as of the fixed day, with thresholds that keep a 2025 enrolment active."""


def test_export_members_jsonl(three_members: sessionmaker[Session]) -> None:
    with three_members() as session:
        text = "".join(export_members_jsonl(session, SEGMENTS))
    first, second = (json.loads(line) for line in text.splitlines())

    assert first == {
        "card_no": CARD,
        "phone": PHONE,
        "name": "王小明",
        "gender": "m",
        "birthday": "1980-05-06",
        "tier": "silver",
        "points": 120,
        "enrolled_at": "2025-01-01T16:00:00Z",
        "consents": {"terms": True, "marketing": False, "health": False},
        "health": None,
        "tier_until": None,
        "referrer": None,
        "segment": "active",
    }
    assert second["segment"] == "new"
    assert (second["phone"], second["points"], second["gender"], second["birthday"]) == (
        THIRD_PHONE,
        40,
        None,
        None,
    )
    assert second["consents"] == {"terms": True, "marketing": True, "health": False}
    assert second["enrolled_at"] == "2026-03-10T02:00:00Z"


def test_export_members_csv_reimports_unchanged(
    three_members: sessionmaker[Session],
) -> None:
    with three_members() as session:
        text = "".join(export_members_csv(session, SEGMENTS))
    header, *rows = csv.reader(io.StringIO(text))

    assert header == [
        *MEMBER_COLUMNS, *HEALTH_COLUMNS, "consents", "tier_until", "referrer", "segment"
    ]  # fmt: skip
    assert rows == [
        [CARD, PHONE, "王小明", "m", "1980-05-06", "silver", "120", "2025-01-01T16:00:00Z",
         "no", "", "", "terms", "", "", "active"],
        [card("290000000003"), THIRD_PHONE, "陈静", "", "", "normal", "40",
         "2026-03-10T02:00:00Z", "no", "", "", "terms|marketing", "", "", "new"],
    ]  # fmt: skip
    report = run_import(three_members, text.encode())
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    with three_members() as session:
        assert session.scalar(select(func.count()).select_from(PointsEntry)) == 3


def test_cli_export_members(
    three_members: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "members", "--db", str(db_path), "--format", "csv"]) == EXIT_OK
    assert capsys.readouterr().out.count("\n") == 3


# -- sales export with points ---------------------------------------------------------


def test_sales_export_has_points_and_a_points_tender(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.tier == "platinum")).first()
        assert member is not None
        card_no, before = member.card_no, points_ledger.balance(session, member.id)
    register.attach_card(card_no)
    register.scan("10*" + barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    points_payment = tendering.add(Tender.POINTS, 2000)
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)

    with demo_sessions() as session:
        [record] = [json.loads(line) for line in export_sales_jsonl(session)]
    assert record["member"] == card_no
    assert record["points_redeemed"] == sale.points_redeemed == 2000
    assert record["points_earned"] == sale.points_earned > 0
    assert record["payments"][0] == {"tender": "points", "amount_fen": points_payment.amount_fen}
    assert record["payments"][1]["tender"] == "cash"
    with demo_sessions() as session:
        member = members.by_card(session, card_no)
        assert member is not None
        assert points_ledger.balance(session, member.id) == before - 2000 + sale.points_earned


# -- data requests: show, export, erase -----------------------------------------------


def test_member_show_masks_the_phone(
    three_members: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["member", "show", PHONE, "--db", str(db_path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "139****0001" in out and PHONE not in out
    assert f"Card no.: {CARD}" in out and "Points: 120" in out and "Tier: silver" in out


def test_member_query_matching_none_or_several_exits_1(
    three_members: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["member", "show", "13800000000", "--db", str(db_path)]) == EXIT_FAILED
    assert "No member matches 13800000000" in capsys.readouterr().err
    run_import(three_members, csv_bytes(f",{OTHER_PHONE},王小红,,,,,"))

    assert main(["member", "show", "王小", "--db", str(db_path)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "2 members match 王小" in err and "phone or the card number" in err
    assert "139****0001" in err and "186****0002" in err and PHONE not in err


def test_member_export_is_the_full_json(
    three_members: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "member.json"

    assert main(["member", "export", CARD, "--db", str(db_path), "-o", str(out)]) == EXIT_OK
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["phone"] == PHONE and data["card_no"] == CARD
    assert data["points"]["balance"] == 120


def test_export_member_content(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions.begin() as session:
        member = session.scalars(select(Member).where(Member.tier == "gold")).first()
        assert member is not None
        member.consent_health = True
        member.allergies = "青霉素,磺胺"
        card_no = member.card_no
    register.attach_card(card_no)
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)

    with demo_sessions() as session:
        member = members.by_card(session, card_no)
        assert member is not None
        data: dict[str, Any] = export_member(session, member)
    json.dumps(data)
    assert data["card_no"] == card_no and data["phone"] == member.phone
    assert data["consents"]["health"] is True
    assert data["health"] == {"allergies": ["青霉素", "磺胺"], "conditions": []}
    assert [entry["reason"] for entry in data["points"]["ledger"]] == ["import", "earn"]
    assert data["points"]["ledger"][1]["sale"] == sale.number
    assert data["points"]["balance"] == data["points"]["ledger"][-1]["balance_after"]
    assert data["sales"] == [
        {
            "number": sale.number,
            "completed_at": "2026-03-10T02:00:00Z",
            "total_fen": sale.total_fen,
            "points_earned": sale.points_earned,
            "points_redeemed": 0,
        }
    ]


def test_member_erase_needs_yes(
    three_members: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["member", "erase", PHONE, "--db", str(db_path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Would erase member" in err and "--yes" in err and PHONE not in err
    assert all_members(three_members)[0].phone == PHONE


def test_member_erase_keeps_sales_detached(
    register: RegisterService,
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with demo_sessions() as session:
        member = session.scalars(select(Member).order_by(Member.id)).first()
        assert member is not None
        member_id, card_no, phone = member.id, member.card_no, member.phone
    for sku in ("P00001", "P00005"):
        register.attach_card(card_no)
        register.scan(barcode_of(demo_sessions, sku))
        tendering = register.start_payment()
        tendering.add(Tender.CASH, None)
        register.complete(tendering)
    with demo_sessions() as session:
        before = session.execute(
            select(func.count(), func.sum(Sale.total_fen)).where(Sale.member_id == member_id)
        ).one()
        entries = len(ledger(demo_sessions, member_id))

    assert main(["member", "erase", str(phone), "--db", str(db_path), "--yes"]) == EXIT_OK
    anonymous = f"X{member_id:012d}"
    assert anonymous in capsys.readouterr().out

    with demo_sessions() as session:
        after = session.execute(
            select(func.count(), func.sum(Sale.total_fen)).where(Sale.member_id == member_id)
        ).one()
        assert tuple(after) == tuple(before) and before[0] == 2
        assert set(session.scalars(select(Sale.member).where(Sale.member_id == member_id))) == {
            anonymous
        }
        member = session.get(Member, member_id)
        assert member is not None
        assert member.card_no == anonymous and member.erased_at is not None
        personal = (member.phone, member.phone_last4, member.name, member.name_initials,
                    member.gender, member.birthday)  # fmt: skip
        assert personal == (None,) * 6
        assert (member.allergies, member.conditions) == ("", "")
        assert not (member.consent_terms or member.consent_marketing or member.consent_health)
        assert members.find(session, str(phone)) == []
        assert members.by_card(session, card_no) is None
    assert len(ledger(demo_sessions, member_id)) == entries
    assert main(["member", "show", str(phone), "--db", str(db_path)]) == EXIT_FAILED


def test_demo_store_has_members_with_ledger_balances(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions() as session:
        everyone = list(session.scalars(select(Member)))
        assert len(everyone) >= 35
        for member in everyone:
            assert members.is_card_no(member.card_no) and member.phone_last4
            assert points_ledger.balance(session, member.id) == points_ledger.ledger_sum(
                session, member.id
            )
