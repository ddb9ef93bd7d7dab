"""A member who owes points (head office's balance below zero: the same points redeemed at
two stores offline) is shown so at the counter: the figure in red, and what it means."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.widgets.member_panel import MemberPanel
from pos.domain.members import members, points_ledger
from pos.domain.members.members import MemberForm
from pos.models import PointsEntry
from pos.sync.outbox import SYNC_REASON
from tests.conftest import NOW, TODAY
from tests.frontend.test_members_ui import SIZE, member_panel
from tests.helpers import barcode_of, keys, screen_text


def in_debt(sessions: sessionmaker[Session], owed: int, allergies: str = "") -> str:
    """A member whose last pull from head office left ``-owed`` points; the card."""
    with sessions.begin() as session:
        form = MemberForm(
            phone="13812345678",
            name="王芳",
            consent_terms=True,
            consent_health=bool(allergies),
            allergies=allergies,
        )
        member = members.enrol(session, form, NOW, TODAY, "001")
        points_ledger.post_points(session, member.id, 300, "import", NOW)
        session.add(
            PointsEntry(
                member_id=member.id,
                delta=-300 - owed,
                reason=SYNC_REASON,
                balance_after=-owed,
                created_at=NOW,
            )
        )
        return member.card_no


def red_cells(panel: MemberPanel) -> list[str]:
    """The panel's texts styled red."""
    shown = panel.content
    parts = list(shown.renderables) if isinstance(shown, Group) else [shown]
    texts = [part for part in parts if isinstance(part, Text)]
    for table in (part for part in parts if isinstance(part, Table)):
        texts += [
            cell for column in table.columns for cell in column.cells if isinstance(cell, Text)
        ]
    return [text.plain for text in texts if "red" in str(text.style)]


async def test_a_member_owing_points_shows_the_debt_in_red(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    card = in_debt(demo_sessions, 500)
    async with app.run_test(size=SIZE) as pilot:
        keys(app, *card, "\n", *barcode_of(demo_sessions, "P00001"), "\n")
        await pilot.pause()
        await app.screen.query_one("#scan").settle()  # type: ignore[attr-defined]
        await pilot.pause()
        shown = member_panel(app)
        assert "-500" in shown
        flat = "".join(shown.replace("│", " ").split())  # the note wraps in the panel
        assert "owes500points(redeemedattwostoresoffline)" in flat
        red = red_cells(app.screen.query_one(MemberPanel))
        assert "-500" in red and "owes 500 points (redeemed at two stores offline)" in red
        cart = app.register.cart()
        assert cart.member is not None and cart.member.points == -500


async def test_at_80_columns_the_allergies_come_before_the_debt_on_the_one_line_panel(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    """The one-line panel is cut at its end: what the pharmacist must see goes first."""
    card = in_debt(demo_sessions, 1200, allergies="青霉素")
    async with app.run_test(size=(80, 24)) as pilot:
        keys(app, *card, "\n")
        await pilot.pause()
        await app.screen.query_one("#scan").settle()  # type: ignore[attr-defined]
        await pilot.pause()
        panel = app.screen.query_one(MemberPanel)
        assert panel.compact
        line = next(row for row in screen_text(app).splitlines() if "王芳" in row)
        assert "Allergies: 青霉素" in line  # whole, before anything the line may lose
        assert line.index("Allergies") < line.index("owes")
