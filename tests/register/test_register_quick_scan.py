"""A quick scan (more scans queued behind it): the line is added, priced and saved as ever
(a crash loses nothing), but no add-ons are chosen and no warnings read until
:meth:`RegisterService.offer`, when the burst is over."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos.register.service import RegisterService
from pos.register.state import RegisterIdentity
from tests.conftest import fixed_clock
from tests.domain.suggestions.test_suggestions import pair
from tests.helpers import barcode_of


def test_a_quick_scan_saves_the_line_and_offers_nothing_until_the_burst_is_over(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    pair(demo_sessions, ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"))
    first = register.scan(barcode_of(demo_sessions, "P00001"), quick=True)
    second = register.scan(barcode_of(demo_sessions, "P00008"), quick=True)  # a danger
    for outcome in (first, second):
        assert not outcome.settled
        assert outcome.suggestions == () and outcome.warnings == ()
    assert register.suggestions() == []  # nothing stale to add by Shift+F1
    assert [line.sku for line in second.cart.lines] == ["P00001", "P00008"]
    # the crash right now: a register started on the same store resumes both lines
    again = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    assert [line.sku for line in again.cart().lines] == ["P00001", "P00008"]
    assert again.cart().total_fen == second.cart.total_fen

    settled = register.offer()
    assert settled.settled and settled.cart == register.cart()
    assert settled.suggestions and settled.suggestions == tuple(register.suggestions())
    assert settled.warnings and settled.warnings == tuple(register.warnings())
    assert any(warning.line_index == 1 for warning in settled.warnings)


def test_a_scan_not_quick_is_settled_at_once(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    pair(demo_sessions, ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"))
    outcome = register.scan(barcode_of(demo_sessions, "P00001"))
    assert outcome.settled and outcome.suggestions
