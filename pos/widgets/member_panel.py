"""The member attached to the sale: name, masked phone, tier, points."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from pos.domain.members.loyalty import tier_name
from pos.i18n import _
from pos.register.views import MemberView
from pos.widgets.plain import Static


class MemberPanel(Static):
    """Who the sale is for; without a member, how to find or enrol one."""

    DEFAULT_CSS = """
    MemberPanel { height: auto; border: round $accent; padding: 0 1; }
    MemberPanel.-none { color: $text-muted; border: round $primary 40%; }
    """

    def show(self, member: MemberView | None) -> None:
        """Show ``member``, or the keys to attach one."""
        self.set_class(member is None, "-none")
        if member is None:
            self.border_title = _("Member")
            self.update(_("None: F2 find, F5 enrol"))
            return
        self.border_title = _("Member") + " · " + tier_name(member.tier)
        table = Table.grid(expand=True)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(Text(member.name, style="bold"), member.masked_phone)
        table.add_row(_("Points"), Text(str(member.points), style="bold"))
        if member.birthday_month:
            table.add_row(Text("🎂 " + _("Birthday month"), style="bold magenta"))
        self.update(table)
