"""The register service: the one facade the screens call.

``RegisterService`` holds the sale in progress (one :class:`CartState`) and a
set of plain collaborators, each taking what it needs in its constructor:
:class:`Login`, :class:`Overrides`, :class:`Safety`, :class:`LineMaker`,
:class:`Pricing`, :class:`Suggestions`, :class:`Members`, :class:`Parking`,
:class:`LineEdits`, :class:`Receipts`, :class:`Reports`, :class:`Returns` and
:class:`Shifts`. A collaborator changes the cart state; the facade then prices
the cart, chooses the add-ons and stores it (:meth:`RegisterService._changed`).

Each public method is one unit of work with its own session and returns frozen
read models (:mod:`pos.register.views`); getters never write.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import catalogue
from pos.domain.catalogue.product_index import ProductIndex
from pos.domain.members import members, points_ledger
from pos.domain.members.birthday import GIFT_PROMOTION, BirthdayGift
from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.members.members import MemberForm
from pos.domain.pharmacy.safety import Names, PrescriptionForm, Warning
from pos.domain.printing import printing
from pos.domain.printing.print_queue import OnQueued, PrinterStatus, PrintSpooler, Sender
from pos.domain.printing.printing import PrintProfile
from pos.domain.promotions.promotions import PromoRule
from pos.domain.returns.returns import RefundPlan, ReturnableSale, ReturnRequest, plan_refund
from pos.domain.sales.checkout import SaleContext, complete_sale, insurable_fen
from pos.domain.sales.codes import TRACE_CODE, InputError, parse_scan
from pos.domain.sales.tendering import Tendering
from pos.domain.suggestions.suggestions import Suggestion
from pos.enums import DrugClass
from pos.i18n import _
from pos.models import Member, User
from pos.register.customers.aftercare import Aftercare
from pos.register.customers.care import CareRules, MemberCare, MemberOffer
from pos.register.customers.members import Members
from pos.register.sale.edits import LineEdits
from pos.register.sale.lines import LineMaker, NotACode
from pos.register.sale.parking import HeldSale, Parking
from pos.register.sale.promotions import Pricing
from pos.register.sale.receipts import Receipts
from pos.register.sale.returns import CompletedReturn, Returns
from pos.register.sale.safety import Check, PharmacyRules, Safety
from pos.register.sale.suggestions import Suggestions
from pos.register.staff.login import Login, UserView
from pos.register.staff.overrides import Approval, Overrides
from pos.register.staff.reports import ReportReader, Reports
from pos.register.staff.shifts import ClosedShift, ShiftCount, Shifts, ShiftView
from pos.register.state import CartState, Clock, RegisterIdentity, StoreTime, system_clock
from pos.register.views import (
    CartView,
    CompletedSale,
    MemberView,
    ProductView,
    ScanOutcome,
    days_to_expiry,
)

if TYPE_CHECKING:  # a register of a chain only (pos.register.startup)
    from pos.sync.health import HealthSource
    from pos.sync.redemption import RedemptionCheck

__all__ = [
    "Clock",
    "NotACode",
    "RegisterIdentity",
    "RegisterService",
    "ScanOutcome",
    "system_clock",
]


class RegisterService:
    """Sells to one customer at a time on one register: the facade over its collaborators."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        identity: RegisterIdentity,
        clock: Clock = system_clock,
        printing: PrintProfile | None = None,
        send: Sender | None = None,
        rules: LoyaltyRules | None = None,
        pharmacy: PharmacyRules | None = None,
        care: CareRules | None = None,
        redemption: RedemptionCheck | None = None,
        health: HealthSource | None = None,
    ) -> None:
        """``redemption``: head office confirms the points a sale redeems (a chain);
        ``health``: head office gives an attached member's health notes (a chain)."""
        self._sessions = sessions
        self._identity = identity
        self._printing = profile = printing or PrintProfile(timezone=identity.timezone)
        self._time = time = StoreTime(clock, identity.timezone)
        self._state = state = CartState()
        self._login = login = Login(sessions, time, identity)
        self._overrides = overrides = Overrides(sessions, time, login, profile)
        self._safety = safety = Safety(sessions, state, time, pharmacy or PharmacyRules(), login)
        self._lines = lines = LineMaker(sessions, state, time, safety, overrides)
        self._pricing = Pricing(sessions, state, time, lines)
        self._suggestions = Suggestions(sessions, state, time, safety)
        care = care or CareRules()
        self._members = Members(
            sessions, state, time, identity, login, rules or LoyaltyRules(), care.segments, health
        )
        self._parking = Parking(sessions, state, time, identity)
        self._edits = LineEdits(sessions, state, identity, login, overrides, safety, lines)
        spooler = PrintSpooler(sessions, profile, send, time.now)
        self._receipts = Receipts(sessions, time, identity, profile, spooler)
        self._reports = Reports(sessions, identity, overrides)
        self._returns = Returns(sessions, state, time, identity, login, overrides, profile)
        self._shifts = Shifts(sessions, state, time, identity, login, overrides, profile)
        self._products = ProductIndex()
        self._redemption = redemption
        self.aftercare = Aftercare(sessions, identity, clock, care.segments, care.follow_ups)
        self.care = MemberCare(sessions, time, login, self._members.rules, care)
        """Follow-up calls, referrals, birthday gifts and segments (the service after the sale)."""
        self._parking.restore()
        self._changed()  # a resumed cart is priced as of now

    def _changed(self, offer: bool = True) -> CartView:
        """After every change of the cart: the member checked, the cart priced (promotions,
        member prices, gifts), the add-ons to offer chosen, the cart saved; its view.

        ``offer=False`` (a scan in a scanner's burst): no add-ons are chosen, none is
        offered until :meth:`offer` (when the burst settles).
        """
        self._members.settle()
        self._pricing.reprice()
        if offer:
            self._suggestions.offer()
        else:
            self._state.suggestions = []
        self._parking.save()
        return self._members.present()

    def _outcome(
        self, view: CartView, member_card: bool = False, settled: bool = True
    ) -> ScanOutcome:
        """What the screen shows after a scan, read once: the cart, add-ons, warnings
        (neither add-ons nor warnings when not ``settled``)."""
        return ScanOutcome(
            cart=view,
            suggestions=tuple(self._state.suggestions),
            warnings=tuple(self._safety.warnings()) if settled else (),
            today=self.today(),
            near_expiry_days=self.identity.near_expiry_days,
            unsaved=self._parking.unsaved,
            member_card=member_card,
            settled=settled,
        )

    def offer(self) -> ScanOutcome:
        """After a burst of quick scans: the add-ons chosen for the cart as it is now (and
        recorded as shown, the cart saved with them) and its warnings; all the screen shows."""
        return self._outcome(self._changed())

    # -- settings ---------------------------------------------------------
    @property
    def identity(self) -> RegisterIdentity:
        """Which store and register this is, and its rules at the counter."""
        return self._identity

    @property
    def printing(self) -> PrintProfile:
        """How this register prints."""
        return self._printing

    @property
    def rules(self) -> LoyaltyRules:
        """The member programme."""
        return self._members.rules

    @rules.setter
    def rules(self, rules: LoyaltyRules) -> None:
        self._members.rules = rules
        self.care.loyalty = rules

    @property
    def pharmacy(self) -> PharmacyRules:
        """The store's pharmacy rules."""
        return self._safety.rules

    @pharmacy.setter
    def pharmacy(self, rules: PharmacyRules) -> None:
        self._safety.rules = rules

    # -- time -------------------------------------------------------------
    def now(self) -> datetime:
        """Now, in UTC."""
        return self._time.now()

    def today(self) -> date:
        """The store's local date: the business day, and what expiry is judged against."""
        return self._time.today()

    def local_time(self, moment: datetime) -> datetime:
        """``moment`` in the store's time zone."""
        return self._time.local_time(moment)

    def near_expiry(self, expiry: date | None) -> int | None:
        """Days left when ``expiry`` is near enough to tell the customer, else None."""
        return days_to_expiry(expiry, self.today(), self.identity.near_expiry_days)

    # -- who is at the register -------------------------------------------
    @property
    def user(self) -> UserView | None:
        """The user logged in at the register, if any."""
        return self._login.user

    @user.setter
    def user(self, user: UserView | None) -> None:
        self._login.user = user

    @property
    def cashier(self) -> str | None:
        """The id of the user selling, for the sale's record."""
        return self._login.cashier

    @property
    def is_manager(self) -> bool:
        """True when a manager is logged in at the register."""
        return self._overrides.is_manager

    @property
    def pharmacist_at_register(self) -> str | None:
        """The id of the pharmacist logged in at the register, if one is."""
        return self._safety.pharmacist_at_register

    def has_users(self) -> bool:
        """False for a new store: the register asks for its first manager."""
        return self._login.has_users()

    def check_pin_attempt(
        self,
        user_id: str,
        pin: str,
        roles: Collection[str],
        refused: str,
        detail: Mapping[str, Any] | None = None,
    ) -> User:
        """One PIN attempt by ``user_id`` (see :meth:`Login.check_pin_attempt`)."""
        return self._login.check_pin_attempt(user_id, pin, roles, refused, detail)

    def login(self, user_id: str, pin: str) -> UserView:
        """Log ``user_id`` in with ``pin``; wrong PINs are throttled per user. Both are audited."""
        return self._login.login(user_id, pin)

    def add_first_manager(self, user_id: str, name: str, pin: str, again: str) -> UserView:
        """Create the store's first user, a manager, and log them in."""
        return self._login.add_first_manager(user_id, name, pin, again)

    def lock(self) -> None:
        """Lock the register; the cart stays for whoever unlocks it."""
        self._login.lock()

    # -- approvals --------------------------------------------------------
    def approve(self, action: str, manager_id: str, pin: str) -> Approval:
        """A manager's approval of ``action`` (see :meth:`Overrides.approve`)."""
        return self._overrides.approve(action, manager_id, pin)

    def authorize(self, action: str, approval: Approval | None, what: str = "") -> str:
        """The manager approving ``action`` now (using ``approval`` up), or OverrideNeeded."""
        return self._overrides.authorize(action, approval, what)

    def audit(
        self,
        session: Session,
        action: str,
        *,
        approved_by: str | None = None,
        subject: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Append ``action`` by the user at the register to the audit log."""
        self._overrides.audit(
            session, action, approved_by=approved_by, subject=subject, detail=detail
        )

    def open_drawer(self, approval: Approval | None = None) -> None:
        """Open the cash drawer with no sale (a manager's approval, recorded)."""
        self._overrides.open_drawer(approval)

    # -- cart -------------------------------------------------------------
    def cart(self) -> CartView:
        """The cart in progress, with the attached member: a read, it never writes."""
        return self._members.present()

    def scan(self, text: str, approval: Approval | None = None, quick: bool = False) -> ScanOutcome:
        """Add what was scanned or typed: ``CODE`` or ``N*CODE``; all the screen shows next.

        A member's card attaches the member; a traceability code goes to its box.
        ``approval`` is a manager's, to sell more than the stock shows. ``quick``: more
        scans are queued behind this one, a product's line is added (priced and saved as
        ever) without choosing add-ons or reading warnings: the outcome is not
        ``settled`` and :meth:`offer` completes it when the burst is over.
        """
        request = parse_scan(text)
        code = request.code
        if members.is_card_no(code) and request.qty == 1:
            member_id, note = self._members.by_card(code)
            outcome = self._outcome(self.attach_member(member_id), member_card=True)
            return replace(outcome, note=note) if note else outcome
        if TRACE_CODE.match(code) and request.qty == 1:
            self._safety.add_trace_code(code)
            return self._outcome(self._changed())
        with self._sessions() as session:
            found = catalogue.find_by_code(session, code)
            if found is None:
                product = self._lines.resolve_unknown(session, code, request.qty)
                barcode = catalogue.primary_barcode(session, product.id)
            else:
                product, barcode = found
            self._lines.add(session, product, request.qty, barcode, approval)
        return self._outcome(self._changed(offer=not quick), settled=not quick)

    def add_product(
        self, product_id: int, qty: int = 1, approval: Approval | None = None
    ) -> CartView:
        """Add a product chosen by search."""
        with self._sessions() as session:
            product = catalogue.product_row(session, product_id)
            if product is None or not product.active:
                raise InputError(_("That product is no longer in the catalogue"))
            barcode = catalogue.primary_barcode(session, product.id)
            self._lines.add(session, product, qty, barcode, approval)
        return self._changed()

    def set_quantity(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Change the quantity of line ``index`` to what the cashier typed."""
        self._edits.set_quantity(index, text, approval)
        return self._changed()

    def remove_line(self, index: int, approval: Approval | None = None) -> CartView:
        """Take line ``index`` off the cart, recorded; after an acknowledgement (or when
        ``register.approve_line_removal`` is on) a manager approves."""
        self._edits.remove_line(index, approval)
        return self._changed()

    def clear_cart(self, approval: Approval | None = None) -> CartView:
        """Void the cart in progress (a manager approves; recorded with its lines)."""
        self._edits.clear_cart(approval)
        return self._changed()

    def change_price(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Sell line ``index`` at the typed unit price (a manager approves; recorded)."""
        self._edits.change_price(index, text, approval)
        return self._changed()

    def discount_line(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Take ``text`` % off line ``index``; above the cashier's limit a manager approves."""
        self._edits.discount_line(index, text, approval)
        return self._changed()

    def search(self, query: str, limit: int = 50) -> list[ProductView]:
        """Products matching ``query`` by name, English name, pinyin, SKU or barcode."""
        today = self.today()
        with self._sessions() as session:
            found = self._products.search(session, query, limit)
            return catalogue.listing(session, found, today)

    # -- promotions -------------------------------------------------------
    def promotion_rules(self) -> tuple[list[PromoRule], dict[str, DrugClass]]:
        """Today's active and upcoming promotions, and their gifts' classes."""
        return self._pricing.promotion_rules()

    def promotions(self) -> tuple[list[PromoRule], list[PromoRule]]:
        """(running today, coming) promotions."""
        return self._pricing.promotions()

    def reload_promotions(self) -> None:
        """Read the promotions again (after an import)."""
        self._pricing.reload_promotions()

    # -- suggestions ------------------------------------------------------
    def suggestions(self) -> list[Suggestion]:
        """The add-ons to offer now (chosen when the cart last changed): a read."""
        return self._suggestions.current()

    def suggestion(self, number: int) -> Suggestion:
        """Suggestion ``number`` (1–3) as last shown."""
        return self._suggestions.suggestion(number)

    def accept_suggestion(self, number: int) -> CartView:
        """Add suggestion ``number`` (1–3) to the cart, remembering the rule behind it."""
        suggestion = self.suggestion(number)
        self.add_product(suggestion.product_id)
        cart = self._state.cart
        if cart.last_index is not None:
            cart.lines[cart.last_index].suggested_by = suggestion.rule
        return self._changed()

    # -- pharmacy safety --------------------------------------------------
    @property
    def names(self) -> Names:
        """Ingredient and condition names (reference data, loaded once)."""
        return self._safety.names

    def warnings(self) -> list[Warning]:
        """Duplicate ingredients, the member's allergies and conditions, repeat buying."""
        return self._safety.warnings()

    def user_language(self) -> str | None:
        """The screen language the logged-in user chose (None: none, or nobody logged in)."""
        return self._login.user_language()

    def set_user_language(self, language: str) -> None:
        """Remember ``language`` for the logged-in user."""
        self._login.set_user_language(language)

    def pending_checks(self) -> list[Check]:
        """What must be cleared before payment, in the order the screen asks for it."""
        return self._safety.pending_checks()

    def pharmacist_signs(
        self, pharmacist_id: str, pin: str, refused: str = "pharmacist.refused"
    ) -> str:
        """The id of the active pharmacist with this id and PIN; InputError if they are not."""
        return self._safety.pharmacist_signs(pharmacist_id, pin, refused).id

    def acknowledge(self, key: str) -> None:
        """F9: the guidance ``key`` was told, or warning ``key`` acknowledged (then stored)."""
        self._safety.acknowledge(key)
        self._parking.save()

    def acknowledge_as_pharmacist(self, key: str, pharmacist_id: str, pin: str) -> str:
        """A pharmacist's id and PIN acknowledge warning ``key``; the pharmacist's name."""
        signer = self._safety.acknowledge_as_pharmacist(key, pharmacist_id, pin)
        self._parking.save()
        return signer

    def acknowledge_guidance(self, index: int) -> bool:
        """Acknowledge line ``index``'s guidance; False if it had none to acknowledge."""
        done = self._safety.acknowledge_guidance(index)
        if done:
            self._parking.save()
        return done

    def review_prescription(self, form: PrescriptionForm, pharmacist_id: str, pin: str) -> str:
        """Record the prescription, reviewed by a pharmacist who signs with id and PIN; the
        pharmacist's name."""
        reviewer = self._safety.review_prescription(form, pharmacist_id, pin)
        self._parking.save()
        return reviewer

    def register_buyer(self, name: str, id_number: str) -> str | None:
        """Record the restricted product's buyer; the repeat-buyer warning's text, if any."""
        velocity = self._safety.register_buyer(name, id_number)
        self._parking.save()
        return velocity

    def missing_trace_codes(self) -> str | None:
        """Why medical insurance cannot pay yet: boxes still without their codes."""
        return self._safety.missing_trace_codes()

    # -- members ----------------------------------------------------------
    def find_members(self, query: str) -> list[MemberView]:
        """Members by full phone, last four digits, card number, name or pinyin initials."""
        return self._members.find_members(query)

    def attach_member(self, member_id: int) -> CartView:
        """Sell to this member: member prices, points."""
        if member_id != self._state.member_id:
            self._state.birthday_gift = None
        self._members.attach(member_id)
        return self._changed()

    def attach_card(self, card_no: str) -> CartView:
        """Attach the member whose card was scanned (the one it was merged into, if so)."""
        return self.attach_member(self._members.by_card(card_no)[0])

    def detach_member(self) -> CartView:
        """Sell to a walk-in customer again: list prices, no points."""
        if self._state.member_id is None:
            raise InputError(_("No member is attached"))
        self._members.detach()
        self._state.birthday_gift = None
        return self._changed()

    def member_offer(self) -> MemberOffer | None:
        """What to tell the attached member: their segment and birthday gift due (a read)."""
        if self._state.member_id is None:
            return None
        with self._sessions() as session:
            member = session.get(Member, self._state.member_id)
            if member is None or member.erased_at is not None:
                return None
            offer = self.care.offer(session, member)
        taken = self._state.birthday_gift is not None
        return replace(offer, gift=None) if taken else offer

    def give_birthday_gift(self) -> CartView:
        """Give the attached member this year's birthday gift in this sale (a gift line at
        no charge, or points granted with the sale); recorded when the sale is stored."""
        offer = self.member_offer()
        if offer is None or offer.gift is None:
            raise InputError(_("No birthday gift is due"))
        self._state.birthday_gift = offer.gift
        view = self._changed()
        if offer.gift.kind == "product" and not any(
            line.gift_of == GIFT_PROMOTION for line in self._state.cart.lines
        ):
            self._state.birthday_gift = None
            self._changed()
            raise InputError(
                _("The birthday gift {name} cannot be given now (none in stock?)").format(
                    name=offer.gift.name
                )
            )
        return view

    def member(self, member_id: int) -> MemberView:
        """One member, with recent purchases and health notes."""
        return self._members.member(member_id)

    def member_form(self, member_id: int) -> MemberForm:
        """A member's details as the edit form shows them."""
        return self._members.member_form(member_id)

    def enrol(self, form: MemberForm) -> CartView:
        """Enrol a customer and attach the new member to the sale.

        A phone already enrolled raises :class:`members.DuplicatePhone`, naming
        that member, so the screen can offer them instead; the form's referrer (a
        referral code or phone) is credited after the new member's first purchase.
        """
        return self.attach_member(self._members.enrol(form))

    def edit_member(self, member_id: int, form: MemberForm) -> MemberView:
        """Change a member's details at the member's request (the changed fields are recorded)."""
        return self._members.edit_member(member_id, form)

    # -- parked carts -----------------------------------------------------
    @property
    def unsaved(self) -> bool:
        """The cart in progress changed but could not be stored yet (the database was busy)."""
        return self._parking.unsaved

    def save_cart(self) -> bool:
        """Store the cart in progress if a save is still owed; True once it is stored."""
        return self._parking.save_cart()

    def hold(self) -> str:
        """Hold the cart (挂单) to serve the next customer; its label."""
        return self._parking.hold()

    def held_sales(self) -> list[HeldSale]:
        """The held carts of this register, oldest first."""
        return self._parking.held_sales()

    def recall(self, held_id: int) -> None:
        """Bring a held cart back (the current one must be empty)."""
        self._parking.recall(held_id)

    def recall_held(self, held_id: int) -> CartView:
        """Bring a held sale back to the register."""
        self.recall(held_id)
        return self._changed()

    # -- payment ----------------------------------------------------------
    def start_payment(self) -> Tendering:
        """A fresh payment for the cart's total."""
        cart = self._state.cart
        if not cart.lines:
            raise InputError(_("The cart is empty: scan a product first"))
        self.check_shift_for_sale()
        limit = 0
        with self._sessions() as session:
            if self._state.member_id is not None:
                points = points_ledger.balance(session, self._state.member_id)
                limit = self.rules.max_redeem_fen(cart.total_fen, points)
            insurable = insurable_fen(session, cart)
        return Tendering(
            cart.total_fen,
            points_limit_fen=limit,
            insurance_blocker=self.missing_trace_codes(),
            insurance_limit_fen=insurable,
            cash_rounding=self.identity.cash_rounding,
        )

    def invite_to_enrol(self) -> bool:
        """True once per customer without a member card, when the sale reaches payment."""
        state = self._state
        if state.member_id is not None or state.invited or not self.rules.invite:
            return False
        state.invited = True
        self._parking.save()
        return True

    def complete(self, tendering: Tendering) -> CompletedSale:
        """Store the paid sale in one transaction, then start the next customer."""
        now = self.now()
        today = self.local_time(now).date()
        state = self._state
        hold = None
        if self._redemption is not None and state.member_id is not None and tendering.points_fen:
            with self._sessions() as session:
                points = self.rules.points_for_fen(tendering.points_fen)
                since = datetime.combine(today, time.min, ZoneInfo(self.identity.timezone))
                till = (self.identity.store_code, self.identity.register_id)
                hold = self._redemption.confirm(session, state.member_id, points, since, till).hold
        try:
            return self._store_sale(tendering, now, today, hold)
        except BaseException:
            if hold is not None and self._redemption is not None:
                self._redemption.release(hold)  # head office confirmed points never taken
            raise

    def _store_sale(
        self, tendering: Tendering, now: datetime, today: date, hold: str | None
    ) -> CompletedSale:
        """:meth:`complete`'s transaction; ``hold``: head office's hold on the points
        redeemed (it travels with the redemption's entry)."""
        state = self._state
        with self._sessions.begin() as session:
            member = None if state.member_id is None else session.get(Member, state.member_id)
            context = SaleContext(
                store_code=self.identity.store_code,
                register_id=self.identity.register_id,
                completed_at=now,
                business_date=today,
                member=member.card_no if member else None,
                member_id=member.id if member else None,
                cashier=self.cashier,
            )
            sale = complete_sale(session, state.cart, tendering, context)
            self._safety.record(session, sale, now)
            self._suggestions.record(session, sale, now)
            member_view = None
            if member is not None:
                self._members.reward(session, sale, member, tendering, now, today)
                if hold is not None:
                    points_ledger.hold_redemption(session, sale.id, hold)
                self.care.after_sale(session, sale, member, self._given_birthday_gift())
                member_view = self._members.view(session, member, details=False)
            number = sale.number
            receipt = printing.queue_receipt(session, sale, self.printing, now)
            self._parking.forget_current(session)
        state.reset()
        return CompletedSale(
            number=number,
            total_fen=tendering.total_fen,
            change_fen=tendering.change_fen,
            payments=tuple(tendering.payments),
            points_earned=sale.points_earned,
            points_redeemed=sale.points_redeemed,
            member=member_view,
            receipt_note=self._receipts.substitution_note(receipt.substituted),
            rounding_fen=tendering.rounding_fen,
        )

    def _given_birthday_gift(self) -> BirthdayGift | None:
        """The birthday gift this sale gives: points, or a product whose gift line is there."""
        gift = self._state.birthday_gift
        if gift is None or gift.kind == "points":
            return gift
        present = any(line.gift_of == GIFT_PROMOTION for line in self._state.cart.lines)
        return gift if present else None

    # -- receipts ---------------------------------------------------------
    def last_sale_number(self) -> str | None:
        """The number of the newest sale stored by this register."""
        return self._receipts.last_sale_number()

    def reprint(self, number: str | None = None) -> str:
        """Queue a copy (marked COPY / 重印) of sale ``number``, else of the last sale."""
        return self._receipts.reprint(number)

    def receipt_preview(self, number: str | None = None) -> tuple[str, str]:
        """(sale number, the receipt as printed) of sale ``number``, else of the last sale."""
        return self._receipts.receipt_preview(number)

    def return_receipt_preview(self, number: str) -> tuple[str, str]:
        """(return number, its receipt as printed) of return ``number``."""
        return self._receipts.return_receipt_preview(number)

    def print_pending(self) -> PrinterStatus:
        """Send the queued receipts in order (called from a worker thread)."""
        return self._receipts.print_pending()

    def printer_status(self) -> PrinterStatus:
        """How many receipts wait, and why, while any do."""
        return self._receipts.printer_status()

    def warm_up(self) -> None:
        """Ready what the first sale needs and the first screen does not (called from a
        worker thread once that screen is up): the receipt renderer, the search index."""
        self._receipts.preload_printer()
        with self._sessions() as session:
            self._products.prepare(session)

    def on_print_queued(self, callback: OnQueued | None) -> None:
        """Call ``callback`` whenever print jobs were queued (after their transaction)."""
        self._receipts.on_print_queued(callback)

    # -- reports ----------------------------------------------------------
    def open_reports(self, approval: Approval | None = None) -> ReportReader:
        """A manager (logged in, or approving now) opens the reports; recorded."""
        return self._reports.open_reports(approval)

    # -- returns ----------------------------------------------------------
    def find_return(self, number: str) -> ReturnableSale:
        """The sale on a receipt, with what may still come back."""
        return self._returns.find_return(number)

    def plan_refund(
        self, sale: ReturnableSale, quantities: Mapping[int, int], to_cash: bool = False
    ) -> RefundPlan:
        """What each tender gives back if ``quantities`` (sale line id → units) come back."""
        return plan_refund(sale, quantities, to_cash)

    def complete_return(
        self, number: str, request: ReturnRequest, approval: Approval | None = None
    ) -> CompletedReturn:
        """Store the return and queue its receipt; a manager approves every refund."""
        return self._returns.complete_return(number, request, approval)

    # -- shifts -----------------------------------------------------------
    def current_shift(self) -> ShiftView | None:
        """The shift open on this register, or None."""
        return self._shifts.current_shift()

    def check_shift_for_sale(self) -> None:
        """Refuse payment with no shift open when ``register.require_shift`` is set."""
        self._shifts.check_shift_for_sale()

    def open_shift(self, float_text: str) -> ShiftView:
        """Open a shift with the float typed (yuan); the drawer opens to take it."""
        return self._shifts.open_shift(float_text)

    def move_cash(
        self, kind: str, amount_text: str, reason: str, approval: Approval | None = None
    ) -> ShiftView:
        """Put cash into (``in``) or take it out of (``out``) the drawer, with a reason."""
        return self._shifts.move_cash(kind, amount_text, reason, approval)

    def x_report(self) -> tuple[str, str]:
        """(number, text) of an X report of the shift so far, stored and queued to print."""
        return self._shifts.x_report()

    def check_can_close(self) -> None:
        """Refuse to close with a cart in progress or a held sale (挂单), or no shift."""
        self._shifts.check_can_close()

    def count_cash(self, texts: Mapping[int, str]) -> ShiftCount:
        """The cash counted (fen → count typed) against the cash expected now."""
        return self._shifts.count_cash(texts)

    def close_shift(
        self, texts: Mapping[int, str], approval: Approval | None = None
    ) -> ClosedShift:
        """Close the shift with the cash counted: a manager approves; the Z report prints."""
        return self._shifts.close_shift(texts, approval)
