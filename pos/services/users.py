"""Register users (cashiers, pharmacists, managers) and their PINs.

A PIN is stored only as a salted scrypt hash, ``scrypt$16384$8$1$<salt hex>$<hash hex>``,
and compared in constant time. Data functions take a Session and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.i18n import _
from pos.models import User
from pos.names import role_name
from pos.services.codes import InputError

ROLES = ("cashier", "pharmacist", "manager")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
MAX_SCRYPT_N = 2**20
_PIN = re.compile(r"^[0-9]{4,8}$")
_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_DUMMY_HASH: list[str] = []
"""A hash to check a PIN against when the user is unknown, so both take as long."""


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=HASH_BYTES
    )


def check_pin(pin: str) -> str:
    """The PIN if it is 4 to 8 digits, else :class:`InputError`."""
    if not _PIN.match(pin):
        raise InputError(_("A PIN is 4 to 8 digits"))
    return pin


def hash_pin(pin: str) -> str:
    """A new salted scrypt hash of ``pin`` (a different one on every call)."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(stored: str, pin: str) -> bool:
    """True when ``pin`` matches the ``stored`` hash (constant-time); False if malformed."""
    try:
        scheme, n_text, r_text, p_text, salt_hex, hash_hex = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not (1 < n <= MAX_SCRYPT_N) or not (0 < r <= 32 and 0 < p <= 16):
        return False
    if len(expected) != HASH_BYTES or not salt:
        return False
    try:
        actual = _scrypt(pin, salt, n, r, p)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def check_user_id(user_id: str) -> str:
    """A user id: letters, digits, ``.``, ``_`` or ``-``, at most 32 characters."""
    if not _USER_ID.match(user_id):
        raise InputError(
            _("A user id is letters, digits, '.', '_' or '-' (at most 32): {id!r}").format(
                id=user_id
            )
        )
    return user_id


def add_user(session: Session, id: str, name: str, role: str, pin: str, now: datetime) -> User:
    """Create an active user; :class:`InputError` for a taken id or a bad field."""
    check_user_id(id)
    name = " ".join(name.split())
    if not name or len(name) > 64 or not name.isprintable():
        raise InputError(_("The user's name is empty, too long or not printable"))
    if role not in ROLES:
        raise InputError(
            _("role must be one of {roles}, not {role!r}").format(roles=", ".join(ROLES), role=role)
        )
    check_pin(pin)
    if session.get(User, id) is not None:
        raise InputError(_("There is already a user {id}").format(id=id))
    user = User(id=id, name=name, role=role, pin_hash=hash_pin(pin), active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by id."""
    return list(session.scalars(select(User).order_by(User.id)))


def disable_user(session: Session, user_id: str) -> User:
    """Stop ``user_id`` from signing in (the user stays on the records they made)."""
    user = session.get(User, user_id)
    if user is None:
        raise InputError(_("No user {id}").format(id=user_id))
    user.active = False
    session.flush()
    return user


def check_credentials(
    session: Session, user_id: str, pin: str, roles: Collection[str] = ROLES
) -> User:
    """The active user ``user_id`` with this ``pin`` and one of ``roles``; else InputError.

    An unknown id and a wrong PIN get the same message, so neither can be guessed alone.
    """
    user = session.get(User, user_id.strip()) if user_id.strip() else None
    if user is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_pin("0000"))
        verify_pin(_DUMMY_HASH[0], pin)
        raise InputError(_("Wrong user id or PIN"))
    if not verify_pin(user.pin_hash, pin):
        raise InputError(_("Wrong user id or PIN"))
    if not user.active:
        raise InputError(_("User {id} is disabled").format(id=user.id))
    if user.role not in roles:
        raise InputError(
            _("{name} ({role}) may not do this: it needs a {roles}").format(
                name=user.name,
                role=role_name(user.role),
                roles=" / ".join(role_name(role) for role in roles),
            )
        )
    return user
