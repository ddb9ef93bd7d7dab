"""The print queue: receipts stored as print jobs, sent to the printer oldest first.

Every job (a receipt, a return receipt, an X or Z report, a drawer kick) is queued
by :func:`queue_job`, in the transaction of what it prints (a sale is never stored
without its receipt). Once that transaction commits, the :class:`PrintSpooler`
calls its ``on_queued`` callback (the app wires it at start to print at once).
The spooler sends the queued jobs in order from a worker thread; a job that
fails stays queued with its error (shown in the status line) and is tried again later.

A job is printed when the printer says so (:func:`printer.send` confirms with the
printer's real-time status; a ``file://`` write is trusted, ``none`` prints
nothing). Before its bytes go out the job is stored as ``sending``; a job still
``sending`` when the register starts was cut off by a crash and may have printed,
so the first pass replaces it by a copy marked COPY / 重印 without the drawer kick.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

import printer
from pos.i18n import translator
from pos.models import JobKind, JobStatus, PrintJob
from printer.uri import NoPrinter, PrinterUri, parse_printer_uri

if TYPE_CHECKING:
    from pos.domain.printing.printing import PrintProfile

Sender = Callable[[PrinterUri, bytes, float], None]
"""Sends rendered bytes to a printer; raises :class:`printer.PrinterError`."""

OnQueued = Callable[[], None]
"""Called once after a transaction that queued print jobs committed (from its thread)."""

QUEUED = "pos.print_jobs_queued"
"""The key of ``Session.info`` marking a transaction that queued print jobs."""


def queue_job(
    session: Session,
    kind: JobKind,
    data: bytes,
    now: datetime,
    sale_id: int | None = None,
) -> PrintJob:
    """Queue ``data`` to print, in ``session``'s transaction (the caller commits).

    The one way a print job enters the queue: the spooler learns of it when the
    transaction commits.
    """
    job = PrintJob(kind=kind, sale_id=sale_id, created_at=now, data=data)
    session.add(job)
    session.info[QUEUED] = True
    return job


def queue_drawer_kick(session: Session, profile: PrintProfile, now: datetime) -> bool:
    """Queue the pulse that opens the cash drawer, when the register has one (True then)."""
    if not profile.cash_drawer:
        return False
    queue_job(session, JobKind.DRAWER, printer.drawer_kick(), now)
    return True


@dataclass(frozen=True)
class PrinterStatus:
    """The print queue as the status bar shows it."""

    uri: str
    waiting: int
    error: str | None = None
    printed: int = 0
    """Jobs sent by the drain that produced this status."""


WAITING = (JobStatus.QUEUED, JobStatus.SENDING)
"""Not confirmed printed yet."""


def waiting_jobs(session: Session) -> int:
    """How many print jobs wait to be sent (or to be confirmed printed)."""
    return (
        session.scalar(
            select(func.count()).select_from(PrintJob).where(PrintJob.status.in_(WAITING))
        )
        or 0
    )


def waiting_reason(session: Session) -> str | None:
    """Why the oldest waiting job is not printed yet (its last error), if it failed."""
    return session.scalar(
        select(PrintJob.last_error)
        .where(PrintJob.status.in_(WAITING))
        .order_by(PrintJob.id)
        .limit(1)
    )


def copy_of(job: PrintJob, profile: PrintProfile) -> bytes | None:
    """The bytes to print instead of ``job``, which may already have printed.

    A copy marked COPY / 重印 in the receipt's language, without the drawer kick; a
    reprint keeps its own mark; a drawer kick alone is not repeated (None).
    """
    from pos.domain.printing.printing import LABELS  # printing queues through this module

    if job.kind is JobKind.DRAWER:
        return None
    label = None
    if job.kind is not JobKind.REPRINT:
        label = translator(profile.language).gettext(LABELS["copy"])
    return printer.as_copy(
        job.data, label, profile.paper_width, profile.encoding, profile.chinese_commands
    )


class PrintSpooler:
    """Sends queued print jobs oldest first, one sender at a time.

    A job is marked sending before it is sent and printed once the printer
    confirmed it; a failure leaves it (and every job behind it) queued with the
    reason. The first pass turns jobs left sending by a crash into copies.
    ``on_queued`` is called after each transaction of ``sessions`` that queued jobs
    (:func:`queue_job`) committed.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        profile: PrintProfile,
        send: Sender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_queued: OnQueued | None = None,
    ) -> None:
        self._sessions = sessions
        self._profile = profile
        self._uri = parse_printer_uri(profile.uri)
        self._send = send or printer.send
        self._clock = clock
        self._lock = threading.Lock()
        self._recovered = False
        self._on_queued: OnQueued | None = None
        self.set_on_queued(on_queued)

    def set_on_queued(self, on_queued: OnQueued | None) -> None:
        """Call ``on_queued`` (None: nothing) whenever queued jobs were committed."""
        listening = self._on_queued is not None
        self._on_queued = on_queued
        if on_queued is not None and not listening:
            event.listen(self._sessions, "after_commit", self._committed)
        elif on_queued is None and listening:
            event.remove(self._sessions, "after_commit", self._committed)

    def _committed(self, session: Session) -> None:
        if session.info.pop(QUEUED, False) and self._on_queued is not None:
            self._on_queued()

    def status(self) -> PrinterStatus:
        """How many jobs wait, and why the oldest is not printed while any do."""
        with self._sessions() as session:
            return PrinterStatus(self._profile.uri, waiting_jobs(session), waiting_reason(session))

    @staticmethod
    def preload() -> None:
        """Import python-escpos now (about 0.4 s; from a worker thread once the first screen
        is up, never on the way to it), so that the first receipt renders at once."""
        printer.preload()

    def drain(self) -> PrinterStatus:
        """Send every queued job in order; stop at the first failure."""
        printed = 0
        with self._lock:
            if not self._recovered:
                self._recover()
                self._recovered = True
            while (job := self._next()) is not None:
                job_id, data = job
                if isinstance(self._uri, NoPrinter):
                    self._finish(job_id, JobStatus.NO_PRINTER)
                    continue
                self._sending(job_id)
                try:
                    self._send(self._uri, data, self._profile.timeout)
                except printer.PrinterError as exc:
                    self._failed(job_id, str(exc))
                    break
                self._finish(job_id, JobStatus.PRINTED)
                printed += 1
        status = self.status()
        return PrinterStatus(status.uri, status.waiting, status.error, printed)

    def _next(self) -> tuple[int, bytes] | None:
        with self._sessions() as session:
            job = session.scalars(
                select(PrintJob)
                .where(PrintJob.status == JobStatus.QUEUED)
                .order_by(PrintJob.id)
                .limit(1)
            ).first()
            return None if job is None else (job.id, job.data)

    def _recover(self) -> None:
        """Replace each job a crash left sending by a copy queued behind the others."""
        with self._sessions.begin() as session:
            cut_off = session.scalars(
                select(PrintJob).where(PrintJob.status == JobStatus.SENDING).order_by(PrintJob.id)
            ).all()
            for job in cut_off:
                job.status = JobStatus.INTERRUPTED
                job.last_error = "interrupted while sending: it may have printed"
                data = copy_of(job, self._profile)
                if data is not None:
                    kind = JobKind.REPRINT if job.kind is JobKind.RECEIPT else job.kind
                    queue_job(session, kind, data, self._clock(), job.sale_id)

    def _sending(self, job_id: int) -> None:
        """Store that the job is being sent, before its first byte goes out."""
        with self._sessions.begin() as session:
            job = session.get_one(PrintJob, job_id)
            job.status = JobStatus.SENDING
            job.attempts += 1

    def _finish(self, job_id: int, status: JobStatus) -> None:
        with self._sessions.begin() as session:
            job = session.get_one(PrintJob, job_id)
            if status is JobStatus.NO_PRINTER:
                job.attempts += 1
            job.status = status
            job.last_error = None
            job.printed_at = self._clock()

    def _failed(self, job_id: int, error: str) -> None:
        with self._sessions.begin() as session:
            job = session.get_one(PrintJob, job_id)
            job.status = JobStatus.QUEUED
            job.last_error = error[:300]
