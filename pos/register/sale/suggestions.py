"""The register's add-on suggestions: the top three for the cart, one key to add each.

:class:`Suggestions` is one of the register's collaborators: it chooses the
add-ons into the cart state it is given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.domain.suggestions import suggestions
from pos.domain.suggestions.suggestions import CartItem, Customer, Suggestion
from pos.i18n import _
from pos.models import Member, Sale, SuggestionEvent
from pos.register.sale.safety import Safety
from pos.register.state import CartState, StoreTime


class Suggestions:
    """Suggestions at the register: chosen as the cart changes, recorded with the sale."""

    def __init__(
        self, sessions: sessionmaker[Session], state: CartState, time: StoreTime, safety: Safety
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self._safety = safety

    def current(self) -> list[Suggestion]:
        """The add-ons to offer now (chosen when the cart last changed): a read."""
        return list(self._state.suggestions)

    def offer(self) -> None:
        """Choose the add-ons to offer for the cart as it is, recorded as shown (for the
        attach-rate report) with the cart."""
        if not self._state.cart.lines:
            self._state.suggestions = []
            return
        items = [
            CartItem(line.sku, line.category, line.ingredients) for line in self._state.cart.lines
        ]
        with self._sessions() as session:
            found = suggestions.suggest(
                session, items, self._customer(session), self._safety.names, self._time.today()
            )
        for suggestion in found:
            self._state.cart.shown.setdefault(suggestion.rule, suggestion.sku)
        self._state.suggestions = found

    def _customer(self, session: Session) -> Customer:
        if self._state.member_id is None:
            return Customer()
        member = session.get(Member, self._state.member_id)
        if member is None or not member.consent_health:
            return Customer()
        return Customer(
            tuple(term for term in member.allergies.split(",") if term),
            tuple(term for term in member.conditions.split(",") if term),
        )

    def suggestion(self, number: int) -> Suggestion:
        """Suggestion ``number`` (1–3) as last shown."""
        if not 1 <= number <= len(self._state.suggestions):
            raise InputError(_("No suggestion {n} to add").format(n=number))
        return self._state.suggestions[number - 1]

    def record(self, session: Session, sale: Sale, now: datetime) -> None:
        """Every suggestion shown in this sale, and the line it became if accepted (the
        sale's lines carry the rule they were bought by)."""
        accepted = {
            line.suggested_by: index + 1
            for index, line in enumerate(self._state.cart.lines)
            if line.suggested_by
        }
        for rule, sku in self._state.cart.shown.items():
            session.add(
                SuggestionEvent(
                    sale_id=sale.id,
                    rule=rule,
                    suggest_sku=sku,
                    accepted=rule in accepted,
                    line_no=accepted.get(rule),
                    cashier=sale.cashier,
                    shown_at=now,
                )
            )
        self._state.suggestions = []
