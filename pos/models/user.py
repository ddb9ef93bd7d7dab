"""People who use the register: cashiers, pharmacists, managers. PINs only as scrypt hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, Timestamp, UTCDateTime


class User(Base):
    """A register user; ``pin_hash`` is ``scrypt$n$r$p$salt$hash`` (hex), never the PIN."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    """``cashier``, ``pharmacist`` or ``manager``."""
    pin_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp]
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    """The screen language the user chose (``zh_CN``, ``en``); None: the register's."""


class PinThrottle(Base):
    """Wrong PINs in a row of one user (login, unlock and approval forms alike).

    Kept in the database so that a restart does not clear a lockout; only the
    user's own correct PIN resets it.
    """

    __tablename__ = "pin_throttle"

    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("user_account.id"), primary_key=True
    )
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
