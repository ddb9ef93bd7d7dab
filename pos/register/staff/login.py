"""Who is at the register: login with id and PIN, lock, wrong-PIN throttling, first manager.

Every PIN typed at the register (login, unlock, a manager's approval) is one
attempt against that user id. Three wrong PINs in a row lock that user for 30
seconds, then each further wrong PIN doubles the wait (at most 5 minutes). The
count is kept in the database (``pin_throttle``), so a restart does not clear
it, and only the user's own correct PIN resets it: another user's login does
not. An unknown id locks nobody and is audited as unknown, never by the text
typed. Empty fields or a PIN that is not 4 to 8 digits are no attempt at all.
The cart stays while the register is locked; another user may unlock it.

:class:`Login` is one of the register's collaborators: it takes the session
factory, the store's time and the register's identity, and holds who is logged in.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.domain.staff import audit, users
from pos.i18n import _
from pos.models import PinThrottle, User
from pos.register.state import RegisterIdentity, StoreTime

FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=5)
UNKNOWN_USER = "unknown"
"""How the audit log names an id that is no user (the typed text is not stored)."""


@dataclass(frozen=True)
class UserView:
    """The user logged in at the register."""

    id: str
    name: str
    role: str


class Login:
    """Who is at the register: logins, the lock, PIN attempts and their throttle."""

    def __init__(
        self, sessions: sessionmaker[Session], time: StoreTime, identity: RegisterIdentity
    ) -> None:
        self._sessions = sessions
        self._time = time
        self._identity = identity
        self.user: UserView | None = None

    def has_users(self) -> bool:
        """False for a new store: the register asks for its first manager."""
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(User)))

    def _wait_left(self, throttle: PinThrottle | None, now: datetime) -> int:
        """Seconds ``throttle`` still makes its user wait (0: none)."""
        if throttle is None or throttle.locked_until is None or now >= throttle.locked_until:
            return 0
        return math.ceil((throttle.locked_until - now).total_seconds())

    def _failed_try(self, session: Session, user_id: str, now: datetime) -> None:
        """Count a wrong PIN of ``user_id``; past the free tries, lock them (audited)."""
        throttle = session.get(PinThrottle, user_id)
        if throttle is None:
            throttle = PinThrottle(user_id=user_id, failures=0)
            session.add(throttle)
        throttle.failures += 1
        if throttle.failures >= FREE_TRIES:
            extra = throttle.failures - FREE_TRIES
            wait = min(FIRST_WAIT * 2 ** min(extra, 16), LONGEST_WAIT)
            throttle.locked_until = now + wait
            audit.record(
                session,
                "login.locked",
                at=now,
                subject=user_id,
                detail={"failures": throttle.failures, "seconds": int(wait.total_seconds())},
            )
        session.flush()

    def check_pin_attempt(
        self,
        user_id: str,
        pin: str,
        roles: Collection[str],
        refused: str,
        detail: Mapping[str, Any] | None = None,
    ) -> User:
        """One PIN attempt by ``user_id``: the user if right and allowed, else InputError.

        A wrong PIN counts against that user (see the module docstring) and is
        audited as ``refused``; a refusal for a right PIN (disabled, wrong role)
        is audited too but counts as no wrong PIN. Raised messages are the
        user-facing reason; callers may hide it.
        """
        user_id = user_id.strip()
        if not user_id or not users.PIN_PATTERN.match(pin):
            raise InputError(_("Type your user id and PIN (4 to 8 digits)"))
        now = self._time.now()
        failure: InputError | None = None
        with self._sessions.begin() as session:
            known = session.get(User, user_id)
            throttle = session.get(PinThrottle, user_id) if known is not None else None
            found = None
            if wait := self._wait_left(throttle, now):
                failure = InputError(_("Too many wrong PINs: wait {n} s").format(n=wait))
                audit_detail = {**(detail or {}), "wait": wait}
            elif (found := users.pin_owner(session, user_id, pin)) is None:
                failure = InputError(_("Wrong user id or PIN"))
                audit_detail = {**(detail or {}), **({} if known else {"user": UNKNOWN_USER})}
                if known is not None:
                    self._failed_try(session, known.id, now)
            else:
                if throttle is not None:
                    session.delete(throttle)
                try:
                    users.check_allowed(found, roles)
                except InputError as exc:
                    failure, audit_detail = exc, dict(detail or {})
            if failure is not None:
                subject = known.id if known is not None else ""
                audit.record(
                    session,
                    refused,
                    at=now,
                    actor=self.cashier,  # who is at the register (none while locked)
                    subject=subject,
                    detail=audit_detail,
                )
        if failure is not None:
            raise failure
        assert found is not None
        return found

    def login(self, user_id: str, pin: str) -> UserView:
        """Log ``user_id`` in with ``pin``; wrong PINs are throttled per user. Both are audited."""
        found = self.check_pin_attempt(user_id, pin, users.ROLES, "login.failed")
        with self._sessions.begin() as session:
            audit.record(session, "login", at=self._time.now(), actor=found.id)
        self.user = UserView(found.id, found.name, found.role)
        return self.user

    def add_first_manager(self, user_id: str, name: str, pin: str, again: str) -> UserView:
        """Create the store's first user, a manager, and log them in."""
        if pin != again:
            raise InputError(_("The two PINs differ"))
        with self._sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(User)):
                raise InputError(_("This store already has users: log in"))
            users.add_user(
                session,
                user_id.strip(),
                name,
                "manager",
                pin,
                self._time.now(),
                staff_digits=self._identity.staff_pin_digits,
            )
        return self.login(user_id, pin)

    def lock(self) -> None:
        """Lock the register; the cart stays for whoever unlocks it."""
        if self.user is not None:
            with self._sessions.begin() as session:
                audit.record(session, "lock", at=self._time.now(), actor=self.user.id)
        self.user = None

    def user_language(self) -> str | None:
        """The screen language the logged-in user chose (None: none, or nobody logged in)."""
        if self.user is None:
            return None
        with self._sessions() as session:
            return users.language_of(session, self.user.id)

    def set_user_language(self, language: str) -> None:
        """Remember ``language`` for the logged-in user (nobody logged in: nothing to do)."""
        if self.user is not None:
            with self._sessions.begin() as session:
                users.set_language(session, self.user.id, language)

    @property
    def cashier(self) -> str | None:
        """The id of the user selling, for the sale's record."""
        return self.user.id if self.user else None
