"""The running register's sync: one pass at a time, called from a worker thread.

The app starts a pass every ``[sync] interval_seconds`` and after each sale;
the register never waits for head office: a pass that cannot reach it records
the reason and the items stay in the outbox for the next one. The pass itself
runs in a daemon thread of its own, so closing the register never waits on
the network: :meth:`SyncAgent.close` cuts the link and lets the caller go.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pos.config import SyncSettings
from pos.sync import central, runner
from pos.sync.runner import SyncStatus

WAIT_STEP = 0.05
"""Seconds between looks at whether the register closed while a pass runs."""


def link_of(settings: SyncSettings) -> central.LinkSettings:
    """The timeouts toward head office from the ``[sync]`` settings."""
    return central.LinkSettings(
        statement_timeout=settings.statement_timeout_seconds,
        lock_timeout=settings.lock_timeout_seconds,
        idle_in_transaction=settings.idle_in_transaction_seconds,
        stall=settings.stall_seconds,
    )


class SyncAgent:
    """Syncs one register with head office; safe to call from worker threads."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        hq_url: str,
        store_code: str,
        register_id: str,
        settings: SyncSettings | None = None,
    ) -> None:
        self.sessions = sessions
        self.hq_url = hq_url
        self.store_code = store_code
        self.register_id = register_id
        self.settings = settings or SyncSettings()
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def run(self) -> SyncStatus:
        """One pass (skipped while another runs); the state after it.

        Returns when the pass ends or as soon as the agent is closed.
        """
        if self._closed.is_set() or not self._lock.acquire(blocking=False):
            return self.status()
        done = threading.Event()

        def work() -> None:
            try:
                self._pass()
            finally:
                self._lock.release()
                done.set()

        threading.Thread(target=work, name="pos-sync", daemon=True).start()
        while not done.wait(WAIT_STEP):
            if self._closed.is_set():
                break
        return self.status()

    def _pass(self) -> None:
        try:
            if self._engine is None:
                self._engine = central.make_hq_engine(self.hq_url, link_of(self.settings))
            runner.sync(
                self.sessions,
                self._engine,
                self.store_code,
                self.register_id,
                page_size=self.settings.page_size,
                retention=timedelta(days=self.settings.outbox_retention_days),
            )
        except runner.SyncFailed:
            pass  # recorded in the register's database; shown in the status bar
        except central.HqUrlError as exc:
            runner.record_error(self.sessions, str(exc))

    def status(self) -> SyncStatus:
        """Waiting items, last sync and last error."""
        return runner.status(self.sessions)

    def close(self) -> None:
        """Stop: cut the connections in use and close the others (never waits on them)."""
        self._closed.set()
        if self._engine is not None:
            guard = central.watchdog(self._engine)
            if guard is not None:
                guard.cut_all()
            self._engine.dispose(close=False)
