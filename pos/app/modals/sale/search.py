"""Product search (F3): Chinese or English name, pinyin initials or full pinyin, SKU, barcode."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from pos.app.modals.common import localize_bindings
from pos.app.widgets.cart_table import CLASS_MARK
from pos.app.widgets.cjk_text import cut
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import DataTable, Label
from pos.app.widgets.scan_hold import ScanHeld
from pos.i18n import N_, _
from pos.register.api import format_fen
from pos.register.service import RegisterService
from pos.register.views import ProductView

Choose = Callable[[int], str | None]
"""Adds the chosen product; returns why it could not, or None."""


NAME_WIDTH = 36
"""Cells of the name column: a longer name is cut with "…" before its drug class."""


class SearchModal(ModalScreen[bool]):
    """Type to search; ↑/↓ choose; Enter adds the chosen product; Esc closes.

    A product the register refuses (out of stock, expired) is explained here and
    the cashier can choose another.
    """

    HOLDS_SCANS: ClassVar[bool] = True
    """A scan while this is open is held for the cart (pos.app.widgets.scan_hold), and the
    search closes: the cashier found the product on the shelf, the checkout adds it."""

    BINDINGS = [
        Binding("enter", "choose", N_("Add"), id="add-chosen", priority=True),
        Binding("escape", "close", N_("Close"), id="close", priority=True),
        Binding("up", "cursor(-1)", N_("Up"), id="result-up", show=False, priority=True),
        Binding("down", "cursor(1)", N_("Down"), id="result-down", show=False, priority=True),
        Binding("pageup", "cursor(-10)", N_("Page up"), id="result-page-up", show=False),
        Binding("pagedown", "cursor(10)", N_("Page down"), id="result-page-down", show=False),
    ]

    def __init__(self, register: RegisterService, query: str, choose: Choose) -> None:
        super().__init__()
        localize_bindings(self)
        self.register = register
        self.choose = choose
        self.initial_query = query
        self.results: list[ProductView] = []
        self.shown_query: str | None = None

    @on(ScanHeld)
    def product_scanned(self) -> None:
        """A scanner typed a code here (HOLDS_SCANS): close; the checkout adds it."""
        self.dismiss(False)  # not awaited: a screen cannot await its own dismissal here

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box", classes="modal-box"):
            yield Label(_("Search products"), classes="modal-title")
            yield OrderedInput(
                value=self.initial_query,
                placeholder=_("name, pinyin initials (gmlkl), English name, SKU or barcode"),
                id="search-query",
            )
            results: DataTable[str | Text] = DataTable(id="search-results", cursor_type="row")
            results.can_focus = False
            yield results
            yield Label("", id="search-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Product name"), key="name", width=NAME_WIDTH)
        table.add_column(_("Spec"), key="spec", width=16)
        table.add_column(_("Price"), key="price", width=9)
        table.add_column(_("Stock"), key="stock", width=6)
        table.add_column("SKU", key="sku", width=8)
        self.query_one(OrderedInput).focus()
        self.run_search(self.initial_query)

    @on(Input.Changed, "#search-query")
    def query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        """Show the products matching ``query`` (once per query)."""
        if query == self.shown_query:
            return
        self.shown_query = query
        self.results = self.register.search(query)
        table = self.query_one(DataTable)
        table.clear()
        for product in self.results:
            mark = CLASS_MARK.get(product.drug_class)
            mark = f" [{mark}]" if mark else ""  # always shown: the name is cut before it
            name = Text(cut(product.name, NAME_WIDTH - cell_len(mark)) + mark)
            if product.sellable == 0:
                name.stylize("dim")
            table.add_row(
                name,
                product.spec,
                Text(format_fen(product.price_fen), justify="right"),
                Text(str(product.sellable), justify="right"),
                product.sku,
                key=str(product.id),
            )
        status = self.query_one("#search-status", Label)
        if not query.strip():
            status.update(_("Type to search"))
        elif not self.results:
            status.update(_("Nothing found for {query!r}").format(query=query))
        else:
            status.update(_("{n} found: ↑/↓ to choose, Enter to add").format(n=len(self.results)))

    async def action_cursor(self, step: int) -> None:
        """Move the chosen result."""
        field = self.query_one(OrderedInput)
        await field.settle()
        self.run_search(field.value)
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    async def action_choose(self) -> None:
        """Add the chosen product, and close unless the register refuses it."""
        field = self.query_one(OrderedInput)
        await field.settle()
        self.run_search(field.value)  # the results may not have caught up with fast typing
        if not self.results:
            return
        error = self.choose(self.results[self.query_one(DataTable).cursor_row].id)
        if error:
            self.query_one("#search-status", Label).update(error)
            self.app.bell()
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Close without adding anything."""
        await self.query_one(OrderedInput).settle()
        await self.dismiss(False)
