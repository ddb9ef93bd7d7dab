"""A member attached at the counter of a chain: head office's health notes fetched and
shown on the member panel; offline, a one-line note instead (the fetch is a fake
collaborator, injected as the register's ``health`` source)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.boot import RegisterStart
from pos.app.widgets.member_panel import MemberPanel
from pos.config import Settings
from pos.domain.members import members
from pos.domain.members.members import MemberForm
from pos.models import Member, OutboxItem
from pos.register.setup import register_from_settings
from pos.register.startup import Started
from pos.sync.health import HealthNotes, HealthUnavailable
from tests.conftest import NOW, TODAY, fixed_clock
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)
PHONE = "13812340001"


class HeadOffice:
    """Head office's notes of members by uid, or no answer at all (offline)."""

    def __init__(self, notes: dict[str, HealthNotes] | None) -> None:
        self.notes = notes
        self.asked: list[str] = []

    def fetch(self, uid: str) -> HealthNotes | None:
        self.asked.append(uid)
        if self.notes is None:
            raise HealthUnavailable("no answer")
        return self.notes.get(uid)


def pulled_member(sessions: sessionmaker[Session]) -> str:
    """A member enrolled at another store, pulled here with the consent, not the notes."""
    with sessions.begin() as session:
        form = MemberForm(phone=PHONE, name="钱红", consent_terms=True, consent_health=True)
        uid = members.enrol(session, form, NOW, TODAY, "009").uid
    with sessions.begin() as session:
        for item in session.scalars(select(OutboxItem)):
            item.sent_at = NOW  # head office has it: nothing of this member waits here
    return uid


def app_with(
    settings: Settings, sessions: sessionmaker[Session], head_office: HeadOffice
) -> PosApp:
    register = register_from_settings(settings, sessions, fixed_clock, health=head_office)
    return PosApp(RegisterStart(built=Started(register, None, lambda: None)), settings)


async def attach(pilot: object, sessions: sessionmaker[Session]) -> None:
    """Scan an item, find the member by phone (F2) and attach them."""
    await type_text(pilot, barcode_of(sessions, "P00001"))  # type: ignore[arg-type]
    await pilot.press("enter", "f2")  # type: ignore[attr-defined]
    await type_text(pilot, PHONE)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]


def panel_text(app: PosApp) -> str:
    """What the member panel shows, its wrapped lines joined by spaces."""
    panel = app.screen.query_one(MemberPanel).region
    lines = screen_text(app).splitlines()[panel.y : panel.bottom]
    inside = (line[panel.x : panel.right].strip("│╭╮╰╯─ ") for line in lines)
    return " ".join(part for part in inside if part)


def unsent(sessions: sessionmaker[Session]) -> list[OutboxItem]:
    with sessions() as session:
        return list(session.scalars(select(OutboxItem).where(OutboxItem.sent_at.is_(None))))


async def test_attaching_online_shows_head_offices_allergies_on_the_member_panel(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    uid = pulled_member(demo_sessions)
    head_office = HeadOffice({uid: HealthNotes(True, "青霉素,头孢", "高血压")})
    app = app_with(settings, demo_sessions, head_office)
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, demo_sessions)
        shown = panel_text(app)
        assert "Allergies: 青霉素,头孢" in shown and "Conditions: 高血压" in shown
        assert "not on this register" not in shown
    assert head_office.asked == [uid]
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.uid == uid)).one()
        assert (member.allergies, member.conditions) == ("青霉素,头孢", "高血压")
    assert unsent(demo_sessions) == []  # kept here, not sent back as an edit


async def test_attaching_offline_says_the_notes_are_not_here_and_keeps_nothing(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    uid = pulled_member(demo_sessions)
    app = app_with(settings, demo_sessions, HeadOffice(None))
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, demo_sessions)
        shown = panel_text(app)
        assert "health notes not on this register (offline)" in shown
        assert "Allergies" not in shown
        assert app.register.cart().member is not None  # the sale goes on, at member prices
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.uid == uid)).one()
        assert (member.allergies, member.conditions) == ("", "")


async def test_notes_withheld_without_consent_are_neither_shown_nor_kept(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    uid = pulled_member(demo_sessions)
    app = app_with(settings, demo_sessions, HeadOffice({uid: HealthNotes(False, "", "")}))
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, demo_sessions)
        assert "Allergies" not in panel_text(app)
    with demo_sessions() as session:
        member = session.scalars(select(Member).where(Member.uid == uid)).one()
        assert member.allergies == ""
