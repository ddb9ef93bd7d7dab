"""A pharmacist signs what only a pharmacist may; safety content that is right.

Driven by keys as a cashier would: allergy and repeat-buyer warnings need a
pharmacist (logged in, or their id and PIN), stay until one acknowledges, are
stored with the sale (who and when) and shown on the prescription form; duplicate
ingredients count only within one route; health foods take no shelf guidance.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal, PharmacistModal
from pos.app.modals.pharmacy.prescription import PrescriptionModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.widgets.guidance_panel import GuidancePanel
from pos.cli import main
from pos.domain.members import members
from pos.domain.members.members import MemberForm
from pos.models import Sale, SaleWarning
from pos.register.sale.safety import PharmacyRules
from tests.conftest import NOW, TODAY
from tests.frontend.test_safety_ui import SIZE, VALID_ID, fill, message, scan
from tests.helpers import barcode_of, screen_text, type_text

MASKED_ID = "110105********002X"


async def sign(pilot: Pilot[Any], pharmacist: str = "yaoshi01", pin: str = "1234") -> None:
    """Type the pharmacist's id and PIN into the open PharmacistModal and sign (F12)."""
    await fill(pilot, pharmacist)
    await type_text(pilot, pin)
    await pilot.press("f12")


def enrol_allergic(sessions: sessionmaker[Session], phone: str = "13700137000") -> None:
    with sessions.begin() as session:
        form = MemberForm(
            phone=phone,
            name="周敏",
            consent_terms=True,
            consent_health=True,
            allergies="布洛芬",
        )
        members.enrol(session, form, NOW, TODAY, "001")


async def attach_member(pilot: Pilot[Any], phone: str = "13700137000") -> None:
    await pilot.press("f2")
    await type_text(pilot, phone)
    await pilot.press("enter")


def warnings_stored(sessions: sessionmaker[Session]) -> list[SaleWarning]:
    with sessions() as session:
        return list(session.scalars(select(SaleWarning).order_by(SaleWarning.id)))


def sales(sessions: sessionmaker[Session]) -> list[Sale]:
    with sessions() as session:
        return list(session.scalars(select(Sale).order_by(Sale.id)))


# -- (a) a cashier cannot clear an allergy warning -------------------------------------


async def test_a_cashiers_f9_never_clears_an_allergy_a_pharmacists_pin_does(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol_allergic(demo_sessions)
    app.register.login("shouyin01", "1111")  # a cashier sells
    async with app.run_test(size=SIZE) as pilot:
        await attach_member(pilot)
        await scan(pilot, barcode_of(demo_sessions, "P00031"))  # 布洛芬片
        assert "allergic" in message(app)
        await pilot.press("f9", "f12")  # the guidance said; then pay
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal) and prompt.warning
        assert "Only a pharmacist may acknowledge" in screen_text(app)
        assert "F9 Pharmacist signs" in screen_text(app)  # the footer says who, too
        assert "F9 Acknowledge" not in screen_text(app)
        await pilot.press("f9")  # the cashier's F9 only asks for a pharmacist
        assert isinstance(app.screen, PharmacistModal)
        assert "布洛芬" in screen_text(app)
        assert app.register.pending_checks()[0].kind == "warning"  # not cleared
        await pilot.press("escape")
        assert isinstance(app.screen, CheckoutScreen)
        assert "pharmacist must acknowledge" in message(app)
        await pilot.press("f12")  # payment is refused: the warning again
        assert isinstance(app.screen, AcknowledgeModal)
        await pilot.press("f9")
        await sign(pilot, "shouyin01", "1111")  # a cashier's own PIN does not sign
        assert isinstance(app.screen, PharmacistModal)
        assert "may not do this" in screen_text(app)
        app.screen.query_one("#pharmacist-id").value = ""  # type: ignore[attr-defined]
        app.screen.query_one("#pharmacist-id").focus()
        await sign(pilot)
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
    (warning,) = warnings_stored(demo_sessions)
    assert warning.kind == "allergy" and "布洛芬" in warning.detail
    assert warning.acknowledged_by == "yaoshi01" and warning.acknowledged_at == NOW
    assert sales(demo_sessions)[0].cashier == "shouyin01"


# -- (b) a pharmacist logged in acknowledges with F9 ------------------------------------


async def test_a_pharmacist_logged_in_acknowledges_with_f9(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol_allergic(demo_sessions)
    app.register.login("yaoshi01", "1234")
    async with app.run_test(size=SIZE) as pilot:
        await attach_member(pilot)
        await scan(pilot, barcode_of(demo_sessions, "P00031"))
        await pilot.press("f9", "f12")
        assert isinstance(app.screen, AcknowledgeModal) and app.screen.warning
        assert "The pharmacist checks it" in screen_text(app)
        assert "F9 Pharmacist signs" in screen_text(app)
        await pilot.press("f9")
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
    (warning,) = warnings_stored(demo_sessions)
    assert (warning.kind, warning.acknowledged_by) == ("allergy", "yaoshi01")


# -- (c) the repeat buyer of restricted products ------------------------------------------


async def sell_restricted(pilot: Pilot[Any], app: PosApp, code: str) -> None:
    """Scan two packs, say the guidance, F12, register the buyer."""
    await scan(pilot, code)
    await scan(pilot, code)
    await pilot.press("f9", "f12")
    await fill(pilot, "李四")
    await type_text(pilot, VALID_ID)
    await pilot.press("f12")


async def test_the_repeat_buyer_report_stays_until_a_pharmacist_acknowledges(
    app: PosApp,
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app.register.pharmacy = PharmacyRules(velocity_packs=4)  # 4 packs in 30 days: report
    app.register.login("shouyin01", "1111")
    code = barcode_of(demo_sessions, "P00004")
    async with app.run_test(size=SIZE) as pilot:
        await sell_restricted(pilot, app, code)  # 2 packs: under the threshold
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
        await pilot.pause()
        await sell_restricted(pilot, app, code)  # 2 more in the same month: report it
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal) and prompt.warning
        assert "Report it" in screen_text(app) and MASKED_ID in screen_text(app)
        assert "Invite to join" not in screen_text(app)
        assert not [note for note in app._notifications if "Report it" in note.message]
        await pilot.press("escape")  # back to the cart: still there on F12
        await pilot.press("f12")
        assert isinstance(app.screen, AcknowledgeModal) and "Report it" in screen_text(app)
        await pilot.press("f9")
        assert isinstance(app.screen, PharmacistModal)
        await sign(pilot)
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
    first, second = sales(demo_sessions)
    (warning,) = warnings_stored(demo_sessions)
    assert (warning.sale_id, warning.kind, warning.acknowledged_by) == (
        second.id,
        "velocity",
        "yaoshi01",
    )
    assert VALID_ID not in warning.detail
    capsys.readouterr()
    args = ["report", "restricted", "--from", "2026-03-10", "--to", "2026-03-10"]
    assert main([*args, "--format", "json", "--db", str(db_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["sale_number"], row["velocity_reached"]) for row in rows] == [
        (first.number, False),
        (second.number, True),
    ]
    row = rows[1]
    assert (row["buyer_name"], row["masked_id"], row["quantity"]) == ("李四", MASKED_ID, 2)
    assert row["pharmacist"] == "yaoshi01" and row["date"] == "2026-03-10"
    assert row["spec"] and row["manufacturer"] and row["lots"] and row["product"]
    assert main([*args, "--format", "csv", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert VALID_ID not in out
    table = list(csv.DictReader(io.StringIO(out)))
    assert [line["velocity_reached"] for line in table] == ["no", "yes"]
    assert main([*args, "--format", "table", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Restricted sales 2026-03-10 to 2026-03-10" in out and VALID_ID not in out
    assert main(["report", "restricted", "--from", "2026-03-11", "--db", str(db_path)]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 0
    assert main(["report", "restricted", "--from", "3-1", "--db", str(db_path)]) == 2


# -- (d) the prescription form shows the allergy ------------------------------------------


async def test_the_prescription_form_shows_the_members_allergy(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol_allergic(demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await attach_member(pilot)
        await scan(pilot, barcode_of(demo_sessions, "P00111"))  # an Rx drug
        await pilot.press("f9", "f12")
        assert isinstance(app.screen, PrescriptionModal)
        alerts = str(app.screen.query_one("#rx-alerts").render())
        assert "Allergies" in alerts and "布洛芬" in alerts


# -- (e) duplicate ingredients by route; no shelf guidance for health foods -------------


async def test_menthol_lozenge_and_cream_are_no_duplicate_two_oral_paracetamols_are(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00174"))  # 金嗓子喉片: menthol, oral
        await scan(pilot, barcode_of(demo_sessions, "P00126"))  # 皮炎平 cream: menthol, skin
        assert app.register.warnings() == []
        assert "Too much" not in message(app)
        await pilot.press("escape")
        app.register.clear_cart(app.register.approve("void", "dianzhang", "9999"))
        await scan(pilot, barcode_of(demo_sessions, "P00028"))  # 百服咛 对乙酰氨基酚片
        await scan(pilot, barcode_of(demo_sessions, "P00026"))  # 泰诺林 对乙酰氨基酚缓释片
        assert "对乙酰氨基酚" in message(app) and "Too much" in message(app)
        (warning,) = app.register.warnings()
        assert warning.kind == "duplicate_ingredient"


async def test_fish_oil_gets_no_multivitamin_guidance(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00068"))  # 汤臣倍健 鱼油软胶囊
        assert app.register.cart().lines[0].guidance is None
        assert not app.screen.query_one(GuidancePanel).display
        assert "multivitamin" not in screen_text(app).lower()
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)  # nothing to acknowledge
        await pilot.press("escape")
        await scan(pilot, barcode_of(demo_sessions, "P00064"))  # a vitamin C drug (OTC)
        assert app.register.cart().lines[-1].guidance is not None
