"""The register service: the one facade the screens call.

Each public method is one unit of work with its own session and returns
frozen read models. The cart in progress lives here, not in a screen.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import catalogue
from pos.domain.catalogue.product_index import ProductIndex
from pos.domain.members import members, points_ledger
from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.printing import printing
from pos.domain.printing.print_queue import PrintSpooler, Sender
from pos.domain.printing.printing import PrintProfile
from pos.domain.promotions.promotions import NEVER_GIVEN, Gift
from pos.domain.sales.cart import Cart, CartLine
from pos.domain.sales.checkout import SaleContext, complete_sale, insurable_fen
from pos.domain.sales.codes import (
    TRACE_CODE,
    InputError,
    classify_barcode,
    parse_quantity,
    parse_scan,
)
from pos.domain.sales.tendering import Tendering
from pos.i18n import _
from pos.models import Member
from pos.register.members import MemberDesk
from pos.register.overrides import Approval, OverrideNeeded
from pos.register.parking import ParkingDesk
from pos.register.promotions import PromotionDesk
from pos.register.receipts import ReceiptDesk
from pos.register.reports import ReportDesk
from pos.register.returns import ReturnDesk
from pos.register.safety import PharmacyRules
from pos.register.shifts import ShiftDesk
from pos.register.state import Clock, RegisterIdentity, system_clock
from pos.register.suggestions import SuggestionDesk
from pos.register.views import CartView, CompletedSale, ProductView
from pos.sync.redemption import RedemptionCheck

__all__ = ["Clock", "NotACode", "RegisterIdentity", "RegisterService", "system_clock"]


class NotACode(InputError):
    """Scanned text that is no known code: the screen may search for it by name."""

    def __init__(self, query: str, qty: int = 1) -> None:
        super().__init__(_("No product with code {code}").format(code=query))
        self.query = query
        self.qty = qty


class RegisterService(
    ShiftDesk,
    ReportDesk,
    ReturnDesk,
    ParkingDesk,
    PromotionDesk,
    SuggestionDesk,
    MemberDesk,
    ReceiptDesk,
):
    """Sells to one customer at a time on one register."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        identity: RegisterIdentity,
        clock: Clock = system_clock,
        printing: PrintProfile | None = None,
        send: Sender | None = None,
        rules: LoyaltyRules | None = None,
        pharmacy: PharmacyRules | None = None,
        redemption: RedemptionCheck | None = None,
    ) -> None:
        self._sessions = sessions
        self.identity = identity
        self._zone = ZoneInfo(identity.timezone)
        self._clock = clock
        self._cart = Cart()
        self.printing = printing or PrintProfile(timezone=identity.timezone)
        self._spooler = PrintSpooler(sessions, self.printing, send, self.now)
        self._reported_chars: set[str] = set()
        self.rules = rules or LoyaltyRules()
        self._member_id: int | None = None
        self._invited = False
        self.pharmacy = pharmacy or PharmacyRules()
        self._redemption = redemption  # head office confirms points redeemed (a chain)
        self._suggestions = []
        self._products = ProductIndex()
        self._restore()
        self._changed()  # a resumed cart is priced as of now

    def _changed(self) -> CartView:
        """After every change of the cart: the member checked, the cart priced (promotions,
        member prices, gifts), the add-ons to offer chosen, the cart saved; its view."""
        self._settle_member()
        self._reprice()
        self._offer_suggestions()
        self._save()
        return self._present()

    # -- time -------------------------------------------------------------
    def near_expiry(self, expiry: date | None) -> int | None:
        """Days left when ``expiry`` is near enough to tell the customer, else None."""
        if expiry is None:
            return None
        days = (expiry - self.today()).days
        return days if days <= self.identity.near_expiry_days else None

    # -- cart -------------------------------------------------------------
    def cart(self) -> CartView:
        """The cart in progress, with the attached member: a read, it never writes."""
        return self._present()

    def scan(self, text: str, approval: Approval | None = None) -> CartView:
        """Add what was scanned or typed: ``CODE`` or ``N*CODE``.

        ``approval`` is a manager's, to sell more than the stock shows.
        """
        request = parse_scan(text)
        code = request.code
        if members.is_card_no(code) and request.qty == 1:
            return self.attach_card(code)
        if TRACE_CODE.match(code) and request.qty == 1:
            self._add_trace_code(code)
            return self._changed()
        with self._sessions() as session:
            found = catalogue.find_by_code(session, code)
            if found is None:
                product = self._resolve_unknown(session, code, request.qty)
                barcode = catalogue.primary_barcode(session, product.id)
            else:
                product, barcode = found
            self._add(session, product, request.qty, barcode, approval)
        return self._changed()

    def add_product(
        self, product_id: int, qty: int = 1, approval: Approval | None = None
    ) -> CartView:
        """Add a product chosen by search."""
        with self._sessions() as session:
            product = catalogue.product_row(session, product_id)
            if product is None or not product.active:
                raise InputError(_("That product is no longer in the catalogue"))
            barcode = catalogue.primary_barcode(session, product.id)
            self._add(session, product, qty, barcode, approval)
        return self._changed()

    def recall_held(self, held_id: int) -> CartView:
        """Bring a held sale back to the register."""
        self.recall(held_id)
        return self._changed()

    def accept_suggestion(self, number: int) -> CartView:
        """Add suggestion ``number`` (1–3) to the cart, remembering the rule behind it."""
        suggestion = self.suggestion(number)
        self.add_product(suggestion.product_id)
        if self._cart.last_index is not None:
            self._cart.lines[self._cart.last_index].suggested_by = suggestion.rule
        return self._changed()

    def set_quantity(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Change the quantity of line ``index`` to what the cashier typed."""
        line = self._line(index)
        if line.gift_of is not None:
            raise InputError(_("A gift line follows its promotion: change the other lines"))
        qty = parse_quantity(text)
        self._record_reduction(line, qty, approval)
        if line.restricted:
            self._check_restricted(line.restricted, line.name, qty, replaced=line.qty)
        others = self._cart.qty_of(line.product_id) - line.qty  # e.g. a gift of the product
        with self._sessions() as session:
            level = self._check_stock(session, line.product_id, line.name, others + qty, approval)
            if level is None:
                line.stock_override = True
        self._cart.set_qty(index, qty)
        del line.trace_codes[qty:]
        return self._changed()

    def search(self, query: str, limit: int = 50) -> list[ProductView]:
        """Products matching ``query`` by name, English name, pinyin, SKU or barcode."""
        today = self.today()
        with self._sessions() as session:
            found = self._products.search(session, query, limit)
            return catalogue.listing(session, found, today)

    # -- payment ----------------------------------------------------------
    def start_payment(self) -> Tendering:
        """A fresh payment for the cart's total."""
        if not self._cart.lines:
            raise InputError(_("The cart is empty: scan a product first"))
        self.check_shift_for_sale()
        limit = 0
        with self._sessions() as session:
            if self._member_id is not None:
                points = points_ledger.balance(session, self._member_id)
                limit = self.rules.max_redeem_fen(self._cart.total_fen, points)
            insurable = insurable_fen(session, self._cart)
        return Tendering(
            self._cart.total_fen,
            points_limit_fen=limit,
            insurance_blocker=self.missing_trace_codes(),
            insurance_limit_fen=insurable,
            cash_rounding=self.identity.cash_rounding,
        )

    def invite_to_enrol(self) -> bool:
        """True once per customer without a member card, when the sale reaches payment."""
        if self._member_id is not None or self._invited or not self.rules.invite:
            return False
        self._invited = True
        self._save()
        return True

    def complete(self, tendering: Tendering) -> CompletedSale:
        """Store the paid sale in one transaction, then start the next customer."""
        now = self.now()
        today = self.local_time(now).date()
        if self._redemption is not None and self._member_id is not None and tendering.points_fen:
            with self._sessions() as session:
                points = self.rules.points_for_fen(tendering.points_fen)
                since = datetime.combine(today, time.min, self._zone)
                self._redemption.confirm(session, self._member_id, points, since)
        with self._sessions.begin() as session:
            member = None if self._member_id is None else session.get(Member, self._member_id)
            context = SaleContext(
                store_code=self.identity.store_code,
                register_id=self.identity.register_id,
                completed_at=now,
                business_date=today,
                member=member.card_no if member else None,
                member_id=member.id if member else None,
                cashier=self.cashier,
            )
            sale = complete_sale(session, self._cart, tendering, context)
            self._record_safety(session, sale, now)
            self._record_suggestions(session, sale, now)
            member_view = None
            if member is not None:
                self._reward(session, sale, member, tendering, now, today)
                member_view = self._member_view(session, member, details=False)
            number = sale.number
            receipt = printing.queue_receipt(session, sale, self.printing, now)
            self._forget_current(session)
        self._cart = Cart()
        self._member_id = None
        self._invited = False
        return CompletedSale(
            number=number,
            total_fen=tendering.total_fen,
            change_fen=tendering.change_fen,
            payments=tuple(tendering.payments),
            points_earned=sale.points_earned,
            points_redeemed=sale.points_redeemed,
            member=member_view,
            receipt_note=self._substitution_note(receipt.substituted),
            rounding_fen=tendering.rounding_fen,
        )

    # -- helpers ----------------------------------------------------------
    def _line(self, index: int) -> CartLine:
        if not 0 <= index < len(self._cart.lines):
            raise InputError(_("Choose a line of the cart first"))
        return self._cart.lines[index]

    def _resolve_unknown(self, session: Session, code: str, qty: int) -> catalogue.ProductRow:
        if TRACE_CODE.match(code):
            raise InputError(
                _("{code} is a drug traceability code: scan the product's own barcode").format(
                    code=code
                )
            )
        if code.isdigit():
            classify_barcode(code)  # raises on a bad length or check digit
            raise InputError(_("Unknown barcode {code}: not in the catalogue").format(code=code))
        product = catalogue.find_by_sku(session, code.upper())
        if product is None:
            raise NotACode(code, qty)
        return product

    def _check_stock(
        self,
        session: Session,
        product_id: int,
        name: str,
        qty: int,
        approval: Approval | None = None,
    ) -> catalogue.StockLevel | None:
        """The stock level, or None when a manager approved selling past it (recorded)."""
        level = catalogue.stock_level(session, product_id, self.today())
        if level.sellable == 0 and level.expired > 0:
            raise InputError(
                _("{name}: only expired stock left ({expired}); it must not be sold").format(
                    name=name, expired=level.expired
                )
            )
        if qty <= level.sellable:
            return level
        if level.sellable == 0:
            what = _("{name} is out of stock").format(name=name)
        else:
            what = _("Only {available} of {name} in stock").format(
                available=level.sellable, name=name
            )
        try:
            approved_by = self.authorize("override.no_stock", approval, what)
        except OverrideNeeded as exc:
            raise OverrideNeeded(exc.action, what) from None
        with self._sessions.begin() as record:
            self.audit(
                record,
                "override.no_stock",
                approved_by=approved_by,
                detail={"product_id": product_id, "qty": qty, "sellable": level.sellable},
            )
        return None

    def _add(
        self,
        session: Session,
        product: catalogue.ProductRow,
        qty: int,
        barcode: str | None,
        approval: Approval | None = None,
    ) -> None:
        self._cart.add(self._build_line(session, product, qty, barcode, approval))

    def _build_line(
        self,
        session: Session,
        product: catalogue.ProductRow,
        qty: int,
        barcode: str | None,
        approval: Approval | None = None,
        gift: Gift | None = None,
    ) -> CartLine:
        """The one way a cart line is made: scanned, searched, suggested or a gift.

        Stock (with what the cart already holds of the product), the pharmacy rules
        (pharmacist on duty for Rx, the per-sale limit of a restricted product), its
        guidance, member price and traceability flag. A ``gift`` line is never of a
        class in :data:`NEVER_GIVEN` and is only given from stock on hand: no override.
        Raises :class:`InputError` when the line may not be added.
        """
        in_cart = self._cart.qty_of(product.id)
        level: catalogue.StockLevel | None
        if gift is None:
            level = self._check_stock(session, product.id, product.name, in_cart + qty, approval)
        else:
            if product.drug_class in NEVER_GIVEN:
                raise InputError(
                    _("{name}: an Rx or OTC-A product is never a gift").format(name=product.name)
                )
            level = catalogue.stock_level(session, product.id, self.today())
            if level.sellable < in_cart + qty:
                raise InputError(_("{name} is out of stock").format(name=product.name))
        ingredients = catalogue.ingredients(session, product.id)
        fields = self._safety_fields(session, product, ingredients, qty)
        return CartLine(
            product_id=product.id,
            sku=product.sku,
            barcode=barcode,
            name=product.name,
            spec=product.spec,
            unit=product.unit,
            unit_price_fen=product.price_fen,
            drug_class=product.drug_class,
            qty=qty,
            next_expiry=level.next_expiry if level else None,
            member_price_fen=product.member_price_fen,
            category=product.category,
            manufacturer=product.manufacturer,
            ingredients=ingredients,
            restricted=product.restricted,
            trace_required=product.trace_required,
            guidance=fields.guidance,
            stock_override=level is None,
            promotion_id=None if gift is None else gift.promotion_id,
            promo_label="" if gift is None else gift.name,
            gift_of=None if gift is None else gift.promotion_id,
        )
