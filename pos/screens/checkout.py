"""The checkout screen: scan, search, change quantities, pay."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Label

from pos.i18n import N_, _
from pos.money import format_fen
from pos.screens.common import localize_bindings
from pos.screens.confirm import ConfirmModal
from pos.screens.help import HelpModal
from pos.screens.payment import PaymentModal
from pos.screens.quantity import QuantityModal
from pos.screens.search import SearchModal
from pos.services.codes import InputError, parse_quantity
from pos.services.register import NotACode, RegisterService
from pos.services.tendering import Tendering
from pos.services.views import CartView, CompletedSale
from pos.widgets.cart_table import CartTable
from pos.widgets.message_bar import MessageBar
from pos.widgets.scan_input import ScanInput
from pos.widgets.totals import LastSalePanel, TotalsPanel


class CheckoutScreen(Screen[None]):
    """Sell to one customer after another, from the keyboard and the scanner."""

    BINDINGS = [
        Binding("f1", "help", N_("Keys"), id="help"),
        Binding("f3", "search", N_("Search"), id="search"),
        Binding("f4", "quantity", N_("Qty"), id="quantity"),
        Binding("f8", "remove_line", N_("Remove"), id="remove-line"),
        Binding("f10", "clear_cart", N_("Clear"), id="clear-cart"),
        Binding("f12", "pay", N_("Pay"), id="pay"),
        Binding("up", "cursor(-1)", N_("Line up"), id="line-up", show=False),
        Binding("down", "cursor(1)", N_("Line down"), id="line-down", show=False),
        Binding("escape", "clear_field", N_("Clear field"), id="clear-field", show=False),
    ]

    def __init__(self, register: RegisterService) -> None:
        super().__init__()
        localize_bindings(self)
        self.register = register
        self.last_sale: CompletedSale | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield CartTable(id="cart")
            with Vertical(id="side"):
                yield TotalsPanel(id="totals")
                yield LastSalePanel(id="last-sale")
        with Horizontal(id="scan-bar"):
            yield Label(_("Scan / code:"), id="scan-label")
            yield ScanInput(placeholder=_("barcode, N*barcode, or a name to search"), id="scan")
        yield MessageBar(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_cart(self.register.cart())
        self.query_one(LastSalePanel).show(None)
        self.query_one(MessageBar).info(_("Ready: scan a product"))
        self.focus_scan()

    # -- helpers ----------------------------------------------------------
    @property
    def cart_table(self) -> CartTable:
        """The cart table widget."""
        return self.query_one(CartTable)

    @property
    def message(self) -> MessageBar:
        """The message line."""
        return self.query_one(MessageBar)

    def focus_scan(self) -> None:
        """Give the scan field the focus (it should nearly always have it)."""
        self.query_one(ScanInput).focus()

    def on_screen_resume(self) -> None:
        self.focus_scan()

    def refresh_cart(self, cart: CartView) -> None:
        """Show ``cart`` in the table and the totals."""
        self.cart_table.show(cart)
        self.query_one(TotalsPanel).show(cart)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"quantity", "remove_line", "clear_cart", "pay"}:
            return True if self.register.cart().lines else None
        return True

    # -- scanning ---------------------------------------------------------
    @on(ScanInput.Scanned)
    def scanned(self, event: ScanInput.Scanned) -> None:
        text = event.text.strip()
        if not text:
            return
        if self.last_sale is not None and not self.register.cart().lines:
            self.last_sale = None
            self.query_one(LastSalePanel).show(None)
        try:
            cart = self.register.scan(text)
        except NotACode as exc:
            self.open_search(exc.query, exc.qty)
            return
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.refresh_cart(cart)
        line = cart.lines[cart.last_index or 0]
        self.message.info(
            _("Added {name} × {qty}").format(name=line.name, qty=line.qty)
            + f"   ¥{format_fen(line.total_fen)}"
        )

    # -- actions ----------------------------------------------------------
    def action_help(self) -> None:
        """Show every key of this screen."""
        self.app.push_screen(HelpModal(self))

    def action_search(self) -> None:
        """Find a product by name, pinyin, SKU or barcode (``N*`` first adds N)."""
        scan = self.query_one(ScanInput)
        text, scan.value = scan.value.strip(), ""
        qty = 1
        if "*" in text:
            head, _star, text = text.partition("*")
            try:
                qty = parse_quantity(head)
            except InputError as exc:
                self.message.error(str(exc))
                return
        self.open_search(text, qty)

    def open_search(self, query: str, qty: int = 1) -> None:
        """Show the search modal; the chosen product is added ``qty`` times."""
        self.app.push_screen(
            SearchModal(self.register, query), lambda product_id: self._searched(product_id, qty)
        )

    def _searched(self, product_id: int | None, qty: int) -> None:
        if product_id is None:
            return
        try:
            cart = self.register.add_product(product_id, qty)
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.refresh_cart(cart)
        line = cart.lines[cart.last_index or 0]
        self.message.info(_("Added {name} × {qty}").format(name=line.name, qty=line.qty))

    def action_cursor(self, step: int) -> None:
        """Move the highlighted line."""
        table = self.cart_table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_clear_field(self) -> None:
        """Empty the scan field."""
        self.query_one(ScanInput).value = ""

    def action_quantity(self) -> None:
        """Change the quantity of the highlighted line (a number in the scan field sets it)."""
        index = self.cart_table.selected_index
        if index is None:
            return
        scan = self.query_one(ScanInput)
        if scan.value.strip():
            text, scan.value = scan.value, ""
            self._set_quantity(index, text)
            return
        line = self.register.cart().lines[index]
        self.app.push_screen(
            QuantityModal(line.name, line.qty), lambda text: self._set_quantity(index, text)
        )

    def _set_quantity(self, index: int, text: str | None) -> None:
        if text is None:
            return
        try:
            cart = self.register.set_quantity(index, text)
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.refresh_cart(cart)
        line = cart.lines[index]
        self.message.info(_("{name}: quantity {qty}").format(name=line.name, qty=line.qty))

    def action_remove_line(self) -> None:
        """Take the highlighted line off the cart."""
        index = self.cart_table.selected_index
        if index is None:
            return
        name = self.register.cart().lines[index].name
        self.refresh_cart(self.register.remove_line(index))
        self.message.info(_("Removed {name}").format(name=name))

    def action_clear_cart(self) -> None:
        """Empty the cart, after confirming."""
        lines = len(self.register.cart().lines)
        if not lines:
            return
        question = _("Clear the whole cart ({n} lines)?").format(n=lines)
        self.app.push_screen(ConfirmModal(question, key="f10"), self._cleared)

    def _cleared(self, confirmed: bool | None) -> None:
        if confirmed:
            self.refresh_cart(self.register.clear_cart())
            self.message.info(_("Cart cleared"))

    def action_pay(self) -> None:
        """Take payment for the cart."""
        try:
            tendering = self.register.start_payment()
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.app.push_screen(PaymentModal(tendering), self._paid)

    def _paid(self, tendering: Tendering | None) -> None:
        if tendering is None:
            self.message.info(_("Payment cancelled: the cart is unchanged"))
            return
        try:
            sale = self.register.complete(tendering)
        except InputError as exc:
            self.message.error(_("Sale not completed: {error}").format(error=exc))
            return
        self.last_sale = sale
        self.refresh_cart(self.register.cart())
        self.query_one(LastSalePanel).show(sale)
        self.message.success(
            _("Sale {number} completed. Change ¥{change}. Scan the next customer's items.").format(
                number=sale.number, change=format_fen(sale.change_fen)
            )
        )
