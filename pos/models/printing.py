"""The durable print queue: receipts rendered to ESC/POS bytes, sent by a worker."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp, UTCDateTime, enum_column, utcnow


class JobStatus(enum.StrEnum):
    """Where a print job stands."""

    QUEUED = "queued"
    """Waiting to be sent (again, after a failure: ``last_error`` says why)."""
    SENDING = "sending"
    """Being sent: stored before the first byte goes out. Found at start, the register
    stopped mid-job: it may have printed, so it becomes :attr:`INTERRUPTED`."""
    PRINTED = "printed"
    """Sent whole, and the printer answered its status OK (a ``file://`` write is trusted)."""
    INTERRUPTED = "interrupted"
    """The register stopped while sending it; a copy (marked COPY / 重印, no drawer kick)
    was queued instead, so the original is never sent again."""
    NO_PRINTER = "no_printer"
    """The register had no printer (``none``) when its turn came: preview only."""


class JobKind(enum.StrEnum):
    """What a print job prints."""

    RECEIPT = "receipt"
    REPRINT = "reprint"
    RETURN = "return"
    """A return's receipt."""
    DRAWER = "drawer"
    """The cash drawer opened without a sale."""
    SHIFT = "shift"
    """A shift's X or Z report."""


class PrintJob(Base):
    """One receipt to print, stored with its sale in the same transaction.

    Jobs are sent oldest first; a job that fails stays queued with the error
    and blocks the ones behind it, so receipts come out in order. A job is
    :attr:`JobStatus.SENDING` while it is sent and printed only once the printer
    confirmed it.
    """

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_status_id", "status", "id"),)

    id: Mapped[IntPK]
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind, 16))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    """The ESC/POS bytes, rendered when the job was made."""
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, 16), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
