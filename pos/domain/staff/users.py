"""Register users (cashiers, pharmacists, managers) and their PINs.

A PIN is stored only as a salted scrypt hash, compared in constant time. The hash
is keyed with the store's secret key (:mod:`pos.store.store_key`, kept outside
the database): ``scrypt-k1$16384$8$1$<salt hex>$<hash hex>`` is scrypt of
HMAC-SHA256(key, PIN), so a copied database without the key file cannot be
cracked offline. Hashes from before the key, ``scrypt$…`` (scrypt of the PIN),
still verify and are rehashed with the key at the user's next correct PIN.

The key travels with the store's session factory (:func:`bind_key`), so every
session of the store hashes and checks PINs with it. Data functions take a
Session and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.i18n import SUPPORTED, _
from pos.models import User
from pos.names import role_name

ROLES = ("cashier", "pharmacist", "manager")
STAFF_ROLES = ("pharmacist", "manager")
"""Roles whose PIN may be required to be longer (``register.staff_pin_digits``)."""
UNKEYED, KEYED = "scrypt", "scrypt-k1"
"""Hash format prefixes: before the store key, and keyed with it."""
PIN_KEY = "pos.pin_key"
"""Where a session factory keeps the store's key (``Session.info``)."""
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
MAX_SCRYPT_N = 2**20
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_DUMMY_HASH: list[str] = []
"""A hash to check a PIN against when the user is unknown, so both take as long."""


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=HASH_BYTES
    )


def _peppered(pin: str, key: bytes) -> bytes:
    return hmac.new(key, pin.encode(), hashlib.sha256).digest()


def bind_key(sessions: sessionmaker[Session], key: bytes) -> None:
    """Hash and check PINs with the store's ``key`` in every session of ``sessions``."""
    sessions.configure(info={**sessions.kw.get("info", {}), PIN_KEY: key})


def session_key(session: Session) -> bytes | None:
    """The store's key the session's factory was bound to, if any."""
    key = session.info.get(PIN_KEY)
    return key if isinstance(key, bytes) else None


def check_pin(pin: str, role: str = "cashier", staff_digits: int = 4) -> str:
    """The PIN if it is 4 to 8 digits (``staff_digits`` at least for staff), else InputError."""
    if not PIN_PATTERN.match(pin):
        raise InputError(_("A PIN is 4 to 8 digits"))
    if role in STAFF_ROLES and len(pin) < staff_digits:
        raise InputError(
            _("A {role}'s PIN is at least {n} digits (register.staff_pin_digits)").format(
                role=role, n=staff_digits
            )
        )
    return pin


def hash_pin(pin: str, key: bytes | None = None) -> str:
    """A new salted scrypt hash of ``pin``, keyed with ``key`` when given (new on every call)."""
    salt = secrets.token_bytes(SALT_BYTES)
    if key is None:
        digest = _scrypt(pin.encode(), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        scheme = UNKEYED
    else:
        digest = _scrypt(_peppered(pin, key), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        scheme = KEYED
    return f"{scheme}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(stored: str, pin: str, key: bytes | None = None) -> bool:
    """True when ``pin`` matches the ``stored`` hash (constant-time); False if malformed.

    A keyed hash never verifies without the key it was made with.
    """
    try:
        scheme, n_text, r_text, p_text, salt_hex, hash_hex = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme == UNKEYED:
        secret = pin.encode()
    elif scheme == KEYED and key is not None:
        secret = _peppered(pin, key)
    else:
        return False
    if not (1 < n <= MAX_SCRYPT_N) or not (0 < r <= 32 and 0 < p <= 16):
        return False
    if len(expected) != HASH_BYTES or not salt:
        return False
    try:
        actual = _scrypt(secret, salt, n, r, p)
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


def add_user(
    session: Session,
    id: str,
    name: str,
    role: str,
    pin: str,
    now: datetime,
    *,
    staff_digits: int = 4,
) -> User:
    """Create an active user; :class:`InputError` for a taken id or a bad field.

    Pharmacists' and managers' PINs must have at least ``staff_digits`` digits.
    """
    check_user_id(id)
    name = " ".join(name.split())
    if not name or len(name) > 64 or not name.isprintable():
        raise InputError(_("The user's name is empty, too long or not printable"))
    if role not in ROLES:
        raise InputError(
            _("role must be one of {roles}, not {role!r}").format(roles=", ".join(ROLES), role=role)
        )
    check_pin(pin, role, staff_digits)
    if session.get(User, id) is not None:
        raise InputError(_("There is already a user {id}").format(id=id))
    pin_hash = hash_pin(pin, session_key(session))
    user = User(id=id, name=name, role=role, pin_hash=pin_hash, active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def change_pin(session: Session, user_id: str, pin: str, *, staff_digits: int = 4) -> User:
    """Give ``user_id`` a new PIN (hashed with the store's key); InputError if unfit."""
    user = session.get(User, user_id)
    if user is None:
        raise InputError(_("No user {id}").format(id=user_id))
    check_pin(pin, user.role, staff_digits)
    user.pin_hash = hash_pin(pin, session_key(session))
    session.flush()
    return user


def language_of(session: Session, user_id: str) -> str | None:
    """The screen language ``user_id`` chose (None: none chosen, the register's applies)."""
    user = session.get(User, user_id)
    return user.language if user is not None else None


def set_language(session: Session, user_id: str, language: str) -> User:
    """Remember ``language`` (``zh_CN`` or ``en``) as ``user_id``'s screen language."""
    if language not in SUPPORTED:
        raise InputError(
            _("A language is one of {languages}, not {language!r}").format(
                languages=", ".join(SUPPORTED), language=language
            )
        )
    user = session.get(User, user_id)
    if user is None:
        raise InputError(_("No user {id}").format(id=user_id))
    user.language = language
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


def pin_owner(session: Session, user_id: str, pin: str) -> User | None:
    """The user ``user_id`` if ``pin`` is theirs (active or not), else None.

    An unknown id takes as long as a wrong PIN. A right PIN checked against an
    unkeyed hash is rehashed with the store's key (kept if the caller commits).
    """
    user = session.get(User, user_id.strip()) if user_id.strip() else None
    key = session_key(session)
    if user is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_pin("0000"))
        verify_pin(_DUMMY_HASH[0], pin)
        return None
    if not verify_pin(user.pin_hash, pin, key):
        return None
    if key is not None and not user.pin_hash.startswith(KEYED + "$"):
        user.pin_hash = hash_pin(pin, key)
    return user


def check_allowed(user: User, roles: Collection[str] = ROLES) -> User:
    """``user`` if active and in one of ``roles``, else :class:`InputError`."""
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


def check_credentials(
    session: Session, user_id: str, pin: str, roles: Collection[str] = ROLES
) -> User:
    """The active user ``user_id`` with this ``pin`` and one of ``roles``; else InputError.

    An unknown id and a wrong PIN get the same message, so neither can be guessed alone.
    """
    user = pin_owner(session, user_id, pin)
    if user is None:
        raise InputError(_("Wrong user id or PIN"))
    return check_allowed(user, roles)
