"""The register service: the one facade the screens call.

Each public method is one unit of work with its own session and returns
frozen read models. The cart in progress lives here, not in a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.i18n import _
from pos.models import JobKind, Member, Product, Sale
from pos.services import catalogue, loyalty, members, printing
from pos.services.cart import Cart, CartLine
from pos.services.checkout import SaleContext, complete_sale
from pos.services.codes import TRACE_CODE, InputError, classify_barcode, parse_quantity, parse_scan
from pos.services.loyalty import LoyaltyRules
from pos.services.members import MemberForm
from pos.services.printing import PrinterStatus, PrintProfile, PrintSpooler
from pos.services.tendering import Tendering
from pos.services.views import CartView, CompletedSale, MemberView, ProductView

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class NotACode(InputError):
    """Scanned text that is no known code: the screen may search for it by name."""

    def __init__(self, query: str, qty: int = 1) -> None:
        super().__init__(_("No product with code {code}").format(code=query))
        self.query = query
        self.qty = qty


@dataclass(frozen=True)
class RegisterIdentity:
    """Which store and register this is, and its time zone."""

    store_code: str
    register_id: str
    timezone: str = "Asia/Shanghai"
    near_expiry_days: int = 180


class RegisterService:
    """Sells to one customer at a time on one register."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        identity: RegisterIdentity,
        clock: Clock = system_clock,
        printing: PrintProfile | None = None,
        send: printing.Sender | None = None,
        rules: LoyaltyRules | None = None,
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

    # -- time -------------------------------------------------------------
    def now(self) -> datetime:
        """Now, in UTC."""
        return self._clock().astimezone(UTC)

    def near_expiry(self, expiry: date | None) -> int | None:
        """Days left when ``expiry`` is near enough to tell the customer, else None."""
        if expiry is None:
            return None
        days = (expiry - self.today()).days
        return days if days <= self.identity.near_expiry_days else None

    def today(self) -> date:
        """The store's local date: the business day, and what expiry is judged against."""
        return self.now().astimezone(self._zone).date()

    def local_time(self, moment: datetime) -> datetime:
        """``moment`` in the store's time zone."""
        return moment.astimezone(self._zone)

    # -- cart -------------------------------------------------------------
    def cart(self) -> CartView:
        """The cart in progress, with the attached member."""
        return self._view()

    def _view(self) -> CartView:
        view = self._cart.view()
        if self._member_id is None:
            return view
        with self._sessions() as session:
            member = session.get(Member, self._member_id)
            if member is None or member.erased_at is not None:
                self._detach()
                return self._cart.view()
            return replace(view, member=self._member_view(session, member, details=False))

    def scan(self, text: str) -> CartView:
        """Add what was scanned or typed: ``CODE`` or ``N*CODE``."""
        request = parse_scan(text)
        code = request.code
        if members.is_card_no(code) and request.qty == 1:
            return self.attach_card(code)
        with self._sessions() as session:
            found = catalogue.find_by_code(session, code)
            if found is None:
                product = self._resolve_unknown(session, code, request.qty)
                barcode = catalogue.primary_barcode(session, product.id)
            else:
                product, barcode = found
            self._add(session, product, request.qty, barcode)
        return self._view()

    def add_product(self, product_id: int, qty: int = 1) -> CartView:
        """Add a product chosen by search."""
        with self._sessions() as session:
            product = session.get(Product, product_id)
            if product is None or not product.active:
                raise InputError(_("That product is no longer in the catalogue"))
            barcode = catalogue.primary_barcode(session, product.id)
            self._add(session, product, qty, barcode)
        return self._view()

    def set_quantity(self, index: int, text: str) -> CartView:
        """Change the quantity of line ``index`` to what the cashier typed."""
        line = self._line(index)
        qty = parse_quantity(text)
        with self._sessions() as session:
            self._check_stock(session, line.product_id, line.name, qty)
        self._cart.set_qty(index, qty)
        return self._view()

    def remove_line(self, index: int) -> CartView:
        """Take line ``index`` off the cart."""
        self._line(index)
        self._cart.remove(index)
        return self._view()

    def clear_cart(self) -> CartView:
        """Empty the cart."""
        self._cart.clear()
        return self._view()

    def search(self, query: str, limit: int = 50) -> list[ProductView]:
        """Products matching ``query`` by name, English name, pinyin, SKU or barcode."""
        today = self.today()
        with self._sessions() as session:
            return [
                _product_view(product, catalogue.stock_level(session, product.id, today).sellable)
                for product in catalogue.search(session, query, limit)
            ]

    # -- payment ----------------------------------------------------------
    def start_payment(self) -> Tendering:
        """A fresh payment for the cart's total."""
        if not self._cart.lines:
            raise InputError(_("The cart is empty: scan a product first"))
        limit = 0
        if self._member_id is not None:
            with self._sessions() as session:
                points = members.balance(session, self._member_id)
            limit = self.rules.max_redeem_fen(self._cart.total_fen, points)
        return Tendering(self._cart.total_fen, points_limit_fen=limit)

    def invite_to_enrol(self) -> bool:
        """True once per customer without a member card, when the sale reaches payment."""
        if self._member_id is not None or self._invited or not self.rules.invite:
            return False
        self._invited = True
        return True

    def complete(self, tendering: Tendering) -> CompletedSale:
        """Store the paid sale in one transaction, then start the next customer."""
        now = self.now()
        today = self.local_time(now).date()
        with self._sessions.begin() as session:
            member = None if self._member_id is None else session.get(Member, self._member_id)
            context = SaleContext(
                store_code=self.identity.store_code,
                register_id=self.identity.register_id,
                completed_at=now,
                business_date=today,
                member=member.card_no if member else None,
                member_id=member.id if member else None,
            )
            sale = complete_sale(session, self._cart, tendering, context)
            member_view = None
            if member is not None:
                self._reward(session, sale, member, tendering, now, today)
                member_view = self._member_view(session, member, details=False)
            number = sale.number
            receipt = printing.queue_receipt(session, sale, self.printing, now)
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
        )

    def _reward(
        self,
        session: Session,
        sale: Sale,
        member: Member,
        tendering: Tendering,
        now: datetime,
        today: date,
    ) -> None:
        """Points redeemed and earned, the birthday gift, the visit and the tier."""
        rules = self.rules
        redeemed_fen = tendering.points_fen
        if redeemed_fen:
            sale.points_redeemed = rules.points_for_fen(redeemed_fen)
            members.post_points(session, member.id, -sale.points_redeemed, "redeem", now, sale.id)
        lines = [(line.drug_class, line.category, line.total_fen) for line in self._cart.lines]
        birthday_month = loyalty.is_birthday_month(member.birthday, today)
        sale.points_earned = loyalty.points_earned(
            loyalty.eligible_fen(lines, rules),
            sale.total_fen,
            redeemed_fen,
            rules.tier(member.tier),
            birthday_month,
            rules,
        )
        if sale.points_earned:
            members.post_points(session, member.id, sale.points_earned, "earn", now, sale.id)
        gift = rules.birthday_gift_points
        if (
            gift
            and birthday_month
            and not members.birthday_gift_given(session, member.id, today.year)
        ):
            members.post_points(session, member.id, gift, "birthday", now, sale.id)
            sale.points_earned += gift
        member.last_visit_at = now
        session.flush()
        member.tier = rules.tier_for_spend(members.spend_last_year(session, member.id, now)).name

    # -- members ----------------------------------------------------------
    def find_members(self, query: str) -> list[MemberView]:
        """Members by full phone, last four digits, card number, name or pinyin initials."""
        with self._sessions() as session:
            return [self._member_view(session, m) for m in members.find(session, query)]

    def attach_member(self, member_id: int) -> CartView:
        """Sell to this member: member prices, points."""
        with self._sessions() as session:
            member = session.get(Member, member_id)
            if member is None or member.erased_at is not None:
                raise InputError(_("That member is no longer on file"))
        self._member_id = member_id
        self._cart.set_member_pricing(True)
        return self._view()

    def attach_card(self, card_no: str) -> CartView:
        """Attach the member whose card was scanned."""
        with self._sessions() as session:
            member = members.by_card(session, card_no)
            if member is None:
                raise InputError(_("No member with card {card}").format(card=card_no))
            member_id = member.id
        return self.attach_member(member_id)

    def detach_member(self) -> CartView:
        """Sell to a walk-in customer again: list prices, no points."""
        if self._member_id is None:
            raise InputError(_("No member is attached"))
        self._detach()
        return self._view()

    def _detach(self) -> None:
        self._member_id = None
        self._cart.set_member_pricing(False)

    def member(self, member_id: int) -> MemberView:
        """One member, with recent purchases and health notes."""
        with self._sessions() as session:
            member = session.get(Member, member_id)
            if member is None or member.erased_at is not None:
                raise InputError(_("That member is no longer on file"))
            return self._member_view(session, member)

    def member_form(self, member_id: int) -> MemberForm:
        """A member's details as the edit form shows them."""
        with self._sessions() as session:
            member = session.get_one(Member, member_id)
            return MemberForm(
                phone=member.phone or "",
                name=member.name or "",
                birthday=member.birthday.isoformat() if member.birthday else "",
                gender=member.gender or "",
                consent_terms=member.consent_terms,
                consent_marketing=member.consent_marketing,
                consent_health=member.consent_health,
                allergies=member.allergies,
                conditions=member.conditions,
            )

    def enrol(self, form: MemberForm) -> CartView:
        """Enrol a customer and attach the new member to the sale.

        A phone already enrolled raises :class:`members.DuplicatePhone`, naming
        that member, so the screen can offer them instead.
        """
        now = self.now()
        with self._sessions.begin() as session:
            member = members.enrol(session, form, now, self.today(), self.identity.store_code)
            member_id = member.id
        return self.attach_member(member_id)

    def edit_member(self, member_id: int, form: MemberForm) -> MemberView:
        """Change a member's details at the member's request."""
        with self._sessions.begin() as session:
            member = session.get_one(Member, member_id)
            members.update(session, member, form, self.now(), self.today())
            return self._member_view(session, member)

    def _member_view(self, session: Session, member: Member, details: bool = True) -> MemberView:
        last = member.last_visit_at
        return MemberView(
            id=member.id,
            card_no=member.card_no,
            name=member.name or "",
            masked_phone=members.mask_phone(member.phone),
            tier=member.tier,
            points=members.balance(session, member.id),
            last_visit=self.local_time(last).date() if last else None,
            recent_purchases=(
                tuple(members.recent_purchases(session, member.id)) if details else ()
            ),
            birthday=member.birthday,
            birthday_month=loyalty.is_birthday_month(member.birthday, self.today()),
            allergies=member.allergies,
            conditions=member.conditions,
            consent_marketing=member.consent_marketing,
            consent_health=member.consent_health,
        )

    # -- receipts ---------------------------------------------------------
    def last_sale_number(self) -> str | None:
        """The number of the newest sale stored by this register."""
        with self._sessions() as session:
            return session.scalar(
                select(Sale.number)
                .where(
                    Sale.store_code == self.identity.store_code,
                    Sale.register_id == self.identity.register_id,
                )
                .order_by(Sale.id.desc())
                .limit(1)
            )

    def reprint(self, number: str | None = None) -> str:
        """Queue a copy (marked COPY / 重印) of sale ``number``, else of the last sale."""
        with self._sessions.begin() as session:
            sale = self._sale(session, number)
            printing.queue_receipt(session, sale, self.printing, self.now(), JobKind.REPRINT)
            return sale.number

    def receipt_preview(self, number: str | None = None) -> tuple[str, str]:
        """(sale number, the receipt as printed) of sale ``number``, else of the last sale."""
        with self._sessions() as session:
            sale = self._sale(session, number)
            return sale.number, printing.preview_receipt(session, sale, self.printing)

    def print_pending(self) -> PrinterStatus:
        """Send the queued receipts in order (called from a worker thread)."""
        return self._spooler.drain()

    def printer_status(self) -> PrinterStatus:
        """How many receipts wait, and why, while any do."""
        return self._spooler.status()

    def _sale(self, session: Session, number: str | None) -> Sale:
        number = number or self.last_sale_number()
        sale = printing.find_sale(session, number) if number else None
        if sale is None:
            if number is None:
                raise InputError(_("No sale yet: nothing to print"))
            raise InputError(_("No sale numbered {number}").format(number=number))
        return sale

    def _substitution_note(self, substituted: tuple[str, ...]) -> str | None:
        """Say once which characters the printer cannot print."""
        new = [char for char in substituted if char not in self._reported_chars]
        if not new:
            return None
        self._reported_chars.update(new)
        return _("The printer cannot print {chars}: a substitute is printed instead").format(
            chars=" ".join(new)
        )

    # -- helpers ----------------------------------------------------------
    def _line(self, index: int) -> CartLine:
        if not 0 <= index < len(self._cart.lines):
            raise InputError(_("Choose a line of the cart first"))
        return self._cart.lines[index]

    def _resolve_unknown(self, session: Session, code: str, qty: int) -> Product:
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
        self, session: Session, product_id: int, name: str, qty: int
    ) -> catalogue.StockLevel:
        level = catalogue.stock_level(session, product_id, self.today())
        if level.sellable == 0 and level.expired > 0:
            raise InputError(
                _("{name}: only expired stock left ({expired}); it must not be sold").format(
                    name=name, expired=level.expired
                )
            )
        if level.sellable == 0:
            raise InputError(_("{name} is out of stock").format(name=name))
        if qty > level.sellable:
            raise InputError(
                _("Only {available} of {name} in stock").format(available=level.sellable, name=name)
            )
        return level

    def _add(self, session: Session, product: Product, qty: int, barcode: str | None) -> None:
        in_cart = self._cart.qty_of(product.id)
        level = self._check_stock(session, product.id, product.name, in_cart + qty)
        self._cart.add(
            CartLine(
                product_id=product.id,
                sku=product.sku,
                barcode=barcode,
                name=product.name,
                spec=product.spec,
                unit=product.unit,
                unit_price_fen=product.price_fen,
                drug_class=product.drug_class,
                qty=qty,
                next_expiry=level.next_expiry,
                member_price_fen=product.member_price_fen,
                category=product.category,
            )
        )


def _product_view(product: Product, sellable: int) -> ProductView:
    return ProductView(
        id=product.id,
        sku=product.sku,
        name=product.name,
        name_en=product.name_en,
        spec=product.spec,
        manufacturer=product.manufacturer,
        unit=product.unit,
        price_fen=product.price_fen,
        member_price_fen=product.member_price_fen,
        drug_class=product.drug_class,
        sellable=sellable,
    )
