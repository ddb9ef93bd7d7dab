"""Subtotal, discount and total, always in view, and the last sale's change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive

from pos.app.widgets.plain import Static
from pos.i18n import _, current
from pos.register.api import format_fen

if TYPE_CHECKING:  # the register's read models: types only (the first paint needs none)
    from pos.register.views import CartView, CompletedSale


class TotalsPanel(Static):
    """The totals of the cart in progress."""

    DEFAULT_CSS = """
    TotalsPanel.-compact { height: auto; }
    """

    compact = reactive(False)
    """One line: items, subtotal, saving and the total to pay (a short screen)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cart: CartView | None = None
        self.painted: tuple[object, ...] | None = None
        """What the panel shows now: figures, hints, whether compact, the language."""

    def show(self, cart: CartView) -> None:
        """Show the totals of ``cart`` (nothing is repainted when its figures are unchanged;
        a scan that changes them repaints the panel without a new layout of the screen,
        unless its number of lines may have changed)."""
        self.cart = cart
        self._paint()

    def watch_compact(self) -> None:
        self._paint()

    def _paint(self) -> None:
        cart = self.cart
        if cart is None:
            return
        figures = (
            cart.items, cart.subtotal_fen, cart.discount_fen, cart.total_fen, cart.hints
        )  # fmt: skip
        shown, self.painted = self.painted, (*figures, self.compact, current())
        if shown == self.painted:
            return
        # one line (compact) may wrap as the figures grow: then the layout is redone too
        layout = self.compact or shown is None or shown[4:] != self.painted[4:]
        self.set_class(self.compact, "-compact")
        if self.compact:
            line = Text(justify="right")
            line.append(f"{_('Items')} {cart.items}  ")
            line.append(f"{_('Subtotal')} ¥{format_fen(cart.subtotal_fen)}  ")
            line.append(f"{_('You save')} ¥{format_fen(cart.discount_fen)}  ", style="green")
            line.append(_("TOTAL") + " ", style="bold")
            line.append("¥" + format_fen(cart.total_fen), style="bold reverse")
            for hint in cart.hints:
                line.append("\n" + hint, style="bold magenta")
            self.update(line, layout=layout)
            return
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
        self.update(table, layout=layout)


class LastSalePanel(Static):
    """The sale just completed: its number and the change to hand back."""

    DEFAULT_CSS = """
    LastSalePanel.-compact { height: auto; }
    """

    compact = reactive(False)
    """One line: the sale number, paid and change (a short screen)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sale: CompletedSale | None = None

    def show(self, sale: CompletedSale | None) -> None:
        """Show ``sale``, or nothing."""
        self.sale = sale
        self._paint()

    def watch_compact(self) -> None:
        self._paint()

    def _paint(self) -> None:
        sale = self.sale
        self.set_class(self.compact, "-compact")
        if sale is None:
            self.update("")
            self.display = False
            return
        self.display = True
        if self.compact:
            line = Text(justify="right")
            line.append(f"{_('Sale')} {sale.number}  {_('Paid')} ¥{format_fen(sale.total_fen)}  ")
            line.append(_("CHANGE") + " ", style="bold")
            line.append("¥" + format_fen(sale.change_fen), style="bold reverse")
            if sale.member is not None:
                line.append(f"  {_('Points')} +{sale.points_earned} → {sale.member.points}")
            self.update(line)
            return
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
