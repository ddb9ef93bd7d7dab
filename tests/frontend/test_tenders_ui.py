"""Tenders at the counter: refunds netted per tender on X, cash rounding, insured parts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.returns import ReturnModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.modals.staff.shift import ShiftReportModal
from pos.cli import main
from pos.config import Settings
from pos.domain.printing import printing
from pos.domain.returns.returns import ReturnRequest
from pos.enums import CashRounding, Tender
from pos.models import Payment, Product, Refund, Sale, SaleReturn, ShiftReport
from pos.register.service import RegisterIdentity, RegisterService
from pos.transfer.exports import SALE_CSV_COLUMNS, export_sales_csv, export_sales_jsonl
from pos.transfer.imports import PRODUCT_COLUMNS
from tests.catalogue_csv import EAN13_B, EAN13_C, load_products, product_row, to_csv
from tests.conftest import fixed_clock
from tests.domain.shifts.test_shifts import PROFILE
from tests.frontend.test_checkout_ui import SIZE, message, scan
from tests.frontend.test_shift_ui import open_shift
from tests.helpers import barcode_of, screen_text, type_text

VITAMIN_C = "P00063"  # 维生素C片, OTC-B, ¥3.50: insurance pays by its drug class
MASKS = "P00136"  # 医用口罩, not a drug, ¥9.90: insurance does not pay


def receipt_text(sessions: sessionmaker[Session]) -> str:
    """The stored sale's receipt in English."""
    with sessions() as session:
        sale = session.scalars(select(Sale)).one()
        return printing.preview_receipt(session, sale, PROFILE)


async def test_a_wechat_refund_is_netted_on_the_x_report(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("dianzhang", "9999")  # a manager refunds without a second approval
    async with app.run_test(size=SIZE) as pilot:
        await open_shift(pilot, app, "100")
        await scan(pilot, f"2*{barcode_of(demo_sessions, VITAMIN_C)}")
        await pilot.press("f9", "f12", "f6")  # guidance told; all by WeChat Pay
        assert isinstance(app.screen, CheckoutScreen)
        with demo_sessions() as session:
            number = session.scalars(select(Sale.number)).one()
        await scan(pilot, number)  # the receipt's QR code: a return
        assert isinstance(app.screen, ReturnModal)
        assert "WeChat Pay ¥0.00" not in screen_text(app)
        await pilot.press("f2")  # all of it
        assert "WeChat Pay ¥7.00" in screen_text(app)
        await pilot.press("f12")
        await pilot.pause()
        assert not isinstance(app.screen, ReturnModal)
        await pilot.press("ctrl+b", "f4")
        assert isinstance(app.screen, ShiftReportModal)
        assert "微信支付                                  ￥0.00" in screen_text(app)  # net
        text = app.screen.text  # the whole report, scrolled on screen, in the receipt's language
        assert "微信支付: 7.00 - 7.00 = 0.00" in text  # sales - refunds = net
        assert "退款: 7.00" in text
        await pilot.press("escape")
    with demo_sessions() as session:
        refund = session.scalars(select(Refund)).one()
        assert (refund.tender, refund.amount_fen) == (Tender.WECHAT, 700)
        data = session.scalars(select(ShiftReport.data)).one()
        assert data["tenders"] == {"wechat": 700}
        assert data["refund_tenders"] == {"wechat": 700}
        assert data["net_tenders"] == {"wechat": 0}
        assert data["expected_fen"] == 10000


async def test_cash_is_rounded_to_the_jiao_shown_and_stored(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    settings = Settings(register={"database": db_path}, store={"cash_rounding": "jiao"})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, MASKS))
        await scan(pilot, barcode_of(demo_sessions, VITAMIN_C))
        await pilot.press("f9", "f12")  # guidance told; ¥13.40
        assert isinstance(app.screen, PaymentModal)
        await type_text(pilot, "1.06")
        await pilot.press("f5")  # ¥1.06 by card: ¥12.34 left, ¥12.30 in cash
        assert "Cash due (rounded)" in screen_text(app)
        assert "¥12.30" in screen_text(app)
        await pilot.press("enter")  # the exact cash
        assert isinstance(app.screen, CheckoutScreen)
        assert "Change ¥0.00" in message(app)
        assert "Cash rounding" in screen_text(app)
        assert "¥-0.04" in screen_text(app)
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        assert (sale.total_fen, sale.rounding_fen) == (1340, 4)
        payments = session.scalars(select(Payment).order_by(Payment.seq)).all()
        assert [(p.tender, p.amount_fen, p.tendered_fen) for p in payments] == [
            (Tender.CARD, 106, None),
            (Tender.CASH, 1230, 1230),
        ]
    receipt = receipt_text(demo_sessions)
    assert "Cash rounding                            -￥0.04" in receipt


def test_cash_refund_with_jiao_rounding_records_its_rounding(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    settings = Settings(register={"database": db_path}, store={"cash_rounding": "jiao"})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    app.register.login("dianzhang", "9999")
    register = app.register
    register.scan(f"3*{barcode_of(demo_sessions, VITAMIN_C)}")
    tendering = register.start_payment()
    tendering.add(Tender.CARD, 6)  # ¥10.44 left: ¥10.40 in cash
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    line = register.find_return(number).lines[0]
    first = register.complete_return(number, ReturnRequest({line.sale_line_id: 1}))
    second = register.complete_return(number, ReturnRequest({line.sale_line_id: 2}))
    assert first.total_fen + second.total_fen == 1050
    cash = [fen for done in (first, second) for t, fen in done.refunds if t is Tender.CASH]
    card = [fen for done in (first, second) for t, fen in done.refunds if t is Tender.CARD]
    assert sum(cash) == 1040 and sum(card) == 6 and all(fen % 10 == 0 for fen in cash)
    assert first.rounding_fen + second.rounding_fen == 4  # undoes the sale's ¥0.04
    with demo_sessions() as session:
        stored = session.scalars(select(SaleReturn.rounding_fen).order_by(SaleReturn.id)).all()
        assert stored == [first.rounding_fen, second.rounding_fen]


async def test_insurance_pays_only_the_drug_and_the_export_says_so(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, MASKS))
        await scan(pilot, barcode_of(demo_sessions, VITAMIN_C))
        await pilot.press("f9", "f12")  # ¥13.40, of which ¥3.50 is a drug
        assert isinstance(app.screen, PaymentModal)
        assert "Insurance can pay (F8)" in screen_text(app)
        assert "¥3.50" in screen_text(app)
        await type_text(pilot, "13.40")
        await pilot.press("f8")
        assert "Medical insurance can pay at most ¥3.50 of this sale" in screen_text(app)
        await pilot.press(*["backspace"] * 5, "f8")  # empty: the most it may
        assert "¥9.90 to pay" in screen_text(app)
        await pilot.press("f8")  # no more
        assert "already paid all it may" in screen_text(app)
        await pilot.press("enter")  # the rest in cash
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        payments = session.scalars(select(Payment).order_by(Payment.seq)).all()
        assert [(p.tender, p.amount_fen) for p in payments] == [
            (Tender.INSURANCE, 350),
            (Tender.CASH, 990),
        ]
        [record] = [json.loads(line) for line in export_sales_jsonl(session)]
        rows = list(csv.reader(io.StringIO("".join(export_sales_csv(session)))))
    assert record["insured_fen"] == 350 and record["total_fen"] == 1340
    assert rows[0][-2] == "insured_fen" == SALE_CSV_COLUMNS[-2]
    assert {row[-2] for row in rows[1:]} == {"350"}
    receipt = receipt_text(demo_sessions)
    assert "Insurance paid                            ￥3.50" in receipt
    assert "Self-paid                                 ￥9.90" in receipt


def test_a_returned_mask_is_not_refunded_to_insurance(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    register = app.register
    register.login("dianzhang", "9999")
    register.scan(barcode_of(demo_sessions, MASKS))
    register.scan(barcode_of(demo_sessions, VITAMIN_C))
    tendering = register.start_payment()
    tendering.add(Tender.INSURANCE, None)  # ¥3.50: the vitamin C
    tendering.add(Tender.CASH, None)  # ¥9.90: the masks
    number = register.complete(tendering).number
    ids = {line.sku: line.sale_line_id for line in register.find_return(number).lines}
    masks = register.complete_return(number, ReturnRequest({ids[MASKS]: 1}))
    assert masks.refunds == ((Tender.CASH, 990),)
    drug = register.complete_return(number, ReturnRequest({ids[VITAMIN_C]: 1}))
    assert drug.refunds == ((Tender.INSURANCE, 350),)


def test_the_daily_report_totals_the_cash_rounding(
    demo_sessions: sessionmaker[Session], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    identity = RegisterIdentity("001", "01", cash_rounding=CashRounding.JIAO)
    register = RegisterService(demo_sessions, identity, fixed_clock)
    register.login("dianzhang", "9999")
    for card_fen in (106, 102):  # ¥12.34 left → ¥12.30 (+4); ¥12.38 → ¥12.40 (-2)
        register.scan(barcode_of(demo_sessions, MASKS))
        register.scan(barcode_of(demo_sessions, VITAMIN_C))
        tendering = register.start_payment()
        tendering.add(Tender.CARD, card_fen)
        tendering.add(Tender.CASH, None)
        number = register.complete(tendering).number
    line = register.find_return(number).lines[0]  # the masks of the second sale: ¥9.90
    returned = register.complete_return(number, ReturnRequest({line.sale_line_id: 1}))
    assert returned.rounding_fen != 0
    args = ["report", "daily", "--date", "2026-03-10", "--db", str(db_path)]
    capsys.readouterr()
    assert main([*args, "--format", "csv"]) == 0
    rows = {
        (r["section"], r["key"]): r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
    }
    assert rows[("summary", "cash_rounding")]["amount_fen"] == "2"
    assert rows[("summary", "refund_rounding")]["amount_fen"] == str(returned.rounding_fen)
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rounding_fen"] == 2
    assert data["refunds"]["rounding_fen"] == returned.rounding_fen
    assert main([*args, "--format", "text"]) == 0
    assert "Cash rounding" in capsys.readouterr().out


def test_the_insurance_column_flags_products_and_empty_means_by_drug_class(
    sessions: sessionmaker[Session],
) -> None:
    header = (*PRODUCT_COLUMNS, "insurance")
    report = load_products(
        sessions,
        to_csv(
            header,
            [*product_row(sku="T001"), ""],  # OTC-A: yes by class
            [*product_row(sku="T002", barcodes=EAN13_B, drug_class="none"), ""],
            [*product_row(sku="T003", barcodes=EAN13_C, drug_class="rx"), "NO"],
            [*product_row(sku="T004", barcodes="", drug_class="none"), "yes"],
        ),
    )
    assert report.errors == []
    with sessions() as session:
        found = {p.sku: p.insurable for p in session.scalars(select(Product))}
    assert found == {"T001": True, "T002": False, "T003": False, "T004": True}
    bad = load_products(sessions, to_csv(header, [*product_row(sku="T005"), "maybe"]))
    assert bad.errors and "insurance must be yes, no or empty" in str(bad.errors[0])
