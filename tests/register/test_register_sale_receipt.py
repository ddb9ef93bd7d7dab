"""The receipt queued with a sale prints what the sale's own transaction recorded beside
it (the reviewed prescription), the same as a receipt of the stored sale does later."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.pharmacy.safety import PrescriptionForm
from pos.enums import Tender
from pos.models import JobKind, Prescription, PrintJob
from pos.register.service import RegisterIdentity, RegisterService
from tests.conftest import fixed_clock
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
