"""Medication guidance (用药指导): importing the texts from TOML and finding a product's.

A text is keyed ``sku:P00001``, ``ingredient:ibuprofen`` or ``category:tcm``. A
product takes its SKU's text, else that of its first active ingredient (in the
product's order) that has one, else, for a medicine (Rx or OTC), its category's.

A category's text is medication guidance written for the medicines of that
category: a health food or daily good that happens to share the shelf (fish oil
on the vitamins shelf) never takes it — only a text written for its SKU or for
its own ingredient (PHARMACY.md: a health food is not a drug, no drug claims).

The import follows the CSV imports' rules: every entry is checked first, and any
bad entry stops the whole import unless ``skip_bad`` is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import _
from pos.models import Guidance, Product
from pos.reference import load_ingredients
from pos.transfer.import_common import UNCHUNKED, Chunks, ImportReport, RowError, toml_tables

KEY_PREFIXES = ("sku", "ingredient", "category")
TEXT_FIELDS = (
    "usage", "dosage", "precautions", "storage", "advice",
    "usage_en", "dosage_en", "precautions_en", "advice_en", "storage_en",
)  # fmt: skip
ENTRY_FIELDS = ("key", "contraindications", *TEXT_FIELDS)
WORDS = ("pregnancy", "breastfeeding", "children", "driving", "alcohol")
"""Contraindications that are not conditions of the reference."""
MAX_KEY = 96
MAX_CONTRAINDICATIONS = 400
_CHUNK = 500


@dataclass(frozen=True)
class EntryError(RowError):
    """A bad ``[[guidance]]`` entry: its number in the file (``line``) and key."""

    key: str = ""

    def __str__(self) -> str:
        if self.key:
            return _("entry {index} ({key}): {reason}").format(
                index=self.line, key=self.key, reason=self.reason
            )
        return _("entry {index}: {reason}").format(index=self.line, reason=self.reason)


@dataclass(frozen=True)
class GuidanceEntry:
    """A checked entry: the key and the values to store."""

    index: int
    key: str
    contraindications: str
    texts: dict[str, str]


def guidance_keys(product: Product) -> list[str]:
    """The keys a product's guidance is looked up by, in order of preference."""
    ingredients = [item.ingredient for item in product.ingredients]
    return line_keys(product.sku, ingredients, product.category, product.drug_class)


def line_keys(
    sku: str, ingredients: Sequence[str], category: str, drug_class: DrugClass
) -> list[str]:
    """:func:`guidance_keys` from a product's SKU, ingredients, category and drug class.

    The category's key only for a medicine: its text is written for the category's drugs.
    """
    keys = [f"sku:{sku}"]
    keys += [f"ingredient:{ingredient}" for ingredient in ingredients]
    if category and drug_class is not DrugClass.NONE:
        keys.append(f"category:{category}")
    return keys


def guidance_for(session: Session, product: Product) -> Guidance | None:
    """The guidance for ``product``: its SKU's, else an ingredient's, else (a medicine's) its
    category's."""
    return guidance_by_keys(session, guidance_keys(product))


def guidance_by_keys(session: Session, keys: list[str]) -> Guidance | None:
    """The guidance of the first of ``keys`` that has one."""
    found = guidance_by_keys_all(session, keys)
    return next((found[key] for key in keys if key in found), None)


def guidance_by_keys_all(session: Session, keys: list[str]) -> dict[str, Guidance]:
    """Every guidance of ``keys``, by key (one query)."""
    if not keys:
        return {}
    return {g.key: g for g in session.scalars(select(Guidance).where(Guidance.key.in_(keys)))}


def split_key(key: str) -> tuple[str, str]:
    """``"ingredient:Ibuprofen"`` → ``("ingredient", "ibuprofen")``; :class:`InputError` if bad.

    Ingredient and category names are lower-cased, as the products import stores them.
    """
    prefix, sep, name = key.partition(":")
    name = " ".join(name.split())
    if not sep or not name or len(key) > MAX_KEY or not name.isprintable():
        raise InputError(
            _("key must be sku:SKU, ingredient:NAME or category:NAME, not {key!r}").format(key=key)
        )
    if prefix not in KEY_PREFIXES:
        raise InputError(
            _("unknown key prefix {prefix!r}: use sku, ingredient or category").format(
                prefix=prefix
            )
        )
    return prefix, name if prefix == "sku" else name.lower()


def _contraindications(value: Any) -> str:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(_("contraindications must be a list of strings"))
    reference = load_ingredients()
    words: list[str] = []
    for item in value:
        word = item.strip().lower()
        if word not in WORDS:
            if not reference.is_condition(item):
                raise InputError(
                    _(
                        "unknown contraindication {word!r}: use pregnancy, breastfeeding, "
                        "children, driving, alcohol or a condition such as hypertension"
                    ).format(word=item)
                )
            word = reference.normalize_condition(item)
        if word not in words:
            words.append(word)
    text = ",".join(words)
    if len(text) > MAX_CONTRAINDICATIONS:
        raise InputError(_("too many contraindications"))
    return text


def check_entry(index: int, entry: Any) -> GuidanceEntry:
    """Validate one ``[[guidance]]`` table; raise :class:`InputError` with the first problem."""
    if not isinstance(entry, dict):
        raise InputError(_("an entry must be a table"))
    key = entry.get("key")
    if not isinstance(key, str):
        raise InputError(_("key is missing or not a string"))
    prefix, name = split_key(key.strip())
    unknown = [field for field in entry if field not in ENTRY_FIELDS]
    if unknown:
        raise InputError(_("unknown field(s): {fields}").format(fields=", ".join(unknown)))
    texts: dict[str, str] = {}
    for field in TEXT_FIELDS:
        value = entry.get(field, "")
        if not isinstance(value, str):
            raise InputError(_("{field} must be a string").format(field=field))
        texts[field] = value.strip()
    if not texts["usage"] and not texts["dosage"]:
        raise InputError(_("usage and dosage are both empty"))
    contraindications = _contraindications(entry.get("contraindications", []))
    return GuidanceEntry(index, f"{prefix}:{name}", contraindications, texts)


def _entries(data: bytes) -> list[Any]:
    return toml_tables(data, "guidance")


def _known_skus(session: Session, skus: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(skus), _CHUNK):
        chunk = skus[start : start + _CHUNK]
        found.update(session.scalars(select(Product.sku).where(Product.sku.in_(chunk))))
    return found


def _existing(session: Session, keys: list[str]) -> dict[str, Guidance]:
    found: dict[str, Guidance] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        found.update(
            (g.key, g) for g in session.scalars(select(Guidance).where(Guidance.key.in_(chunk)))
        )
    return found


def import_guidance(
    session: Session, data: bytes, skip_bad: bool = False, chunks: Chunks = UNCHUNKED
) -> ImportReport:
    """Create or update (by key) guidance texts from a TOML file, committed in ``chunks``.

    Errors are :class:`EntryError`: ``line`` is the entry's number (from 1) in the file.
    """
    report = ImportReport()
    checked: list[GuidanceEntry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(_entries(data), 1):
        raw_key = raw.get("key") if isinstance(raw, dict) else None
        label = raw_key.strip() if isinstance(raw_key, str) else ""
        try:
            entry = check_entry(index, raw)
            if entry.key in seen:
                raise InputError(_("key already in entry {index}").format(index=seen[entry.key]))
        except InputError as exc:
            report.errors.append(EntryError(index, str(exc), label))
            continue
        seen[entry.key] = index
        checked.append(entry)
    skus = [entry.key.removeprefix("sku:") for entry in checked if entry.key.startswith("sku:")]
    known = _known_skus(session, skus)
    good: list[GuidanceEntry] = []
    for entry in checked:
        sku = entry.key.removeprefix("sku:")
        if entry.key.startswith("sku:") and sku not in known:
            reason = _("no product has the sku {sku}").format(sku=sku)
            report.errors.append(EntryError(entry.index, reason, entry.key))
            continue
        good.append(entry)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    existing = _existing(session, [entry.key for entry in good])
    for entry in good:
        row = existing.get(entry.key)
        if row is None:
            row = Guidance(key=entry.key)
            session.add(row)
            report.created += 1
        else:
            report.updated += 1
        row.contraindications = entry.contraindications
        for field, value in entry.texts.items():
            setattr(row, field, value)
        chunks.checkpoint()
    report.applied = True
    session.flush()
    return report
