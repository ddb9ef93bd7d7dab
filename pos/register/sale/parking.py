"""The register's parked carts: the cart in progress saved as it changes, and held sales.

After a crash, kill or power cut the register resumes the same cart. The saved
cart is deleted in the sale's own transaction, so a stored sale never comes back.
Held sales (挂单) survive a restart too.

:class:`Parking` is one of the register's collaborators: it stores and restores
the cart state it is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales import cart_store
from pos.domain.sales.cart import Cart
from pos.domain.sales.codes import InputError
from pos.i18n import _, ngettext
from pos.models import ParkedCart
from pos.register.state import CartState, RegisterIdentity, StoreTime
from pos.store.db import StoreBusy

CURRENT, HELD = "current", "held"


@dataclass(frozen=True)
class HeldSale:
    """A held cart as the recall list shows it."""

    id: int
    label: str
    held_at: datetime
    items: int


_EMPTY_CART = json.dumps(cart_store.dump(Cart(), None, False), sort_keys=True)
"""An empty cart as it is saved: nothing to store (the saved cart was deleted)."""


class Parking:
    """Parked carts at the register: the cart in progress kept stored, and held sales."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        identity: RegisterIdentity,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self._identity = identity
        self._saved = ""
        self.unsaved = False
        """The cart in progress changed but could not be stored yet (the database was busy)."""

    def restore(self) -> None:
        """Resume the cart that was in progress when the register stopped."""
        with self._sessions() as session:
            row = self._current(session)
            if row is not None:
                self._state.cart, self._state.member_id, self._state.invited = cart_store.load(
                    row.data
                )
                self._saved = json.dumps(row.data, sort_keys=True)

    def _current(self, session: Session) -> ParkedCart | None:
        return session.scalar(
            select(ParkedCart).where(
                ParkedCart.register_id == self._identity.register_id, ParkedCart.kind == CURRENT
            )
        )

    def save(self) -> None:
        """Store the cart in progress if it changed since it was last stored.

        While another program holds the database's write lock (a long import), the
        cart stays in memory and :attr:`unsaved` is set: :meth:`save_cart` (the
        screen's timer) stores it later. A scanned line is never lost or refused.
        """
        data = cart_store.dump(self._state.cart, self._state.member_id, self._state.invited)
        text = json.dumps(data, sort_keys=True)
        if text == self._saved:
            self.unsaved = False
            return
        try:
            with self._sessions.begin() as session:
                self._store_current(session, data)
        except StoreBusy:
            self.unsaved = True
            return
        self._saved = text
        self.unsaved = False

    def save_cart(self) -> bool:
        """Store the cart in progress if a save is still owed; True once it is stored."""
        self.save()
        return not self.unsaved

    def _store_current(self, session: Session, data: dict[str, Any]) -> None:
        """Store ``data`` (a dumped cart) as the cart in progress; an empty one is deleted.

        Core statements: the saved cart is written on every scan, and the ORM would
        first read (and parse) the row it replaces.
        """
        where = (ParkedCart.register_id == self._identity.register_id) & (
            ParkedCart.kind == CURRENT
        )
        connection = session.connection()
        if not data.get("lines") and data.get("member_id") is None:
            connection.execute(delete(ParkedCart).where(where))
            return
        now = self._time.now()
        changed = connection.execute(
            update(ParkedCart).where(where).values(data=data, updated_at=now)
        ).rowcount
        if not changed:
            connection.execute(
                insert(ParkedCart).values(
                    register_id=self._identity.register_id,
                    kind=CURRENT,
                    label="",
                    data=data,
                    created_at=now,
                    updated_at=now,
                )
            )

    def forget_current(self, session: Session) -> None:
        """Delete the saved cart (in the sale's transaction; the session holds no loaded copy
        of it to update, so it is not searched for one)."""
        session.execute(
            delete(ParkedCart).where(
                ParkedCart.register_id == self._identity.register_id, ParkedCart.kind == CURRENT
            ),
            execution_options={"synchronize_session": False},
        )
        self._saved = _EMPTY_CART  # the next save of the empty cart writes nothing

    def hold(self) -> str:
        """Hold the cart (挂单) to serve the next customer; its label."""
        if not self._state.cart.lines:
            raise InputError(_("The cart is empty: nothing to hold"))
        first = self._state.cart.lines[0]
        more = len(self._state.cart.lines) - 1
        label = (
            ngettext("{name} and {n} more line", "{name} and {n} more lines", more).format(
                name=first.name, n=more
            )
            if more
            else first.name
        )
        data = cart_store.dump(self._state.cart, self._state.member_id, self._state.invited)
        with self._sessions.begin() as session:
            session.add(
                ParkedCart(
                    register_id=self._identity.register_id,
                    kind=HELD,
                    label=label[:200],
                    data=data,
                    created_at=self._time.now(),
                    updated_at=self._time.now(),
                )
            )
            self.forget_current(session)
        self._state.reset()
        return label

    def held_sales(self) -> list[HeldSale]:
        """The held carts of this register, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ParkedCart)
                .where(
                    ParkedCart.register_id == self._identity.register_id, ParkedCart.kind == HELD
                )
                .order_by(ParkedCart.id)
            )
            return [
                HeldSale(
                    row.id,
                    row.label,
                    self._time.local_time(row.created_at),
                    sum(line["qty"] for line in row.data.get("lines", [])),
                )
                for row in rows
            ]

    def recall(self, held_id: int) -> None:
        """Bring a held cart back (the current one must be empty).

        It becomes the cart in progress in the transaction that takes it off the
        held list, so a crash in between loses neither.
        """
        if self._state.cart.lines:
            raise InputError(_("Finish or hold the current sale first"))
        with self._sessions.begin() as session:
            row = session.get(ParkedCart, held_id)
            if row is None or row.kind != HELD:
                raise InputError(_("That held sale is no longer there"))
            data = row.data
            self._state.cart, self._state.member_id, self._state.invited = cart_store.load(data)
            session.delete(row)
            self._store_current(session, data)
        self._saved = json.dumps(data, sort_keys=True)
