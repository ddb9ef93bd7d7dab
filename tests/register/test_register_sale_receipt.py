"""The receipt queued with a sale prints what the sale's own transaction recorded beside
it (the reviewed prescription), each line's maker, lots and guidance, and the coming
promotions, the same as a receipt of the stored sale does later."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.pharmacy.guidance import guidance_for
from pos.domain.pharmacy.safety import PrescriptionForm
from pos.enums import Tender
from pos.models import JobKind, Prescription, PrintJob, Product, Promotion, SaleLineLot
from pos.register.service import RegisterIdentity, RegisterService
from tests.conftest import NOW, TODAY, fixed_clock
from tests.domain.printing.test_printing import decode
from tests.helpers import barcode_of


def test_the_sales_receipt_prints_its_prescription_as_a_later_copy_does(
    demo_sessions: sessionmaker[Session],
) -> None:
    register = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    register.login("yaoshi01", "1234")
    register.scan(barcode_of(demo_sessions, "P00001"))
    for warning in register.warnings():
        register.acknowledge(warning.key)
    register.review_prescription(
        PrescriptionForm("RX-20260309-7", "市一医院 张医生", "2026-03-09", "王芳"),
        "yaoshi01",
        "1234",
    )
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    register.reprint(number)
    with demo_sessions() as session:
        assert session.scalars(select(Prescription.number)).all() == ["RX-20260309-7"]
        jobs = {job.kind: decode(job.data) for job in session.scalars(select(PrintJob))}
    receipt, copy = jobs[JobKind.RECEIPT], jobs[JobKind.REPRINT]
    assert "RX-20260309-7" in receipt and "王药师" in receipt
    assert "王芳" not in receipt  # the patient is not printed
    block = receipt[receipt.index("RX-20260309-7") :]
    assert block in copy  # the copy, from the stored sale, prints the same to the end
    _, preview = register.receipt_preview(number)
    assert "RX-20260309-7" in preview and "王药师" in preview


def test_each_line_prints_its_maker_lots_and_its_products_guidance(
    demo_sessions: sessionmaker[Session],
) -> None:
    register = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    register.login("yaoshi01", "1234")
    skus = ("P00001", "P00063")  # medicines with guidance
    for sku in skus:
        register.scan(barcode_of(demo_sessions, sku))
    register.scan("6952523006714")  # a mask: no guidance
    for warning in register.warnings():
        register.acknowledge(warning.key)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    with demo_sessions() as session:
        receipt = "".join(decode(session.scalars(select(PrintJob)).one().data).split())
        for sku in skus:
            product = session.scalars(select(Product).where(Product.sku == sku)).one()
            guidance = guidance_for(session, product)
            assert guidance is not None
            expected = f"{product.name}{product.spec}"
            assert expected in receipt
            after = receipt[receipt.index(expected) :]
            assert after.index(product.manufacturer) < after.index("".join(guidance.usage.split()))
            assert "".join((guidance.usage + guidance.dosage).split()) in after
        lots = session.scalars(select(SaleLineLot.lot_number)).all()
    assert len(lots) >= 3 and all(lot in receipt for lot in lots)
    assert receipt.count("用法用量") == 2
    preview = register.receipt_preview(number)[1]  # from the stored sale
    assert "".join(preview[: preview.index("[QR")].split()) in receipt


def test_the_receipt_previews_the_three_promotions_starting_next(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        for promotion in session.scalars(select(Promotion).where(Promotion.starts > TODAY)):
            session.delete(promotion)
        for days, name in ((9, "九日后"), (2, "两日后"), (30, "月后"), (5, "五日后"), (0, "今日")):
            session.add(
                Promotion(
                    id=f"P-{days}",
                    name=name,
                    kind="percent",
                    target="sku:P00063",
                    starts=TODAY + timedelta(days=days),
                    ends=TODAY + timedelta(days=days + 7),
                    params={"percent": 10},
                    updated_at=NOW,
                )
            )
    register = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    register.login("shouyin01", "1111")
    register.scan(barcode_of(demo_sessions, "P00063"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    with demo_sessions() as session:
        receipt = decode(session.scalars(select(PrintJob)).one().data)
    coming = receipt[receipt.index("促销预告") :]
    assert [name in coming for name in ("两日后", "五日后", "九日后", "月后", "今日")] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert coming.index("两日后") < coming.index("五日后") < coming.index("九日后")
    assert "03-12 至 03-19：两日后" in coming
    assert "促销预告" in register.receipt_preview(number)[1]
