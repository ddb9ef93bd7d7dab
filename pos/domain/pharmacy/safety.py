"""Pharmacy safety at the counter: warnings to acknowledge, prescriptions, restricted sales.

Pure functions over the cart's lines and the attached member; the register
service decides when to ask for them (PHARMACY.md: guidance, dangers a register
can catch, ephedrine-class preparations, prescriptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol

from stdnum.cn import ric

from pos.domain.sales.codes import InputError
from pos.i18n import _, join_names

ROUTES = ("oral", "topical", "eye", "ear", "nose", "inhaled", "rectal", "vaginal", "injection")
"""How a product is taken (the products CSV's ``route`` column)."""
DEFAULT_ROUTE = "oral"
FORM_ROUTES = (
    ("eye", ("滴眼液", "眼膏", "眼用凝胶", "眼药水")),
    ("ear", ("滴耳液",)),
    ("nose", ("滴鼻", "鼻喷", "鼻用")),
    ("inhaled", ("吸入",)),
    ("injection", ("注射",)),
    ("vaginal", ("阴道",)),
    ("rectal", ("栓", "灌肠")),
    (
        "topical",
        (
            "软膏",
            "乳膏",
            "凝胶",
            "贴",
            "搽剂",
            "喷雾",
            "气雾剂",
            "乳胶剂",
            "酊",
            "洗剂",
            "唇膏",
            "痔疮膏",
            "消毒",
            "外用",
        ),
    ),
    ("oral", ("含片", "喉片", "片", "胶囊", "颗粒", "口服液", "糖浆", "丸", "混悬")),
)
"""Dosage forms (in a product's name or spec) that tell its route, the narrowest first:
an eye gel is an eye product before it is a gel, a throat lozenge (含片) is taken by mouth."""

PHARMACIST_KINDS = frozenset({"allergy", "contraindication", "duplicate_ingredient", "velocity"})
"""Warnings only a pharmacist may acknowledge (clinical judgement, or a report to make).

A duplicate ingredient is among them: now that it counts only within one route, it
means the customer would take the same drug twice by the same way (two oral
acetaminophen products: liver damage). Whether the combined dose is safe, or one
product must go, is a dose judgement — clinical, not guidance told (DESIGN.md: a
cashier's F9 is for guidance given, not for clinical judgement)."""


def route_from_form(name: str, spec: str = "") -> str:
    """The route a product's dosage form tells (name first, then spec); else oral."""
    return _form_route(name) or _form_route(spec) or DEFAULT_ROUTE


@lru_cache(maxsize=65_536)
def _form_route(text: str) -> str:
    """The route of the first dosage form (the narrowest first) named in ``text``, or ``""``.

    Remembered: an import of a chain's catalogue asks it of 50,000 names and specs,
    a few thousand of them distinct (the same names in many pack sizes).
    """
    for route, forms in FORM_ROUTES:
        if any(form in text for form in forms):
            return route
    return ""


def check_route(value: str) -> str:
    """A route from :data:`ROUTES` (lower-cased); :class:`InputError` for anything else."""
    route = value.strip().lower()
    if route not in ROUTES:
        raise InputError(
            _("route must be one of {routes}, not {value!r}").format(
                routes=", ".join(ROUTES), value=value
            )
        )
    return route


@dataclass(frozen=True)
class SafetyLine:
    """What the safety checks need to know of a cart line."""

    index: int
    name: str
    ingredients: tuple[str, ...]
    contraindications: tuple[str, ...]
    route: str = DEFAULT_ROUTE


@dataclass(frozen=True)
class Warning:
    """A danger the cashier must acknowledge (F9) before payment; recorded with the sale."""

    key: str
    """Stable while the cart does not change, so an acknowledgement sticks."""
    kind: str
    """``duplicate_ingredient``, ``allergy``, ``contraindication`` or ``velocity``."""
    text: str
    line_index: int | None = None

    @property
    def needs_pharmacist(self) -> bool:
        """True when only a pharmacist may acknowledge it (:data:`PHARMACIST_KINDS`)."""
        return self.kind in PHARMACIST_KINDS


@dataclass(frozen=True)
class PrescriptionForm:
    """A prescription as typed at the counter."""

    number: str
    prescriber: str
    issued_on: str
    """``YYYY-MM-DD``."""
    patient_name: str


@dataclass(frozen=True)
class CleanPrescription:
    """A checked prescription."""

    number: str
    prescriber: str
    issued_on: date
    patient_name: str


@dataclass(frozen=True)
class Reviewed:
    """A prescription reviewed by a pharmacist, waiting for its sale to be stored."""

    prescription: CleanPrescription
    pharmacist_id: str
    reviewed_at: datetime


@dataclass(frozen=True)
class Buyer:
    """The buyer of a restricted product, as the register records them."""

    name: str
    id_number: str


class Names(Protocol):
    """How ingredients and conditions are named and matched (``pos.reference``)."""

    def zh_name(self, ingredient: str) -> str:
        """The ingredient's Chinese name."""
        ...

    def shown_name(self, ingredient: str) -> str:
        """The ingredient's name in the screen's language (English, else Chinese)."""
        ...

    def resolve_allergy(self, term: str) -> frozenset[str]:
        """The ingredients an allergy term covers."""
        ...

    def normalize_condition(self, term: str) -> str:
        """A condition's key."""
        ...


def duplicate_ingredients(lines: Sequence[SafetyLine], names: Names) -> list[Warning]:
    """One warning per group of lines sharing an active ingredient by the same route.

    A lozenge and a skin cream with menthol do not add up; two oral products with
    acetaminophen do.
    """
    holders: dict[tuple[str, str], list[SafetyLine]] = {}
    for line in lines:
        for ingredient in dict.fromkeys(line.ingredients):
            holders.setdefault((ingredient, line.route), []).append(line)
    shared: dict[tuple[int, ...], list[str]] = {}
    for (ingredient, _route), found in holders.items():
        if len(found) >= 2:
            shared.setdefault(tuple(line.index for line in found), []).append(ingredient)
    by_index = {line.index: line for line in lines}
    warnings = []
    for indexes, ingredients in shared.items():
        products = join_names(by_index[index].name for index in indexes)
        warnings.append(
            Warning(
                key="duplicate:" + ",".join(ingredients) + ":" + ",".join(map(str, indexes)),
                kind="duplicate_ingredient",
                text=_("{ingredient} is in {n} products: {products}. Too much of it harms").format(
                    ingredient=join_names(names.shown_name(item) for item in ingredients),
                    n=len(indexes),
                    products=products,
                ),
                line_index=indexes[-1],
            )
        )
    return warnings


def member_warnings(
    lines: Sequence[SafetyLine],
    allergies: Sequence[str],
    conditions: Sequence[str],
    names: Names,
) -> list[Warning]:
    """The member's allergies matching a line's ingredient, and conditions it is unsafe for."""
    warnings = []
    allergens = {term: names.resolve_allergy(term) for term in allergies if term}
    member_conditions = {names.normalize_condition(term): term for term in conditions if term}
    for line in lines:
        for term, covered in allergens.items():
            hit = [ingredient for ingredient in line.ingredients if ingredient in covered]
            if hit:
                warnings.append(
                    Warning(
                        key=f"allergy:{line.index}:{term}",
                        kind="allergy",
                        text=_("The member is allergic to {term}: {name} contains {what}").format(
                            term=term,
                            name=line.name,
                            what=join_names(names.shown_name(ingredient) for ingredient in hit),
                        ),
                        line_index=line.index,
                    )
                )
        for word in line.contraindications:
            condition = names.normalize_condition(word)
            if condition in member_conditions:
                warnings.append(
                    Warning(
                        key=f"contraindication:{line.index}:{condition}",
                        kind="contraindication",
                        text=_("{name} is contraindicated with the member's {condition}").format(
                            name=line.name, condition=member_conditions[condition]
                        ),
                        line_index=line.index,
                    )
                )
    return warnings


def check_prescription(form: PrescriptionForm, today: date, valid_days: int) -> CleanPrescription:
    """Check a typed prescription: all fields, a date not in the future and still valid."""
    number, prescriber, patient = (
        form.number.strip(),
        form.prescriber.strip(),
        form.patient_name.strip(),
    )
    if not number or not prescriber or not patient:
        raise InputError(_("Prescription number, hospital or prescriber and patient are required"))
    try:
        issued = date.fromisoformat(form.issued_on.strip())
    except ValueError:
        raise InputError(
            _("Prescription date must be YYYY-MM-DD: {text}").format(text=form.issued_on)
        ) from None
    if issued > today:
        raise InputError(_("The prescription is dated in the future: {day}").format(day=issued))
    if (today - issued).days >= valid_days:
        raise InputError(
            _("The prescription of {day} has expired: valid {n} days").format(
                day=issued, n=valid_days
            )
        )
    return CleanPrescription(number[:64], prescriber[:200], issued, patient[:64])


def check_buyer(name: str, id_number: str) -> Buyer:
    """The buyer's name and an 18-character resident ID with a valid check digit."""
    name = " ".join(name.split())
    if not name:
        raise InputError(_("The buyer's name is required"))
    number = id_number.strip().upper().replace(" ", "")
    if len(number) != 18:
        raise InputError(_("A resident ID number has 18 characters, not {n}").format(n=len(number)))
    if not ric.is_valid(number):
        raise InputError(
            _("Resident ID {id} is not valid (check digit or date)").format(id=mask_id(number))
        )
    return Buyer(name[:64], number)


def mask_id(number: str) -> str:
    """First 6 and last 4 characters: ``110105********0123``."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
