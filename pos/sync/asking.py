"""Questions to head office while a customer waits at the counter.

A redemption confirmed (:mod:`pos.sync.redemption`) and an attached member's health
notes fetched (:mod:`pos.sync.health`) are asked the same way: on a fresh connection
each time (no idle connection held per register, none gone stale to hang on), every
step bounded by the counter's short timeout, and after a failure head office is not
asked again for :data:`RETRY_AFTER` seconds, so that the next customers are served
offline at once rather than each waiting for the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from pos.sync import central

T = TypeVar("T")

RETRY_AFTER = 60.0
"""Seconds after head office failed to answer during which the counter does not ask again."""


class Unanswered(Exception):
    """Head office could not be asked, or did not answer in time (the counter is offline)."""


class HqQuestions:
    """Asks head office one question at a time, each in its own short transaction."""

    def __init__(
        self,
        hq_url: str,
        timeout_seconds: int,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``name``: how head office's connection list shows the asker (``pos-redeem``…)."""
        self.hq_url = hq_url
        self.timeout_seconds = timeout_seconds
        self.name = name
        self._clock = clock
        self._engine: Engine | None = None
        self._quiet_until = 0.0

    def ask(self, question: Callable[[Session], T]) -> T:
        """``question``'s answer, run in one head-office transaction; :class:`Unanswered`
        when head office cannot be asked (then not again for :data:`RETRY_AFTER` s)."""
        if self._clock() < self._quiet_until:
            raise Unanswered("head office did not answer a moment ago")
        try:
            with central.hq_sessions(self._hq_engine()).begin() as hq:
                return question(hq)
        except (SQLAlchemyError, OSError, central.HqUrlError) as exc:
            self._quiet_until = self._clock() + RETRY_AFTER
            raise Unanswered(str(exc)) from exc

    def _hq_engine(self) -> Engine:
        if self._engine is None:
            millis = self.timeout_seconds * 1000
            self._engine = create_engine(
                central.engine_url(self.hq_url),
                poolclass=NullPool,
                connect_args={
                    "connect_timeout": self.timeout_seconds,
                    "tcp_user_timeout": millis,
                    "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
                    "application_name": self.name,
                    "prepare_threshold": None,  # no server-side prepared statements (PgBouncer)
                },
            )
        return self._engine

    def close(self) -> None:
        """Forget the engine and the last failure."""
        self._quiet_until = 0.0
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
