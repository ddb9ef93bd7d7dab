"""Who is at the register: login with id and PIN, lock, wrong-PIN throttling, first manager.

Three wrong PINs in a row lock the login for 30 seconds, then each further
wrong PIN doubles the wait (at most 5 minutes). The cart stays while the
register is locked; another user may unlock it and carry on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from pos.i18n import _
from pos.models import User
from pos.services import audit, users
from pos.services.codes import InputError
from pos.services.register_state import RegisterState

FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=5)


@dataclass(frozen=True)
class UserView:
    """The user logged in at the register."""

    id: str
    name: str
    role: str


class LoginDesk(RegisterState):
    """Logins at the register (a part of :class:`RegisterService`)."""

    user: UserView | None = None
    _failures: int = 0
    _locked_until: datetime | None = None

    def has_users(self) -> bool:
        """False for a new store: the register asks for its first manager."""
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(User)))

    def _check_throttle(self) -> None:
        """Refuse while too many wrong PINs in a row are being waited out."""
        now = self.now()
        if self._locked_until is not None and now < self._locked_until:
            wait = int((self._locked_until - now).total_seconds()) + 1
            raise InputError(_("Too many wrong PINs: wait {n} s").format(n=wait))

    def _failed_try(self) -> None:
        """Count a wrong PIN; past the free tries, make the next one wait."""
        self._failures += 1
        if self._failures >= FREE_TRIES:
            extra = self._failures - FREE_TRIES
            self._locked_until = self.now() + min(FIRST_WAIT * 2**extra, LONGEST_WAIT)

    def login(self, user_id: str, pin: str) -> UserView:
        """Log ``user_id`` in with ``pin``; wrong PINs are throttled. Both are audited."""
        self._check_throttle()
        failure: InputError | None = None
        with self._sessions.begin() as session:
            try:
                found = users.check_credentials(session, user_id, pin)
            except InputError as exc:
                failure = exc
                self._failed_try()
                audit.record(session, "login.failed", at=self.now(), subject=user_id.strip()[:32])
            else:
                self.user = UserView(found.id, found.name, found.role)
                audit.record(session, "login", at=self.now(), actor=found.id)
        if failure is not None:
            raise failure
        self._failures, self._locked_until = 0, None
        assert self.user is not None
        return self.user

    def add_first_manager(self, user_id: str, name: str, pin: str, again: str) -> UserView:
        """Create the store's first user, a manager, and log them in."""
        if pin != again:
            raise InputError(_("The two PINs differ"))
        with self._sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(User)):
                raise InputError(_("This store already has users: log in"))
            users.add_user(session, user_id.strip(), name, "manager", pin, self.now())
        return self.login(user_id, pin)

    def lock(self) -> None:
        """Lock the register; the cart stays for whoever unlocks it."""
        if self.user is not None:
            with self._sessions.begin() as session:
                audit.record(session, "lock", at=self.now(), actor=self.user.id)
        self.user = None

    @property
    def cashier(self) -> str | None:
        """The id of the user selling, for the sale's record."""
        return self.user.id if self.user else None
