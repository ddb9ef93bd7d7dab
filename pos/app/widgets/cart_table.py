"""The cart: one row per line, the last added line highlighted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.widgets.data_table import ColumnKey

from pos.app.widgets.plain import DataTable
from pos.enums import DrugClass
from pos.i18n import _
from pos.money import format_fen
from pos.register.views import CartLineView, CartView

CLASS_MARK = {DrugClass.RX: "Rx", DrugClass.OTC_A: "OTC甲", DrugClass.OTC_B: "OTC乙"}


class CartTable(DataTable[str | Text]):
    """Lines of the cart in progress (read-only; the screen changes the cart)."""

    DEFAULT_CSS = """
    CartTable { height: 1fr; }
    """

    FIXED_WIDTHS = {"no": 3, "spec": 12, "expiry": 10, "qty": 5, "price": 10, "total": 10}
    MIN_NAME_WIDTH = 20
    """Cells the name keeps (10 Chinese characters): the spec, then the expiry give way."""
    GIVE_WAY = ("spec", "expiry")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.can_focus = False
        self.shown: tuple[CartView, Callable[[date | None], int | None]] | None = None
        self.fixed: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self._add_columns()

    def _columns_for(self, width: int) -> tuple[str, ...]:
        """The fixed columns that leave the name at least MIN_NAME_WIDTH cells."""
        keys = list(self.FIXED_WIDTHS)
        for key in self.GIVE_WAY:
            if self._name_width(width, keys) >= self.MIN_NAME_WIDTH:
                break
            keys.remove(key)
        return tuple(keys)

    def _name_width(self, width: int, keys: list[str] | tuple[str, ...]) -> int:
        """The name column takes what the fixed columns leave (at least 12 cells)."""
        padding = 2 * self.cell_padding * (len(keys) + 1)
        scrollbar = 2
        fixed = sum(self.FIXED_WIDTHS[key] for key in keys)
        return max(12, width - fixed - padding - scrollbar)

    def _add_columns(self) -> None:
        width = self.size.width
        self.fixed = self._columns_for(width)
        labels = {
            "no": "#",
            "spec": _("Spec"),
            "expiry": _("Expiry"),
            "qty": _("Qty"),
            "price": _("Price"),
            "total": _("Total"),
        }
        for key in self.FIXED_WIDTHS:
            if key == "spec":
                self.add_column(
                    _("Product name"), key="name", width=self._name_width(width, self.fixed)
                )
            if key in self.fixed:
                self.add_column(labels[key], key=key, width=self.FIXED_WIDTHS[key])

    def on_resize(self) -> None:
        self.call_after_refresh(self._scroll_cursor_into_view)
        width = self.size.width
        if self._columns_for(width) != self.fixed:
            self.clear(columns=True)
            self._add_columns()
            if self.shown is not None:
                self.show(*self.shown)
            return
        column = self.columns.get(ColumnKey("name"))
        if column is not None and column.width != self._name_width(width, self.fixed):
            column.width = self._name_width(width, self.fixed)
            self._require_update_dimensions = True
            self.refresh()

    def show(self, cart: CartView, near_expiry: Callable[[date | None], int | None]) -> None:
        """Show ``cart``, moving the cursor to its last changed line.

        ``near_expiry`` gives the days left for stock that expires soon, marked on the line.
        """
        self.shown = (cart, near_expiry)
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
            cells: dict[str, str | Text] = {
                "no": str(number),
                "spec": line.spec,
                "expiry": expiry,
                "qty": Text(str(line.qty), justify="right"),
                "price": self._price(line),
                "total": Text(format_fen(line.total_fen), justify="right"),
            }
            row = [cells["no"], name, *(cells[key] for key in self.fixed if key != "no")]
            self.add_row(*row, key=str(number - 1))
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
