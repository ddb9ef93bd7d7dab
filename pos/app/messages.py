"""Messages that workers and the print queue's callback post to the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the register is imported once ready (pos.app.boot)
    from pos.register.api import PrinterStatus, SyncStatus


@dataclass
class PrintJobsQueued(Message):
    """Print jobs (a receipt, a report, a drawer kick) were committed to the queue: print them.

    Posted only by the app, from the print queue's callback (see ``PosApp.on_mount``).
    """


@dataclass
class PrinterStatusChanged(Message):
    """The print worker finished a pass over the queue."""

    status: PrinterStatus


@dataclass
class PrintRetryRequested(Message):
    """The cashier asked to try the waiting receipts again now."""


@dataclass
class BackupFinished(Message):
    """The daily backup worker is done: ``failure`` says why it failed (None: it worked)."""

    failure: str | None


@dataclass
class SyncStatusChanged(Message):
    """A pass of the chain sync ended (or the outbox grew)."""

    status: SyncStatus


@dataclass
class LanguageChosen(Message):
    """The screen should speak ``language`` (``zh_CN``, ``en``): switched, or a user logged in."""

    language: str
