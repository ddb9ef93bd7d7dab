"""Subtotal, discount and total, always in view, and the last sale's change."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pos.i18n import _
from pos.money import format_fen
from pos.register.views import CartView, CompletedSale
from pos.widgets.plain import Static


class TotalsPanel(Static):
    """The totals of the cart in progress."""

    def show(self, cart: CartView) -> None:
        """Show the totals of ``cart``."""
        table = Table.grid(expand=True)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(_("Items"), str(cart.items))
        table.add_row(_("Subtotal"), "¥" + format_fen(cart.subtotal_fen))
        table.add_row(
            Text(_("You save"), style="green"),
            Text("¥" + format_fen(cart.discount_fen), style="green"),
        )
        table.add_row(
            Text(_("TOTAL"), style="bold"),
            Text("¥" + format_fen(cart.total_fen), style="bold reverse"),
        )
        for hint in cart.hints:
            table.add_row(Text(hint, style="bold magenta"))
        self.update(table)


class LastSalePanel(Static):
    """The sale just completed: its number and the change to hand back."""

    def show(self, sale: CompletedSale | None) -> None:
        """Show ``sale``, or nothing."""
        if sale is None:
            self.update("")
            self.display = False
            return
        self.display = True
        table = Table.grid(expand=True)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(_("Paid"), "¥" + format_fen(sale.total_fen))
        if sale.rounding_fen:
            table.add_row(_("Cash rounding"), "¥" + format_fen(-sale.rounding_fen))
        table.add_row(
            Text(_("CHANGE"), style="bold"),
            Text("¥" + format_fen(sale.change_fen), style="bold reverse"),
        )
        if sale.member is not None:
            table.add_row(_("Points"), f"+{sale.points_earned} → {sale.member.points}")
        # The sale number on a line of its own: it is long, and a return needs all of it.
        self.update(Group(Text(_("Sale")), Text(sale.number, justify="right"), table))
