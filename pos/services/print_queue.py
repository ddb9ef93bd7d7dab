"""The print queue: receipts stored as print jobs, sent to the printer oldest first.

:func:`pos.services.printing.queue_receipt` stores a receipt's bytes as a job in
the sale's own transaction. The :class:`PrintSpooler` sends the queued jobs in
order from a worker thread; a job that fails stays queued with its error (shown
in the status line) and is tried again later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import printer
from pos.models import JobStatus, PrintJob
from pos.services.printing import PrintProfile
from printer.uri import NoPrinter, PrinterUri, parse_printer_uri

Sender = Callable[[PrinterUri, bytes, float], None]
"""Sends rendered bytes to a printer; raises :class:`printer.PrinterError`."""


@dataclass(frozen=True)
class PrinterStatus:
    """The print queue as the status bar shows it."""

    uri: str
    waiting: int
    error: str | None = None
    printed: int = 0
    """Jobs sent by the drain that produced this status."""


def waiting_jobs(session: Session) -> int:
    """How many print jobs wait to be sent."""
    return (
        session.scalar(
            select(func.count()).select_from(PrintJob).where(PrintJob.status == JobStatus.QUEUED)
        )
        or 0
    )


class PrintSpooler:
    """Sends queued print jobs oldest first, one sender at a time.

    A job is marked printed as soon as the printer has taken it, so it is
    printed once; a failure leaves it (and every job behind it) queued.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        profile: PrintProfile,
        send: Sender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._profile = profile
        self._uri = parse_printer_uri(profile.uri)
        self._send = send or printer.send
        self._clock = clock
        self._lock = threading.Lock()
        self._error: str | None = None

    def status(self) -> PrinterStatus:
        """How many jobs wait, and the last error while any do."""
        with self._sessions() as session:
            waiting = waiting_jobs(session)
        return PrinterStatus(self._profile.uri, waiting, self._error if waiting else None)

    def drain(self) -> PrinterStatus:
        """Send every queued job in order; stop at the first failure."""
        printed = 0
        with self._lock:
            printer.preload()  # the first pass runs at start: the first receipt renders at once
            while (job := self._next()) is not None:
                job_id, data = job
                if isinstance(self._uri, NoPrinter):
                    self._finish(job_id, JobStatus.NO_PRINTER)
                    continue
                try:
                    self._send(self._uri, data, self._profile.timeout)
                except printer.PrinterError as exc:
                    self._error = str(exc)
                    self._failed(job_id, self._error)
                    break
                self._error = None
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

    def _finish(self, job_id: int, status: JobStatus) -> None:
        with self._sessions.begin() as session:
            job = session.get_one(PrintJob, job_id)
            job.status = status
            job.attempts += 1
            job.last_error = None
            job.printed_at = self._clock()

    def _failed(self, job_id: int, error: str) -> None:
        with self._sessions.begin() as session:
            job = session.get_one(PrintJob, job_id)
            job.attempts += 1
            job.last_error = error[:300]
