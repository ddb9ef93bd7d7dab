"""Returns and refunds: shares of what was paid, stock, points, codes, exports, the screen."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.modals.returns import ReturnModal
from pos.app.modals.staff.override import OverrideModal
from pos.cli import main
from pos.domain.members import points_ledger
from pos.domain.returns import quarantine
from pos.domain.returns.returns import ReturnRequest, refund_split
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import (
    AuditEvent,
    JobKind,
    Lot,
    Member,
    OutboxItem,
    PointsEntry,
    PrintJob,
    Product,
    QuarantineItem,
    SaleReturn,
    StockMovement,
)
from pos.register.service import RegisterService
from pos.register.staff.overrides import Approval, OverrideNeeded
from pos.transfer.exports import SALE_CSV_COLUMNS, export_sales_csv, export_sales_jsonl
from tests.conftest import NOW, TODAY
from tests.frontend.test_checkout_ui import SIZE, message, scan
from tests.helpers import barcode_of, screen_text, type_text

MEMBER_CARD = "2959121000841"


def sell(register: RegisterService, *codes: str, card_fen: int | None = None) -> str:
    """Sell ``codes`` (part by card when given, the rest in cash); the sale number."""
    for code in codes:
        register.scan(code)
    tendering = register.start_payment()
    if card_fen:
        tendering.add(Tender.CARD, card_fen)
    tendering.add(Tender.CASH, None)
    return register.complete(tendering).number


def lines_of(register: RegisterService, number: str) -> dict[str, int]:
    """Sale line id by SKU."""
    return {line.sku: line.sale_line_id for line in register.find_return(number).lines}


def approve(action: str = "refund") -> Approval:
    return Approval(action, "dianzhang")


def test_partial_returns_refund_shares_of_each_tender_and_never_more(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    number = sell(
        register,
        f"3*{barcode_of(demo_sessions, 'P00063')}",
        barcode_of(demo_sessions, "P00001"),
        card_fen=1000,
    )
    sale = register.find_return(number)
    ids = lines_of(register, number)
    with pytest.raises(OverrideNeeded):  # a cashier's refund needs a manager
        register.complete_return(number, ReturnRequest({ids["P00063"]: 1}))
    first = register.complete_return(number, ReturnRequest({ids["P00063"]: 1}), approve())
    vitamin = next(line for line in sale.lines if line.sku == "P00063")
    assert first.total_fen == vitamin.total_fen // 3
    assert sum(fen for _tender, fen in first.refunds) == first.total_fen
    with pytest.raises(InputError, match="at most 2"):
        register.complete_return(number, ReturnRequest({ids["P00063"]: 3}), approve())
    rest = {line.sale_line_id: line.qty_left for line in register.find_return(number).lines}
    second = register.complete_return(number, ReturnRequest(rest), approve())
    assert first.total_fen + second.total_fen == sale.total_fen
    with demo_sessions() as session:
        refunds = session.execute(
            select(SaleReturn.number, func.count()).group_by(SaleReturn.number)
        ).all()
        assert len(refunds) == 2
        stored = session.scalars(select(SaleReturn)).all()
        by_tender: dict[Tender, int] = {}
        for record in stored:
            for refund in record.refunds:
                by_tender[refund.tender] = by_tender.get(refund.tender, 0) + refund.amount_fen
    assert by_tender == {Tender.CARD: 1000, Tender.CASH: sale.total_fen - 1000}
    with pytest.raises(InputError, match="already returned in full"):
        register.find_return(number)


def test_refund_split_is_exact_over_many_parts() -> None:
    tenders = [(Tender.CARD, 333), (Tender.WECHAT, 667), (Tender.CASH, 1)]
    done: list[int] = []
    paid = dict.fromkeys((t for t, _f in tenders), 0)
    for part in (100, 1, 450, 449, 1):
        for tender, fen in refund_split(tenders, done, part):
            paid[tender] += fen
        done.append(part)
    assert paid == {Tender.CARD: 333, Tender.WECHAT: 667, Tender.CASH: 1}


def test_stock_goes_to_quarantine_unless_put_back_on_sale(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    def on_hand(sku: str) -> int:
        with demo_sessions() as session:
            product = session.scalars(select(Product).where(Product.sku == sku)).one()
            return sum(lot.quantity for lot in product.lots)

    number = sell(
        register, f"2*{barcode_of(demo_sessions, 'P00063')}", barcode_of(demo_sessions, "P00001")
    )
    before = on_hand("P00063"), on_hand("P00001")
    ids = lines_of(register, number)
    request = ReturnRequest(
        {ids["P00063"]: 2, ids["P00001"]: 1}, restock=frozenset({ids["P00063"]})
    )
    done = register.complete_return(number, request, approve())
    assert done.quarantined == 1
    assert (on_hand("P00063"), on_hand("P00001")) == (before[0] + 2, before[1])
    with demo_sessions() as session:
        [held] = session.scalars(select(QuarantineItem)).all()
        assert held.qty == 1 and held.lot_id is not None
        moved = session.scalars(select(StockMovement).where(StockMovement.reason == "return"))
        assert sum(m.delta for m in moved) == 2


def test_points_earned_are_reversed_and_points_redeemed_given_back(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan(MEMBER_CARD)
    register.scan(f"4*{barcode_of(demo_sessions, 'P00063')}")
    tendering = register.start_payment()
    tendering.add(Tender.POINTS, 100)
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)
    assert sale.points_earned > 0 and sale.points_redeemed > 0
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.card_no == MEMBER_CARD)).one()
        balance = points_ledger.balance(session, member.id)
    ids = lines_of(register, sale.number)
    done = register.complete_return(sale.number, ReturnRequest({ids["P00063"]: 4}), approve())
    assert (done.points_reversed, done.points_restored) == (
        sale.points_earned,
        sale.points_redeemed,
    )
    assert (Tender.POINTS, 100) in done.refunds
    assert sum(fen for tender, fen in done.refunds if tender is not Tender.POINTS) == (
        done.total_fen - 100
    )
    with demo_sessions() as session:
        after = points_ledger.balance(session, member.id)
        reasons = session.scalars(
            select(PointsEntry.reason).where(PointsEntry.member_id == member.id)
        ).all()
    assert after == balance - sale.points_earned + sale.points_redeemed
    assert "refund" in reasons and "refund-restore" in reasons


def test_exports_list_returns_with_type_and_original(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    number = sell(register, barcode_of(demo_sessions, "P00063"))
    ids = lines_of(register, number)
    done = register.complete_return(number, ReturnRequest({ids["P00063"]: 1}), approve())
    with demo_sessions() as session:
        records = [json.loads(line) for line in export_sales_jsonl(session)]
        rows = "".join(export_sales_csv(session)).splitlines()
    assert [(r["type"], r["original"]) for r in records] == [("sale", None), ("return", number)]
    assert records[1]["number"] == done.number
    assert records[1]["refunds"] == [{"tender": "cash", "amount_fen": done.total_fen}]
    assert rows[0].split(",")[-4:] == ["type", "original", "insured_fen", "rating"]
    assert list(SALE_CSV_COLUMNS[-4:]) == ["type", "original", "insured_fen", "rating"]
    assert rows[-1].endswith(f",return,{number},0,")
    with demo_sessions() as session:  # head office hears of it through the outbox
        [item] = session.scalars(select(OutboxItem).where(OutboxItem.kind == "return")).all()
        assert item.key == done.number


def test_bad_sale_numbers_and_a_cart_in_progress_change_nothing(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(InputError, match="No sale"):
        register.find_return("S001-01-20260310-9999")
    number = sell(register, barcode_of(demo_sessions, "P00063"))
    register.scan(barcode_of(demo_sessions, "P00001"))
    with pytest.raises(InputError, match="before a return"):
        register.find_return(number)
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(SaleReturn)) == 0


async def test_return_by_scanning_the_receipt_code(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    app.register.login("shouyin01", "1111")
    number = sell(app.register, f"2*{barcode_of(demo_sessions, 'P00063')}")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, number)  # the receipt's QR code
        assert isinstance(app.screen, ReturnModal)
        assert "维生素C片" in screen_text(app)
        await type_text(pilot, "5")  # more than was sold
        await pilot.press("enter")
        assert "from 0 to 2" in screen_text(app)
        await pilot.press("f2", "f12")  # all of it; refund
        assert isinstance(app.screen, OverrideModal)
        await type_text(pilot, "dianzhang")
        await pilot.press("enter", *"9999", "f12")
        await pilot.pause()
        assert not isinstance(app.screen, ReturnModal)
        assert f"on {number}" in message(app)
        await scan(pilot, number)  # a sale is not refunded twice
        assert "already returned in full" in message(app)
    with demo_sessions() as session:
        record = session.scalars(select(SaleReturn)).one()
        assert (record.cashier, record.approved_by) == ("shouyin01", "dianzhang")
        assert [line.qty for line in record.lines] == [2]
        assert JobKind.RETURN in session.scalars(select(PrintJob.kind)).all()
        refund = session.scalars(select(AuditEvent).where(AuditEvent.action == "refund")).one()
        assert refund.subject == record.number
        assert session.scalar(select(func.sum(Lot.quantity))) is not None


def test_a_manager_may_refund_everything_in_cash(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    number = sell(register, f"2*{barcode_of(demo_sessions, 'P00063')}", card_fen=300)
    ids = lines_of(register, number)
    done = register.complete_return(
        number, ReturnRequest({ids["P00063"]: 2}, to_cash=True, reason="wrong item"), approve()
    )
    assert done.refunds == ((Tender.CASH, done.total_fen),)
    with demo_sessions() as session:
        record = session.scalars(select(SaleReturn)).one()
        assert (record.reason, record.approved_by) == ("wrong item", "dianzhang")


def test_quarantine_export_lists_what_came_back(
    register: RegisterService,
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = sell(register, f"2*{barcode_of(demo_sessions, 'P00063')}")
    ids = lines_of(register, number)
    done = register.complete_return(number, ReturnRequest({ids["P00063"]: 2}), approve())
    assert main(["export", "quarantine", "--db", str(db_path)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == [
        "id", "sku", "name", "lot", "qty", "return", "original", "returned_at", "status"
    ]  # fmt: skip
    [row] = rows[1:]
    assert (row[1], row[4], row[5], row[6], row[8]) == ("P00063", "2", done.number, number, "held")
    item = row[0]
    assert main(["quarantine", "list", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.startswith(f"{item}\tP00063\t")
    before = on_hand(demo_sessions, "P00063")
    release = ["quarantine", "release", item, "--by", "dianzhang", "--db", str(db_path)]
    assert main(release) == 0  # the package was intact: back on sale
    assert on_hand(demo_sessions, "P00063") == before + 2
    assert main(release) == 1  # decided once only
    assert "already released" in capsys.readouterr().err
    assert main(["quarantine", "destroy", item, "--by", "dianzhang", "--db", str(db_path)]) == 1
    assert on_hand(demo_sessions, "P00063") == before + 2
    with demo_sessions() as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "quarantine.released")
        ).all()
        assert event.actor == "dianzhang"


def test_quarantined_units_without_a_lot_can_only_be_destroyed(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    sold_out = on_hand(demo_sessions, "P00063") + 1
    register.scan(f"{sold_out}*{code}", Approval("override.no_stock", "dianzhang"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    ids = lines_of(register, number)
    register.complete_return(number, ReturnRequest({ids["P00063"]: sold_out}), approve())
    with demo_sessions.begin() as session:
        [no_lot] = [i for i in quarantine.held(session) if i.lot_id is None]
        with pytest.raises(InputError, match="no lot"):
            quarantine.release(session, no_lot.id, "dianzhang", NOW, TODAY)
        quarantine.destroy(session, no_lot.id, "dianzhang", NOW, "box damaged")
        assert no_lot.resolution == "destroyed"


def on_hand(sessions: sessionmaker[Session], sku: str) -> int:
    with sessions() as session:
        product = session.scalars(select(Product).where(Product.sku == sku)).one()
        return sum(lot.quantity for lot in product.lots)
