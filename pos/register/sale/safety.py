"""The register's pharmacy desk: guidance, warnings, prescriptions, restricted sales, trace codes.

Before payment every check must be cleared: guidance said and acknowledged
(F9), warnings acknowledged, a prescription reviewed by a pharmacist for Rx
lines, the buyer registered for restricted lines. The screens ask
:meth:`Safety.pending_checks` and act on the first.

A pharmacist signs what only a pharmacist may (DESIGN.md): allergy,
contraindication and duplicate-ingredient warnings and the repeat-buyer report of
restricted products are acknowledged by the pharmacist logged in at the register,
or by a pharmacist's id and PIN (:meth:`Safety.acknowledge_as_pharmacist`);
the sale records who and when. A cashier's F9 is for guidance given.

:class:`Safety` is one of the register's collaborators: it reads and marks the
cart state it is given; the register stores the cart after each of its changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue.catalogue import ProductRow
from pos.domain.pharmacy import safety
from pos.domain.pharmacy.guidance import guidance_by_keys, line_keys
from pos.domain.pharmacy.safety import Buyer, Names, PrescriptionForm, SafetyLine, mask_id
from pos.domain.sales.cart import CartLine
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import N_, _
from pos.models import (
    Guidance,
    Member,
    Prescription,
    Product,
    RestrictedSale,
    Sale,
    SaleLine,
    SaleWarning,
    TraceCode,
    User,
)
from pos.register.staff.login import Login
from pos.register.state import CartState, StoreTime
from pos.register.views import GuidanceView


@dataclass(frozen=True)
class PharmacyRules:
    """The store's pharmacy rules (``[pharmacy]`` in the settings)."""

    prescription_valid_days: int = 3
    restricted_limits: dict[str, int] = field(default_factory=lambda: {"ephedrine": 2})
    velocity_days: int = 30
    velocity_packs: int = 6

    def limit(self, rule: str) -> int:
        """Packs per sale of restricted ``rule`` (2 for a rule not configured)."""
        return self.restricted_limits.get(rule, 2)


@dataclass(frozen=True)
class LineSafety:
    """What the pharmacy desk adds to a new cart line."""

    guidance: GuidanceView | None
    guidance_en: GuidanceView | None
    """Its English texts, where it has them."""


@dataclass(frozen=True)
class Check:
    """Something to clear before payment."""

    kind: str
    """``guidance``, ``warning``, ``prescription`` or ``buyer``."""
    key: str
    title: str
    text: str
    line_index: int | None = None
    pharmacist: bool = False
    """Only a pharmacist may acknowledge it (logged in, or with their id and PIN)."""
    notes: tuple[str, ...] = ()
    """What the pharmacist must see with it (the member's allergies on a prescription)."""


class PharmacistNeeded(InputError):
    """Only a pharmacist may acknowledge this warning: ask for their id and PIN."""

    def __init__(self, what: str) -> None:
        super().__init__(_("Only a pharmacist may acknowledge this: {what}").format(what=what))
        self.what = what


@dataclass(frozen=True)
class Acknowledged:
    """A warning acknowledged in the cart: by whom (None: the sale's cashier) and when."""

    kind: str
    text: str
    by: str | None
    at: datetime | None

    def encode(self) -> str:
        """The cart's record of it (``Cart.acknowledged`` holds text, kept with the cart)."""
        at = self.at.isoformat() if self.at is not None else ""
        return "\t".join((self.kind, self.by or "", at, self.text))

    @classmethod
    def decode(cls, entry: str) -> Acknowledged:
        """Read :meth:`encode`'s text (or an older ``kind<TAB>text``)."""
        parts = entry.split("\t", 3)
        if len(parts) < 4:
            kind, _sep, text = entry.partition("\t")
            return cls(kind, text, None, None)
        kind, by, at, text = parts
        return cls(kind, text, by or None, datetime.fromisoformat(at) if at else None)


RULE_NAMES = {"ephedrine": N_("ephedrine-class preparations")}


def guidance_view(guidance: Guidance, english: bool) -> GuidanceView:
    """The guidance in the screen's language (English where it has it)."""

    def pick(chinese: str, other: str) -> str:
        return other if english and other else chinese

    return GuidanceView(
        usage=pick(guidance.usage, guidance.usage_en),
        dosage=pick(guidance.dosage, guidance.dosage_en),
        precautions=pick(guidance.precautions, guidance.precautions_en),
        contraindications=tuple(
            word for word in guidance.contraindications.split(",") if word.strip()
        ),
        storage=pick(guidance.storage, guidance.storage_en),
        advice=pick(guidance.advice, guidance.advice_en),
    )


class Safety:
    """Pharmacy safety at the register: the rules on adding lines, the checks before payment."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        rules: PharmacyRules,
        login: Login,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self.rules = rules
        self._login = login

    @cached_property
    def names(self) -> Names:
        """Ingredient and condition names (reference data, loaded once)."""
        from pos.reference import load_ingredients

        return load_ingredients()

    # -- adding lines -----------------------------------------------------
    def line_fields(
        self, session: Session, product: ProductRow, ingredients: Sequence[str], qty: int
    ) -> LineSafety:
        """Check the pharmacy rules for adding ``qty`` of ``product``; its guidance."""
        if product.drug_class is DrugClass.RX and not self._pharmacist_on_duty(session):
            raise InputError(
                _("No pharmacist on duty: prescription drugs cannot be sold now ({name})").format(
                    name=product.name
                )
            )
        if product.restricted:
            self.check_restricted(product.restricted, product.name, qty)
        found = guidance_by_keys(
            session, line_keys(product.sku, ingredients, product.category, product.drug_class)
        )
        if found is None:
            return LineSafety(None, None)
        return LineSafety(guidance_view(found, False), guidance_view(found, True))

    def check_restricted(self, rule: str, name: str, extra: int, replaced: int = 0) -> None:
        limit = self.rules.limit(rule)
        total = self._state.cart.restricted_qty(rule) - replaced + extra
        if total > limit:
            raise InputError(
                _("At most {limit} packs of {rule} per sale: {name} would make {total}").format(
                    limit=limit, rule=_(RULE_NAMES.get(rule, rule)), name=name, total=total
                )
            )

    def _pharmacist_on_duty(self, session: Session) -> bool:
        found = session.scalar(
            select(User.id).where(User.role == "pharmacist", User.active.is_(True)).limit(1)
        )
        return found is not None

    # -- checks before payment --------------------------------------------
    def warnings(self) -> list[safety.Warning]:
        """Duplicate ingredients (by route), the member's allergies and conditions, and the
        restricted buyer's repeat buying (the report to make)."""
        with self._sessions() as session:
            return self._warnings(session)

    def _safety_lines(self) -> list[SafetyLine]:
        return [
            SafetyLine(
                index,
                line.name,
                line.ingredients,
                line.guidance.contraindications if line.guidance else (),
            )
            for index, line in enumerate(self._state.cart.lines)
        ]

    def _warnings(self, session: Session) -> list[safety.Warning]:
        lines = self._safety_lines()
        found: list[safety.Warning] = []
        if safety.duplicate_ingredients(lines, self.names):  # routes only when it matters
            routes = self._routes(session)
            lines = [replace(line, route=routes.get(line.index, line.route)) for line in lines]
            found += safety.duplicate_ingredients(lines, self.names)
        health = self._member_health(session)
        if health is not None:
            found += safety.member_warnings(lines, *health, self.names)
        velocity = self._velocity_warning(session)
        if velocity is not None:
            found.append(velocity)
        return found

    def _routes(self, session: Session) -> dict[int, str]:
        """Each cart line's route (by index), from the catalogue."""
        skus = {line.sku for line in self._state.cart.lines}
        query = select(Product.sku, Product.route).where(Product.sku.in_(skus))
        by_sku = {sku: route for sku, route in session.execute(query)}
        return {
            index: by_sku[line.sku]
            for index, line in enumerate(self._state.cart.lines)
            if line.sku in by_sku
        }

    def _member_health(self, session: Session) -> tuple[list[str], list[str]] | None:
        """The attached member's allergies and conditions, if they consented to keep them."""
        if self._state.member_id is None:
            return None
        member = session.get(Member, self._state.member_id)
        if member is None or not member.consent_health:
            return None
        return (
            [term for term in member.allergies.split(",") if term],
            [term for term in member.conditions.split(",") if term],
        )

    def _velocity_warning(self, session: Session) -> safety.Warning | None:
        """The restricted buyer reached the repeat-buying threshold: a report to make."""
        buyer = self._state.cart.buyer
        in_cart = sum(line.qty for line in self._state.cart.lines if line.restricted)
        if buyer is None or not in_cart:
            return None
        since = self._time.now() - timedelta(days=self.rules.velocity_days)
        bought = session.scalar(
            select(func.coalesce(func.sum(RestrictedSale.qty), 0)).where(
                RestrictedSale.buyer_id_number == buyer.id_number,
                RestrictedSale.sold_at >= since,
            )
        )
        packs = int(bought or 0) + in_cart
        if packs < self.rules.velocity_packs:
            return None
        return safety.Warning(
            key=f"velocity:{mask_id(buyer.id_number)}",
            kind="velocity",
            text=_(
                "Report it: ID {id} has bought {n} restricted packs in {days} days. "
                "A pharmacist acknowledges and makes the report"
            ).format(id=mask_id(buyer.id_number), n=packs, days=self.rules.velocity_days),
        )

    def pending_checks(self) -> list[Check]:
        """What must be cleared before payment, in the order the screen asks for it."""
        checks = [
            Check(
                "guidance",
                f"guidance:{index}",
                _("Medication guidance: {name}").format(name=line.name),
                format_guidance(line),
                index,
            )
            for index, line in enumerate(self._state.cart.lines)
            if line.guidance is not None and not line.guidance_given
        ]
        warnings = self.warnings()
        checks += [
            Check(
                "warning",
                warning.key,
                _("Restricted sales: repeat buyer")
                if warning.kind == "velocity"
                else _("Safety warning"),
                warning.text,
                warning.line_index,
                pharmacist=warning.needs_pharmacist,
            )
            for warning in warnings
            if warning.key not in self._state.cart.acknowledged
        ]
        if self._state.cart.has_rx() and self._state.cart.prescription is None:
            names = "、".join(
                line.name for line in self._state.cart.lines if line.drug_class is DrugClass.RX
            )
            checks.append(
                Check(
                    "prescription",
                    "prescription",
                    _("Prescription and pharmacist review"),
                    names,
                    pharmacist=True,
                    notes=self._health_notes(warnings),
                )
            )
        restricted = [line for line in self._state.cart.lines if line.restricted]
        if restricted and self._state.cart.buyer is None:
            checks.append(
                Check(
                    "buyer",
                    "buyer",
                    _("Restricted sale: the buyer's name and ID"),
                    "、".join(line.name for line in restricted),
                )
            )
        return checks

    def _health_notes(self, warnings: Sequence[safety.Warning]) -> tuple[str, ...]:
        """The member's allergies and conditions, and the warnings they raise, for review."""
        with self._sessions() as session:
            health = self._member_health(session)
        notes = []
        if health is not None and health[0]:
            notes.append(_("Allergies: {items}").format(items="、".join(health[0])))
        if health is not None and health[1]:
            notes.append(_("Conditions: {items}").format(items="、".join(health[1])))
        notes += [
            warning.text for warning in warnings if warning.kind in ("allergy", "contraindication")
        ]
        return tuple(notes)

    @property
    def pharmacist_at_register(self) -> str | None:
        """The id of the pharmacist logged in at the register, if one is."""
        user = self._login.user
        return user.id if user is not None and user.role == "pharmacist" else None

    def pharmacist_signs(
        self, pharmacist_id: str, pin: str, refused: str = "pharmacist.refused"
    ) -> User:
        """The active pharmacist with this id and PIN; InputError if they are not.

        A PIN attempt like a login: wrong PINs count against the pharmacist's id, and a
        refusal is audited as ``refused``.
        """
        return self._login.check_pin_attempt(pharmacist_id, pin, ("pharmacist",), refused)

    def acknowledge(self, key: str) -> None:
        """F9: the guidance ``key`` was told, or warning ``key`` acknowledged.

        A warning only a pharmacist may acknowledge needs one logged in at the register:
        else :class:`PharmacistNeeded` (then :meth:`acknowledge_as_pharmacist`).
        """
        if key.startswith("guidance:"):
            index = int(key.removeprefix("guidance:"))
            if 0 <= index < len(self._state.cart.lines):
                self._state.cart.lines[index].guidance_given = True
            return
        warning = self._warning(key)
        if warning is None:
            return
        signer = None
        if warning.needs_pharmacist:
            signer = self.pharmacist_at_register
            if signer is None:
                raise PharmacistNeeded(warning.text)
        self._keep_acknowledged(warning, signer)

    def acknowledge_as_pharmacist(self, key: str, pharmacist_id: str, pin: str) -> str:
        """A pharmacist's id and PIN acknowledge warning ``key`` (their id is recorded);
        the pharmacist's name, for the cashier to read."""
        signer = self.pharmacist_signs(pharmacist_id, pin)
        warning = self._warning(key)
        if warning is not None:
            self._keep_acknowledged(warning, signer.id)
        return signer.name

    def _warning(self, key: str) -> safety.Warning | None:
        return next((warning for warning in self.warnings() if warning.key == key), None)

    def _keep_acknowledged(self, warning: safety.Warning, signer: str | None) -> None:
        entry = Acknowledged(warning.kind, warning.text, signer, self._time.now())
        self._state.cart.acknowledged[warning.key] = entry.encode()

    def acknowledge_guidance(self, index: int) -> bool:
        """Acknowledge line ``index``'s guidance; False if it had none to acknowledge."""
        if not 0 <= index < len(self._state.cart.lines):
            return False
        line = self._state.cart.lines[index]
        if line.guidance is None or line.guidance_given:
            return False
        line.guidance_given = True
        return True

    def review_prescription(self, form: PrescriptionForm, pharmacist_id: str, pin: str) -> str:
        """Record the prescription, reviewed by a pharmacist who signs with id and PIN (their
        id is recorded); the pharmacist's name, for the cashier to read."""
        clean = safety.check_prescription(
            form, self._time.today(), self.rules.prescription_valid_days
        )
        reviewer = self.pharmacist_signs(pharmacist_id, pin, "prescription.refused")
        self._state.cart.prescription = safety.Reviewed(clean, reviewer.id, self._time.now())
        return reviewer.name

    def register_buyer(self, name: str, id_number: str) -> str | None:
        """Record the restricted product's buyer; the repeat-buyer warning's text, if any.

        That warning is then one of :meth:`warnings`: a pharmacist acknowledges it.
        """
        self._state.cart.buyer = safety.check_buyer(name, id_number)
        with self._sessions() as session:
            velocity = self._velocity_warning(session)
        return velocity.text if velocity is not None else None

    # -- traceability codes -----------------------------------------------
    def add_trace_code(self, code: str) -> int:
        """Attach a scanned traceability code to the box it belongs to; the line's index."""
        lines = self._state.cart.lines
        if any(code in line.trace_codes for line in lines):
            raise InputError(
                _("Traceability code {code} is already in this sale").format(code=code)
            )
        with self._sessions() as session:
            sold = session.scalar(
                select(TraceCode.sold_at).where(
                    TraceCode.code == code, TraceCode.returned_at.is_(None)
                )
            )
        if sold is not None:
            raise InputError(
                _(
                    "Traceability code {code} was already sold on {day}: a fake or resold box?"
                ).format(code=code, day=self._time.local_time(sold).date())
            )
        order = [self._state.cart.last_index] if self._state.cart.last_index is not None else []
        order += reversed(range(len(lines)))
        for index in order:
            line = lines[index]
            if line.is_drug and len(line.trace_codes) < line.qty:
                line.trace_codes.append(code)
                self._state.cart.last_index = index
                return index
        raise InputError(
            _("Traceability code {code}: scan its product first, then the box's code").format(
                code=code
            )
        )

    def missing_trace_codes(self) -> str | None:
        """Why medical insurance cannot pay yet: boxes still without their codes."""
        missing = [
            f"{line.name} ({line.qty - len(line.trace_codes)})"
            for line in self._state.cart.lines
            if line.trace_required and len(line.trace_codes) < line.qty
        ]
        if not missing:
            return None
        return _("Insurance needs the traceability code of every box: {items}").format(
            items="、".join(missing)
        )

    # -- recording --------------------------------------------------------
    def record(self, session: Session, sale: Sale, now: datetime) -> None:
        """Store the warnings, prescription, restricted register and trace codes in ``session``
        (flushed with the sale's next changes; the lines carry the guidance given).

        A warning only a pharmacist may acknowledge and still unacknowledged refuses the
        sale (InputError: the caller's transaction stores nothing).
        """
        cart = self._state.cart
        unsigned = [
            warning.text
            for warning in self._warnings(session)
            if warning.needs_pharmacist and warning.key not in cart.acknowledged
        ]
        if unsigned:
            raise InputError(
                _("A pharmacist must acknowledge it before payment: {what}").format(
                    what=unsigned[0]
                )
            )
        for line, cart_line in zip(sale.lines, cart.lines, strict=True):
            for code in cart_line.trace_codes:
                session.add(TraceCode(code=code, sale_line_id=line.id, sold_at=now))
            if cart_line.restricted and cart.buyer is not None:
                sale.restricted.append(restricted_entry(line, cart_line, cart.buyer, now))
        for key, entry in cart.acknowledged.items():
            acknowledged = Acknowledged.decode(entry)
            index = _line_of(key)
            session.add(
                SaleWarning(
                    sale_id=sale.id,
                    line_no=None if index is None else index + 1,
                    kind=acknowledged.kind,
                    detail=acknowledged.text[:400],
                    acknowledged_by=acknowledged.by or sale.cashier,
                    acknowledged_at=acknowledged.at or now,
                )
            )
        if cart.prescription is not None:
            clean = cart.prescription.prescription
            sale.prescription = Prescription(
                number=clean.number,
                prescriber=clean.prescriber,
                issued_on=clean.issued_on,
                patient_name=clean.patient_name,
                pharmacist_id=cart.prescription.pharmacist_id,
                reviewed_at=cart.prescription.reviewed_at,
            )


def restricted_entry(
    sale_line: SaleLine, line: CartLine, buyer: Buyer, now: datetime
) -> RestrictedSale:
    """A row of the restricted-sales register for ``line`` (name, spec, maker, lots, buyer)."""
    return RestrictedSale(
        rule=line.restricted,
        sku=line.sku,
        product_name=line.name,
        spec=line.spec,
        manufacturer=line.manufacturer,
        lots=",".join(lot.lot_number for lot in sale_line.lots)[:200],
        qty=line.qty,
        buyer_name=buyer.name,
        buyer_id_number=buyer.id_number,
        sold_at=now,
    )


def _line_of(key: str) -> int | None:
    """The line index a warning key names (allergy/contraindication keys carry it)."""
    parts = key.split(":")
    if parts[0] in ("allergy", "contraindication") and parts[1].isdigit():
        return int(parts[1])
    return None


def format_guidance(line: CartLine) -> str:
    """The guidance of a line as the prompt shows it."""
    guidance = line.shown_guidance
    if guidance is None:
        return ""
    parts = [
        (_("Usage"), guidance.usage),
        (_("Dose"), guidance.dosage),
        (_("Precautions"), guidance.precautions),
        (_("Storage"), guidance.storage),
        (_("Advice"), guidance.advice),
    ]
    labelled = _("{label}: {text}")  # 用法：… in Chinese, with the full-width colon
    return "\n".join(labelled.format(label=label, text=text) for label, text in parts if text)
