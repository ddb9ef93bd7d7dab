"""The running register's sync: one pass at a time, called from a worker thread.

The app starts a pass every ``[sync] interval_seconds`` and after each sale;
the register never waits for head office: a pass that cannot reach it records
the reason and the items stay in the outbox for the next one.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pos.sync import central, runner
from pos.sync.runner import SyncStatus


class SyncAgent:
    """Syncs one register with head office; safe to call from worker threads."""

    def __init__(
        self, sessions: sessionmaker[Session], hq_url: str, store_code: str, register_id: str
    ) -> None:
        self.sessions = sessions
        self.hq_url = hq_url
        self.store_code = store_code
        self.register_id = register_id
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def run(self) -> SyncStatus:
        """One pass (skipped while another runs); the state after it."""
        if not self._lock.acquire(blocking=False):
            return self.status()
        try:
            if self._engine is None:
                self._engine = central.make_hq_engine(self.hq_url)
            runner.sync(self.sessions, self._engine, self.store_code, self.register_id)
        except runner.SyncFailed:
            pass  # recorded in the register's database; shown in the status bar
        except central.HqUrlError as exc:
            runner.record_error(self.sessions, str(exc))
        finally:
            self._lock.release()
        return self.status()

    def status(self) -> SyncStatus:
        """Waiting items, last sync and last error."""
        return runner.status(self.sessions)

    def close(self) -> None:
        """Close the connections to head office."""
        if self._engine is not None:
            self._engine.dispose()
