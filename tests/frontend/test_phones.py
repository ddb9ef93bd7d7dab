"""Phones as people type them: full-width digits, +86, spaces and dashes, at every entrance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.modals.members.member_lookup import MemberLookupModal
from pos.domain.members import members
from pos.domain.members.members import normalize_phone, phone_digits
from pos.domain.sales.codes import InputError
from tests.frontend.test_checkout_ui import SIZE
from tests.frontend.test_members_ui import enrol, member_panel
from tests.helpers import screen_text

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
MOBILE = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@given(
    MOBILE,
    st.sampled_from(["", "+86", "+86 ", "0086", "86", "＋８６ "]),
    st.sampled_from(["", " ", "-", "－", "　"]),
    st.booleans(),
)
def test_any_way_of_typing_a_mobile_gives_its_11_digits(
    phone: str, prefix: str, separator: str, full_width: bool
) -> None:
    typed = prefix + separator.join([phone[:3], phone[3:7], phone[7:]])
    if full_width:
        typed = typed.translate(FULL)
    assert phone_digits(typed) == phone


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1391234567", "has 11 digits, not 10"),
        ("139123456789", "has 11 digits, not 12"),
        ("13a12345678", r"is 11 digits \("),
        ("¹³⁹12345678", r"is 11 digits \("),
        ("12345678901", "not a mainland mobile number"),
    ],
)
def test_a_wrong_phone_is_told_what_is_wrong(typed: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        normalize_phone(typed)


async def test_lookup_and_enrolment_take_full_width_and_plus_86(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    enrol(demo_sessions, "13912345678", "王小明")
    with demo_sessions() as session:
        found = members.lookup(session, "+86 139-1234-5678")
        assert [row.name for row in found] == ["王小明"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, MemberLookupModal)
        await pilot.press(*"１３９１２３４５６７８", "enter")
        await pilot.pause()
        if isinstance(app.screen, MemberLookupModal):
            await pilot.press("enter")
        assert "王小明" in member_panel(app), screen_text(app)
