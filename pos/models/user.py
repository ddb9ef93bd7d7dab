"""People who use the register: cashiers, pharmacists, managers. PINs only as scrypt hashes."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, Timestamp


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
