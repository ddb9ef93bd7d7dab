"""The member attached to the sale: name, masked phone, tier, points."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive

from pos.app.widgets.plain import Static
from pos.i18n import _, current
from pos.register.api import owes, segment_name, tier_name

if TYPE_CHECKING:  # the register's read models: types only (the first paint needs none)
    from pos.register.views import MemberView


class MemberPanel(Static):
    """Who the sale is for; without a member, how to find or enrol one."""

    DEFAULT_CSS = """
    MemberPanel { height: auto; border: round $accent; padding: 0 1; }
    MemberPanel.-none { color: $text-muted; border: round $primary 40%; }
    MemberPanel.-compact { border: none; height: 1; }
    """

    compact = reactive(False)
    """One line: name, masked phone, tier and points (a short screen)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.member: MemberView | None = None
        self.painted: tuple[MemberView | None, bool, str] | None = None
        """The member, the compactness and the language shown now."""

    def show(self, member: MemberView | None) -> None:
        """Show ``member``, or the keys to attach one (no repaint when that is shown)."""
        self.member = member
        self._paint()

    def watch_compact(self) -> None:
        self._paint()

    def _paint(self) -> None:
        member = self.member
        shown, self.painted = self.painted, (member, self.compact, current())
        if shown == self.painted:
            return
        self.set_class(member is None, "-none")
        self.set_class(self.compact, "-compact")
        if member is None:
            self.border_title = "" if self.compact else _("Member")
            none = _("None: F2 find, F5 enrol")
            self.update(_("Member") + ": " + none if self.compact else none)
            return
        if self.compact:
            self.border_title = ""
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(_("Member") + ": ")
            line.append(member.name, style="bold")
            line.append(f" {member.masked_phone} · {tier_name(member.tier)} · ")
            line.append(_("Points") + " ")
            line.append(str(member.points), style=_points_style(member.points))
            # One line at 80 columns, cut at its end: what the pharmacist must see first.
            for note in health_lines(member):
                line.append(" · " + note, style="bold red")
            if member.health_note:
                line.append(" · " + member.health_note, style="italic")
            if member.birthday_month:
                line.append(" 🎂 " + _("Birthday month"), style="bold magenta")
            if member.points < 0:
                line.append(" · " + owes(member.points), style="bold red")
            self.update(line)
            return
        self.border_title = _("Member") + " · " + tier_name(member.tier)
        table = Table.grid(expand=True)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(Text(member.name, style="bold"), member.masked_phone)
        table.add_row(_("Points"), Text(str(member.points), style=_points_style(member.points)))
        if member.segment:  # the customer file's class, and when they last came
            last = member.last_visit.isoformat() if member.last_visit else _("never")
            table.add_row(segment_name(member.segment), last)
        if member.birthday_month:
            table.add_row(Text("🎂 " + _("Birthday month"), style="bold magenta"))
        notes = [Text(line, style="bold red") for line in health_lines(member)]
        if member.health_note:
            notes.append(Text(member.health_note, style="italic"))
        if member.points < 0:  # the whole panel's width: the note is long
            notes.insert(0, Text(owes(member.points), style="bold red"))
        self.update(Group(table, *notes) if notes else table)


def _points_style(points: int) -> str:
    """Points below zero (a debt) in red."""
    return "bold red" if points < 0 else "bold"


def health_lines(member: MemberView) -> list[str]:
    """The member's allergies and conditions, as the pharmacist must see them."""
    if not member.consent_health:
        return []
    lines = []
    if member.allergies:
        lines.append(_("Allergies: {items}").format(items=member.allergies))
    if member.conditions:
        lines.append(_("Conditions: {items}").format(items=member.conditions))
    return lines
