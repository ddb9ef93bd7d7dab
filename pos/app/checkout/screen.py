"""The checkout screen: scan, search, change quantities, pay."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message_pump import MessagePump
from textual.notifications import Notification, Notify
from textual.screen import Screen, ScreenResultCallbackType
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Footer, Header
from textual.widgets._toast import Toast

from pos.app.checkout.counter import R, settled
from pos.app.checkout.keys import CHECKOUT_BINDINGS, function_keys
from pos.app.language import other_language
from pos.app.messages import LanguageChosen
from pos.app.modals.common import localize_bindings
from pos.app.modals.confirm import ConfirmModal
from pos.app.modals.help import HelpModal
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.guidance_panel import GuidancePanel
from pos.app.widgets.key_bar import KeyBar
from pos.app.widgets.key_footer import KeyFooter
from pos.app.widgets.member_panel import MemberPanel
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.plain import Label
from pos.app.widgets.scan_hold import ScanHolder
from pos.app.widgets.scan_input import ScanInput
from pos.app.widgets.status.printer_status import PrinterStatusBar
from pos.app.widgets.status.save_status import SaveStatus
from pos.app.widgets.status.shift_status import ShiftStatus
from pos.app.widgets.status.sync_status import SyncStatusBar
from pos.app.widgets.suggestion_panel import SuggestionPanel
from pos.app.widgets.toast_place import ToastPlace
from pos.app.widgets.totals import LastSalePanel, TotalsPanel
from pos.i18n import _, ngettext
from pos.register.api import TRACE_CODE, DrugClass, InputError, format_fen, parse_quantity

if TYPE_CHECKING:  # the register and the keys' handlers: imported once it is ready (attach)
    from pos.app.checkout.held import HeldKeys
    from pos.app.checkout.members import MemberPrompts
    from pos.app.checkout.overrides import ManagerKeys, OverrideGuard
    from pos.app.checkout.receipts import ReceiptKeys
    from pos.app.checkout.reports import ReportKeys
    from pos.app.checkout.returns import ReturnKeys
    from pos.app.checkout.safety import SafetyPrompts
    from pos.app.checkout.service import ServiceKeys
    from pos.app.checkout.shifts import ShiftKeys
    from pos.app.modals.sale.payment import PaymentOutcome
    from pos.register.api import PrinterStatus, SyncStatus, Tendering
    from pos.register.service import RegisterService
    from pos.register.views import CartView, CompletedSale, ScanOutcome

SAVE_RETRY_SECONDS = 0.5
"""How often a cart not yet stored (the database busy) is tried again."""
SETTLE_SECONDS = 0.04
"""While a scanner's burst is still queued, the panels and the message wait this long after
the last scan (the timer starts again with each scan): the cart table alone keeps up."""

MAX_SCAN_LENGTH = 80
"""The longest text the scan field takes: a GS1 code or a traceability code is far shorter,
and a product name to search for too."""


class CheckoutScreen(Screen[None]):
    """Sell to one customer after another, from the keyboard and the scanner.

    The screen holds the widgets and the sale's own keys (scan, search, quantity,
    remove, clear, pay); the other keys are delegated to handlers composed here,
    each given the register, this screen as its :class:`~pos.app.checkout.counter.Counter`
    and, where a manager may approve, the one :class:`OverrideGuard`.
    """

    BINDINGS = CHECKOUT_BINDINGS

    register: RegisterService
    guard: OverrideGuard
    safety: SafetyPrompts
    members: MemberPrompts
    receipts: ReceiptKeys
    returns: ReturnKeys
    reports: ReportKeys
    manager: ManagerKeys
    held_sales: HeldKeys
    shifts: ShiftKeys
    service: ServiceKeys
    """The rating after payment, complaints and adverse reactions (Alt+1..5, Ctrl+W/A)."""

    def __init__(self, scans: ScanHolder | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self.attached = False
        """Whether the register is attached (:meth:`attach`)."""
        self.started = False
        """Whether the register is attached and the scans typed before it all added."""
        self.early_scans: list[str] = []
        """Scans handed over before the register was ready, in order (added once it is)."""
        self.scans = scans
        """Scans held while a form was open: added when this screen is on top again."""
        self.last_sale: CompletedSale | None = None
        self.shown_member: int | None = None
        self._save_retry: Timer | None = None
        self._settle: Timer | None = None
        self._deferred: tuple[ScanOutcome, set[int]] | None = None
        """The last scan's outcome not yet shown in full (keys were queued behind it), and the
        cart lines the burst added meanwhile (their warnings are said when it settles)."""
        self.details = False
        """Ctrl+N: the guidance and suggestions in full on a short screen."""
        self.invitation: Notification | None = None
        """The join invitation shown while this sale is paid."""
        self.shift_status = ShiftStatus(id="shift-status")

    def attach(self, register: RegisterService) -> None:
        """The register is ready: the keys get their handlers, the panels fill (once
        mounted), then the scans typed meanwhile are added in order."""
        from pos.app.checkout.held import HeldKeys
        from pos.app.checkout.members import MemberPrompts
        from pos.app.checkout.overrides import ManagerKeys, OverrideGuard
        from pos.app.checkout.receipts import ReceiptKeys
        from pos.app.checkout.reports import ReportKeys
        from pos.app.checkout.returns import ReturnKeys
        from pos.app.checkout.safety import SafetyPrompts
        from pos.app.checkout.service import ServiceKeys
        from pos.app.checkout.shifts import ShiftKeys

        self.register = register
        self.attached = True
        self.guard = OverrideGuard(register, self)
        self.safety = SafetyPrompts(register, self)
        self.members = MemberPrompts(
            register, self, self.action_pay, lambda card: self.service.adverse_reaction(card)
        )
        self.receipts = ReceiptKeys(register, self)
        self.returns = ReturnKeys(register, self, self.receipts)
        self.reports = ReportKeys(register, self, self.guard)
        self.manager = ManagerKeys(register, self, self.guard)
        self.held_sales = HeldKeys(register, self)
        self.shifts = ShiftKeys(register, self, self.guard, self.shift_status)
        self.service = ServiceKeys(
            register, self, lambda: self.last_sale, self.show_notice, self.withdraw_notice
        )
        if self.is_mounted:
            self.call_later(self._open)

    async def _open(self) -> None:
        """Show the register's state, then add the scans typed before it was ready (any
        typed while those are added join the end of the queue: none overtakes another)."""
        self.show_state()
        await self.add_early_scans()

    async def add_early_scans(self) -> None:
        """Add the scans typed before the register was ready, in order, while this screen
        is on top (one may open the search: the rest wait until it closes)."""
        if not self.attached:
            return
        while self.early_scans and self.app.screen is self:
            await self.add_scan(self.early_scans.pop(0))
        self.started = not self.early_scans

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield CartTable(id="cart")
                yield GuidancePanel(id="guidance")
                yield SuggestionPanel(id="suggestions")
            with Vertical(id="side"):
                yield MemberPanel(id="member")
                yield TotalsPanel(id="totals")
                yield LastSalePanel(id="last-sale")
                yield PrinterStatusBar(id="printer-status")
                yield SyncStatusBar(id="sync-status")
                yield SaveStatus(id="save-status")
                yield self.shift_status
        with Horizontal(id="scan-bar"):
            yield Label(_("Scan / code:"), id="scan-label")
            yield ScanInput(
                self.scanned,
                placeholder=_("barcode, N*barcode, or a name to search"),
                id="scan",
            )
        yield MessageBar(id="message")
        yield KeyBar(id="keys")  # instead of the footer where F1…F12 don't fit in it
        yield KeyFooter(show_command_palette=False)  # Ctrl+P still works; F1 lists it

    def on_mount(self) -> None:
        self.query_one(KeyBar).show(function_keys(self))
        ToastPlace(self, self.query_one(CartTable)).start()  # clear of the message and keys
        self.watch(self.app, "printer_status", self.show_printer_status, init=False)
        self.watch(self.app, "sync_status", self._sync_status_changed, init=False)
        self.watch(self.app, "failure", self._failure_reported, init=False)
        self.focus_scan()
        if self.attached:  # the register was ready before this screen was mounted
            self.show_state()
            self.started = True
        else:  # the panels stay empty until the register is ready
            self.message.info(_("Starting, one moment"))

    def show_state(self) -> None:
        """The register's state: the cart (resumed after a stop), the last sale, the
        printer and the shift."""
        cart = self.register.cart()
        self.refresh_cart(cart)
        self.query_one(LastSalePanel).show(None)
        last = None if cart.lines else self.register.last_sale_number()
        if cart.lines:  # the register stopped mid-sale: the cart was saved
            resumed = ngettext(
                "The sale in progress was resumed ({n} line): carry on",
                "The sale in progress was resumed ({n} lines): carry on",
                len(cart.lines),
            )
            self.message.warning(resumed.format(n=len(cart.lines)))
        elif last:  # after a stop, the cashier knows whether the last sale was stored
            self.message.info(
                _("Ready: scan a product. Last sale stored: {number}").format(number=last)
            )
        else:
            self.message.info(_("Ready: scan a product"))
        self.show_printer_status(self.register.printer_status())
        self.shifts.show_shift(self.register.current_shift())

    # -- the screen's size ---------------------------------------------------
    def on_resize(self) -> None:
        self.fit_panels()

    def fit_panels(self) -> None:
        """On a short screen (below 30 rows), one line per panel; Ctrl+N expands
        the guidance and suggestions. Where the footer cannot show F1…F12, the key bar does."""
        footer_width = sum(
            len(key) + 3 + cell_len(description)
            for key, description in function_keys(self, shown=True)
        )
        narrow = footer_width > self.size.width
        self.query_one(KeyBar).display = narrow
        self.query_one(Footer).display = not narrow
        short = self.has_class("-short")
        for panel in (self.query_one(GuidancePanel), self.query_one(SuggestionPanel)):
            panel.compact = short and not self.details
        for other in (
            self.query_one(MemberPanel),
            self.query_one(TotalsPanel),
            self.query_one(LastSalePanel),
        ):
            other.compact = short

    def action_language(self) -> None:
        """Ctrl+S: the other screen language (中文 / English), kept for this user."""
        language = other_language()
        self.register.set_user_language(language)
        self.post_message(LanguageChosen(language))

    def action_details(self) -> None:
        """Show or fold the guidance and suggestions in full (on a short screen)."""
        self.details = not self.details
        self.fit_panels()

    def action_scroll_guidance(self, pages: int) -> None:
        """Scroll a guidance text longer than its panel."""
        panel = self.query_one(GuidancePanel)
        if pages > 0:
            panel.scroll_page_down(animate=False)
        else:
            panel.scroll_page_up(animate=False)

    # -- what the handlers use (the Counter interface) ---------------------
    @property
    def message(self) -> MessageBar:
        """The message line."""
        return self.query_one(MessageBar)

    def open(
        self, screen: Screen[R], callback: ScreenResultCallbackType[R] | None = None
    ) -> AwaitMount:
        """Show ``screen`` on top (await the result to hold keys back until it is mounted)."""
        return self.app.push_screen(screen, callback)

    def open_after_refresh(
        self, screen: Screen[R], callback: ScreenResultCallbackType[R] | None = None
    ) -> None:
        """Show ``screen`` once the modal that called this has closed."""
        self.call_after_refresh(self.app.push_screen, screen, callback)

    # -- helpers ----------------------------------------------------------
    @property
    def cart_table(self) -> CartTable:
        """The cart table widget."""
        return self.query_one(CartTable)

    def focus_scan(self) -> None:
        """Give the scan field the focus (it should nearly always have it)."""
        self.query_one(ScanInput).focus()

    async def on_screen_resume(self) -> None:
        self.focus_scan()
        await self.add_early_scans()
        await self.add_held_scans()

    async def add_held_scans(self) -> None:
        """Add the scans held while a form was open, in order (until one opens a modal)."""
        while self.scans is not None and self.app.screen is self:
            code = self.scans.next()
            if code is None:
                return
            await self.scanned(code)

    def show_printer_status(self, status: PrinterStatus | None) -> None:
        """Show the state of the receipt printer."""
        if status is not None:
            self.query_one(PrinterStatusBar).show(status)

    def show_sync_status(self, status: SyncStatus, last_sync: str) -> None:
        """Show the state of the chain sync."""
        self.query_one(SyncStatusBar).show(status, last_sync)

    def _sync_status_changed(self, shown: tuple[SyncStatus, str] | None) -> None:
        if shown is not None:
            self.show_sync_status(*shown)

    def _failure_reported(self, text: str | None) -> None:
        if text:
            self.message.error(text)

    def selected_index(self) -> int | None:
        """The highlighted cart line."""
        return self.cart_table.selected_index

    def refresh_cart(self, cart: CartView, outcome: ScanOutcome | None = None) -> None:
        """Show ``cart`` in the table and the totals (after a scan, from its ``outcome``).

        Whatever a burst deferred is superseded: ``cart`` is the cart as it is now.
        """
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        self._deferred = None
        near_expiry = self.register.near_expiry if outcome is None else outcome.near_expiry
        self.cart_table.show(cart, near_expiry)
        self.query_one(TotalsPanel).show(cart)
        self.query_one(MemberPanel).show(cart.member)
        self.shown_member = cart.member.id if cart.member else None
        self.show_guidance(cart)
        offered = self.register.suggestions() if outcome is None else list(outcome.suggestions)
        self.query_one(SuggestionPanel).show(offered if cart.lines else [])
        self.show_saving(None if outcome is None else outcome.unsaved)

    def show_saving(self, unsaved: bool | None = None) -> None:
        """Show "saving…" while the cart is not stored yet, and retry on a timer until it is.

        The database is busy while another program (an import) writes: the cart
        stays in memory meanwhile, and scanning goes on. ``unsaved``: as a scan's
        outcome said (else the register is asked).
        """
        pending = self.register.unsaved if unsaved is None else unsaved
        self.query_one(SaveStatus).show(pending)
        if pending and self._save_retry is None:
            self._save_retry = self.set_interval(SAVE_RETRY_SECONDS, self._retry_save)

    def _retry_save(self) -> None:
        if not self.register.save_cart():
            return
        self.query_one(SaveStatus).show(False)
        if self._save_retry is not None:
            self._save_retry.stop()
            self._save_retry = None

    def show_guidance(self, cart: CartView) -> None:
        """The guidance of the highlighted line (the last added one, after a scan)."""
        index = self.cart_table.selected_index
        line = cart.lines[index] if index is not None and index < len(cart.lines) else None
        self.query_one(GuidancePanel).show(line)

    # -- scanning ---------------------------------------------------------
    async def scanned(self, text: str) -> None:
        """Add what the scan field handed over (called in key order); before the register
        is ready, it waits in order behind the others."""
        if not self.started:
            if text.strip():
                self.early_scans.append(text)
            return
        await self.add_scan(text)

    async def add_scan(self, text: str) -> None:
        """Add a scanned code (or open the search for a name)."""
        from pos.register.api import is_sale_number
        from pos.register.service import NotACode

        text = text.strip()
        if not text:
            return
        if len(text) > MAX_SCAN_LENGTH:  # a paste gone wrong: refused, never echoed
            self.message.error(
                _("Too long for a code ({n} characters): nothing added").format(n=len(text))
            )
            return
        if self.last_sale is not None and not self.register.cart().lines:
            self.last_sale = None
            self.query_one(LastSalePanel).show(None)
            self.service.skip_rating()  # the next customer: the rating prompt goes
        if is_sale_number(text):  # a receipt's QR code: a return
            self.returns.open_return(text)
            return
        member_before = self.shown_member
        quick = self._keys_waiting()  # a burst: the add-ons and warnings when it settles
        try:
            error = self.guard.run(
                lambda approval: self.register.scan(text, approval, quick),
                lambda outcome: self._scanned(text, outcome, member_before),
                passing=NotACode,
            )
        except NotACode as exc:
            self.show_deferred()
            await self.open_search(exc.query, exc.qty)
            return
        if error:
            self.show_deferred()
            self.message.error(error)

    def _scanned(self, text: str, outcome: ScanOutcome, member_before: int | None) -> None:
        """Show the cart after ``text`` was scanned: all from the scan's one outcome."""
        cart = outcome.cart
        if cart.member is not None and (outcome.member_card or cart.member.id != member_before):
            attached = _("{name} attached: member prices and points")
            if outcome.note:  # e.g. the card was merged into another member's
                attached = outcome.note.replace("{", "{{").replace("}", "}}") + "  " + attached
            self.members.show_member(cart, attached)
            return
        if not outcome.settled:
            self._defer(outcome)
            return
        burst = set() if self._deferred is None else self._deferred[1]
        self.refresh_cart(cart, outcome)
        if TRACE_CODE.match(text):
            line = cart.lines[cart.last_index or 0]
            self.message.success(
                _("Traceability code added to {name} ({n} of {qty} boxes)").format(
                    name=line.name, n=len(line.trace_codes), qty=line.qty
                )
            )
            return
        self.announce_added(cart, outcome, burst)

    def _keys_waiting(self) -> bool:
        """More keys are queued (a scanner's burst goes on): in the scan field's or the app's
        message queue. Other messages (the field's own ``Changed`` after it cleared itself,
        a refresh) do not count. Textual has no public way to look into a queue."""
        pumps: tuple[MessagePump, ...] = (self.query_one(ScanInput), self.app)
        for pump in pumps:
            queued: Iterable[object] = pump._message_queue.values
            if pump.message_queue_size and any(
                isinstance(message, events.Key) for message in queued
            ):
                return True
        return False

    def _defer(self, outcome: ScanOutcome) -> None:
        """Show the scanned line in the cart table now; the rest once the burst settles."""
        cart = outcome.cart
        self.cart_table.show(cart, outcome.near_expiry)
        added = set() if self._deferred is None else self._deferred[1]
        if cart.last_index is not None:
            added.add(cart.last_index)
        self._deferred = (outcome, added)
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_SECONDS, self._burst_settled)

    def _burst_settled(self) -> None:
        """The burst's last deferred scan, shown in full: panels, suggestions, the message
        (with the warnings of every line the burst added)."""
        self._settle = None
        if self._deferred is None:
            return
        if self._keys_waiting():  # still typing: wait again
            self._settle = self.set_timer(SETTLE_SECONDS, self._burst_settled)
            return
        self.show_deferred()

    def show_deferred(self) -> None:
        """Show in full what a burst deferred (before an error or a form, which must not
        be hidden by it): the add-ons chosen now, the warnings read now."""
        if self._deferred is None:
            return
        added = self._deferred[1]
        outcome = self.register.offer()
        self.refresh_cart(outcome.cart, outcome)
        self.announce_added(outcome.cart, outcome, added)

    # -- actions ----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.service.allows(action) if self.attached else True

    def action_rate(self, rating: int) -> None:
        self.service.rate(rating)

    async def action_complaint(self) -> None:
        await self.service.complaint()

    async def action_adverse_reaction(self) -> None:
        await self.service.adverse_reaction()

    @settled
    async def action_follow_ups(self) -> None:
        """Ctrl+U: the follow-up calls due."""
        await self.members.follow_ups()

    async def action_help(self) -> None:
        """Show every key of this screen (F1 is the app's: see PosApp.action_help)."""
        await self.app.push_screen(HelpModal(self))

    @settled
    async def action_search(self) -> None:
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
        await self.open_search(text, qty)

    async def open_search(self, query: str, qty: int = 1) -> None:
        """Show the search modal; the chosen product is added ``qty`` times.

        Awaiting the mount holds back the keys typed after F3 until the search
        field has the focus, so none of them land in the scan field.
        """
        from pos.app.modals.sale.search import SearchModal

        await self.app.push_screen(
            SearchModal(self.register, query, lambda product_id: self._add_chosen(product_id, qty))
        )

    def _add_chosen(self, product_id: int, qty: int) -> str | None:
        """Add a product chosen in search; the reason it cannot be added, if so."""
        return self.guard.run(
            lambda approval: self.register.add_product(product_id, qty, approval), self._added
        )

    def _added(self, cart: CartView) -> None:
        self.refresh_cart(cart)
        self.announce_added(cart)

    def announce_added(
        self, cart: CartView, outcome: ScanOutcome | None = None, burst: Collection[int] = ()
    ) -> None:
        """Say what was added; point out near expiry, Rx and restricted rules, and dangers.

        After a scan everything comes from its ``outcome``; else the register is asked.
        ``burst``: the lines a scanner's burst added before (their dangers are said too).
        """
        line = cart.lines[cart.last_index or 0]
        text = _("Added {name} × {qty}").format(name=line.name, qty=line.qty)
        text += f"   ¥{format_fen(line.total_fen)}"
        notes = []
        near_expiry = self.register.near_expiry if outcome is None else outcome.near_expiry
        days = near_expiry(line.next_expiry)
        if days is not None and line.next_expiry is not None:
            notes.append(
                _("Expires {date} (in {days} days): tell the customer").format(
                    date=line.next_expiry.isoformat(), days=days
                )
            )
        if line.promo_label:
            notes.append(line.promo_label)
        if line.drug_class is DrugClass.RX:
            notes.append(_("Rx: prescription and pharmacist review before payment"))
        if line.restricted:
            notes.append(_("Restricted: the buyer's ID card before payment"))
        warnings = self.register.warnings() if outcome is None else outcome.warnings
        lines = {cart.last_index, *burst}
        dangers = list(
            dict.fromkeys(warning.text for warning in warnings if warning.line_index in lines)
        )
        if dangers:
            self.message.error(text + "   ⚠ " + "  ".join(dangers))
        elif notes and not (len(notes) == 1 and notes[0] == line.promo_label):
            self.message.warning(text + "   " + "  ".join(notes))
        elif notes:
            self.message.success(text + "   " + notes[0])
        else:
            self.message.info(text)

    @settled
    async def action_cursor(self, step: int) -> None:
        """Move the highlighted line."""
        table = self.cart_table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))
            self.show_guidance(self.register.cart())

    @settled
    async def action_clear_field(self) -> None:
        """Empty the scan field."""
        self.query_one(ScanInput).value = ""

    @settled
    async def action_quantity(self) -> None:
        """Change the quantity of the highlighted line (a number in the scan field sets it)."""
        from pos.app.modals.sale.quantity import QuantityModal

        scan = self.query_one(ScanInput)
        index = self.cart_table.selected_index
        if index is None:
            self.message.error(_("The cart is empty: scan a product first"))
            return
        if scan.value.strip():
            text, scan.value = scan.value, ""
            error = self._set_quantity(index, text)
            if error:
                self.message.error(error)
            return
        line = self.register.cart().lines[index]
        await self.app.push_screen(
            QuantityModal(line.name, line.qty, lambda text: self._set_quantity(index, text))
        )

    def _set_quantity(self, index: int, text: str) -> str | None:
        """Set line ``index`` to the typed quantity; the reason it cannot be, if so."""
        return self.guard.run(
            lambda approval: self.register.set_quantity(index, text, approval),
            lambda cart: self._quantity_set(index, cart),
        )

    def _quantity_set(self, index: int, cart: CartView) -> None:
        self.refresh_cart(cart)
        line = cart.lines[index]
        self.message.info(_("{name}: quantity {qty}").format(name=line.name, qty=line.qty))

    @settled
    async def action_remove_line(self) -> None:
        """Take the highlighted line off the cart."""
        index = self.cart_table.selected_index
        if index is None:
            self.message.error(_("The cart is empty: scan a product first"))
            return
        name = self.register.cart().lines[index].name
        self.guard.say(
            lambda approval: self.register.remove_line(index, approval),
            lambda cart: self._removed(name, cart),
        )

    def _removed(self, name: str, cart: CartView) -> None:
        self.refresh_cart(cart)
        self.message.info(_("Removed {name}").format(name=name))

    @settled
    async def action_clear_cart(self) -> None:
        """Empty the cart, after confirming."""
        lines = len(self.register.cart().lines)
        if not lines:
            return
        question = ngettext(
            "Clear the whole cart ({n} line)?", "Clear the whole cart ({n} lines)?", lines
        ).format(n=lines)
        await self.app.push_screen(ConfirmModal(question, "f10", self._clear))

    def _clear(self) -> None:
        self.guard.say(self.register.clear_cart, self._cleared)

    def _cleared(self, cart: CartView) -> None:
        self.refresh_cart(cart)
        self.message.info(_("Cart cleared"))

    @settled
    async def action_pay(self) -> None:
        """Take payment for the cart, once guidance, warnings and records are cleared.

        With nothing to clear, F12 then Enter at once still pays (see open_search).
        """
        from pos.app.modals.sale.payment import PaymentModal

        if not self.register.cart().lines:
            self.message.error(_("The cart is empty: scan a product first"))
            return
        if not await self.safety.clear_checks(self.action_pay):
            return
        try:
            tendering = self.register.start_payment()
        except InputError as exc:
            self.message.error(str(exc))
            return
        await self.app.push_screen(
            PaymentModal(tendering, self._complete, member=self.register.cart().member is not None),
            self._payment_closed,
        )
        if self.register.invite_to_enrol():
            # The invitation belongs to this sale: withdrawn when the payment closes.
            self.invitation = self.show_notice(
                _("Not a member yet? F2 enrols: member prices and points from this sale"),
                _("Invite to join"),
                10,
            )

    def show_notice(self, message: str, title: str, seconds: float) -> Notification:
        """A toast that can be withdrawn before its time (``withdraw_notice``)."""
        notice = Notification(message, title, "information", seconds, markup=False)
        self.app.post_message(Notify(notice))
        return notice

    def withdraw_notice(self, notice: Notification) -> None:
        """Take a toast off the screen: what it asked about has ended.

        After the app has shown it: a payment made at once (F12 Enter) ends before the
        invitation reaches the screen.
        """
        self.app.call_later(self._drop_notification, notice)

    def withdraw_invitation(self) -> None:
        """Take the join invitation off the screen: the sale it was for has ended."""
        invitation, self.invitation = self.invitation, None
        if invitation is not None:
            self.withdraw_notice(invitation)

    def _drop_notification(self, notification: Notification) -> None:
        if notification in self.app._notifications:
            self.app._unnotify(notification)  # Textual has no public way to withdraw one
        # A toast the screen was still mounting as it came back (from the payment form)
        # would stay until its timeout: take it off once the screen has settled.
        self.call_after_refresh(self._remove_toast, notification.identity)

    def _remove_toast(self, identity: str) -> None:
        for toast in self.query(Toast):
            if toast._notification.identity == identity:
                toast.remove()

    def _complete(self, tendering: Tendering) -> str | None:
        """Store the paid sale; the reason it cannot be stored, if so."""
        try:
            sale = self.register.complete(tendering)
        except InputError as exc:
            return _("Sale not completed: {error}").format(error=exc)
        self.last_sale = sale
        self.receipts.last_return = None
        self.refresh_cart(self.register.cart())
        self.query_one(LastSalePanel).show(sale)
        done = _("Sale {number} completed. Change ¥{change}. Scan the next customer's items.")
        done = done.format(number=sale.number, change=format_fen(sale.change_fen))
        if sale.receipt_note:
            self.message.warning(done + "  " + sale.receipt_note)
        else:
            self.message.success(done)
        self.service.offer_rating(sale)
        return None

    async def _payment_closed(self, outcome: PaymentOutcome | None) -> None:
        from pos.app.modals.sale.payment import PaymentOutcome

        self.withdraw_invitation()
        if outcome is PaymentOutcome.ENROL:
            await self.members.open_member_form("", then_pay=True)
        elif outcome is not PaymentOutcome.PAID:
            self.message.info(_("Payment cancelled: the cart is unchanged"))

    # -- keys handled by the screen's handlers ----------------------------
    @settled
    async def action_find_member(self) -> None:
        """Find a member by phone, last 4 digits, card, name or pinyin, and attach them."""
        await self.members.find_member()

    @settled
    async def action_enrol(self) -> None:
        """Enrol the customer as a member, with consent, and attach them to the sale."""
        await self.members.open_member_form("")

    @settled
    async def action_acknowledge_guidance(self) -> None:
        """F9: the guidance of the highlighted line was told to the customer."""
        self.safety.acknowledge_guidance()

    @settled
    async def action_reprint(self) -> None:
        """Print a copy (COPY / 重印) of the last receipt."""
        self.receipts.reprint()

    @settled
    async def action_preview_receipt(self) -> None:
        """Show the receipt printed last on screen, as printed: a sale's or a return's."""
        await self.receipts.preview()

    @settled
    async def action_retry_print(self) -> None:
        """Try the waiting receipts again now."""
        self.receipts.retry_print()

    @settled
    async def action_return(self) -> None:
        """Start a return: the sale number typed in the scan field, or asked for."""
        scan = self.query_one(ScanInput)
        text, scan.value = scan.value.strip(), ""
        await self.returns.start(text)

    @settled
    async def action_reports(self) -> None:
        """Open today's report; a manager logged in opens it, anyone else needs one's approval."""
        self.reports.reports()

    @settled
    async def action_change_price(self) -> None:
        """Sell the highlighted line at another unit price (a manager approves)."""
        await self.manager.change_price()

    @settled
    async def action_discount(self) -> None:
        """Take a percent off the highlighted line (above the cashier's limit, a manager)."""
        await self.manager.discount()

    @settled
    async def action_open_drawer(self) -> None:
        """Open the cash drawer without a sale (a manager approves; recorded)."""
        self.manager.open_drawer()

    @settled
    async def action_hold(self) -> None:
        """Hold the cart (挂单) and serve the next customer."""
        self.held_sales.hold()

    @settled
    async def action_recall(self) -> None:
        """Bring a held sale back."""
        await self.held_sales.recall()

    @settled
    async def action_promotions(self) -> None:
        """Show the promotions running today and those coming."""
        await self.held_sales.promotions()

    @settled
    async def action_suggestion(self, number: int) -> None:
        """Add suggestion ``number`` (Alt+1…3): the customer took the advice."""
        self.held_sales.suggestion(number)

    @settled
    async def action_shift(self) -> None:
        """Open a shift with its float, or show the open one and its keys."""
        await self.shifts.shift()
