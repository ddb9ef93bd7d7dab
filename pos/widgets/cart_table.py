"""The cart: one row per line, the last added line highlighted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.widgets.data_table import ColumnKey

from pos.enums import DrugClass
from pos.i18n import _
from pos.money import format_fen
from pos.register.views import CartLineView, CartView
from pos.widgets.plain import DataTable

CLASS_MARK = {DrugClass.RX: "Rx", DrugClass.OTC_A: "OTC甲", DrugClass.OTC_B: "OTC乙"}


class CartTable(DataTable[str | Text]):
    """Lines of the cart in progress (read-only; the screen changes the cart)."""

    DEFAULT_CSS = """
    CartTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.can_focus = False

    FIXED_WIDTHS = {"no": 3, "spec": 12, "expiry": 10, "qty": 5, "price": 10, "total": 10}

    def on_mount(self) -> None:
        widths = self.FIXED_WIDTHS
        self.add_column("#", key="no", width=widths["no"])
        self.add_column(_("Name"), key="name", width=self._name_width())
        self.add_column(_("Spec"), key="spec", width=widths["spec"])
        self.add_column(_("Expiry"), key="expiry", width=widths["expiry"])
        self.add_column(_("Qty"), key="qty", width=widths["qty"])
        self.add_column(_("Price"), key="price", width=widths["price"])
        self.add_column(_("Total"), key="total", width=widths["total"])

    def _name_width(self) -> int:
        """The name column takes what the fixed columns leave (at least 12 cells)."""
        padding = 2 * self.cell_padding * (len(self.FIXED_WIDTHS) + 1)
        scrollbar = 2
        return max(12, self.size.width - sum(self.FIXED_WIDTHS.values()) - padding - scrollbar)

    def on_resize(self) -> None:
        column = self.columns.get(ColumnKey("name"))
        if column is not None and column.width != self._name_width():
            column.width = self._name_width()
            self._require_update_dimensions = True
            self.refresh()

    def show(self, cart: CartView, near_expiry: Callable[[date | None], int | None]) -> None:
        """Show ``cart``, moving the cursor to its last changed line.

        ``near_expiry`` gives the days left for stock that expires soon, marked on the line.
        """
        self.clear()
        for number, line in enumerate(cart.lines, start=1):
            mark = CLASS_MARK.get(line.drug_class)
            name = Text(line.name)
            if mark:
                name.append(
                    f" [{mark}]", style="bold red" if line.drug_class is DrugClass.RX else ""
                )
            if line.gift:
                name.append(" 🎁", style="bold magenta")
            if line.promo_label:
                name.append(f" {line.promo_label}", style="magenta")
            expiry = Text(line.next_expiry.isoformat() if line.next_expiry else "")
            if near_expiry(line.next_expiry) is not None:
                expiry.stylize("bold yellow")
            self.add_row(
                str(number),
                name,
                line.spec,
                expiry,
                Text(str(line.qty), justify="right"),
                self._price(line),
                Text(format_fen(line.total_fen), justify="right"),
                key=str(number - 1),
            )
        if cart.last_index is not None and cart.lines:
            self.move_cursor(row=cart.last_index, animate=False)

    @staticmethod
    def _price(line: CartLineView) -> Text:
        """The unit price; a member price (★) when the member saves on this line."""
        member = line.member_price_fen
        saving = None if member is None else (line.unit_price_fen - member) * line.qty
        if line.discount_fen and line.discount_fen == saving:
            return Text("★" + format_fen(member or 0), style="bold green", justify="right")
        return Text(format_fen(line.unit_price_fen), justify="right")

    @property
    def selected_index(self) -> int | None:
        """The index of the highlighted line, if the cart has any."""
        return self.cursor_row if self.row_count else None
