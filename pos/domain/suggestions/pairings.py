"""Curated add-on pairings (关联销售): importing ``trigger,suggest_sku,reason`` CSV files.

A pairing says: when ``trigger`` (``sku:…``, ``category:…`` or ``ingredient:…``)
is in the cart, suggest ``suggest_sku`` with ``reason``, a sentence the cashier
can say. The import follows the other CSV imports' rules: every row is checked
first, and any bad row stops the whole import unless ``skip_bad`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import _
from pos.models import Pairing, Product
from pos.transfer.import_common import UNCHUNKED, Chunks, ImportReport, RowError, read_rows

PAIRING_COLUMNS = ("trigger", "suggest_sku", "reason")
TRIGGER_PREFIXES = ("sku", "category", "ingredient")
MAX_TRIGGER = 96
MAX_REASON = 200
_CHUNK = 500


@dataclass(frozen=True)
class PairingRow:
    """A checked row of a pairings file."""

    line: int
    trigger: str
    suggest_sku: str
    reason: str


def parse_trigger(value: str) -> str:
    """``"Category: Cold_Flu"`` → ``"category:cold_flu"``; :class:`InputError` if malformed.

    Category and ingredient names are lower-cased, as the products import stores them;
    a SKU is kept as it is.
    """
    prefix, sep, name = value.partition(":")
    prefix = prefix.strip().lower()
    name = " ".join(name.split())
    if not sep or not name or prefix not in TRIGGER_PREFIXES or not name.isprintable():
        raise InputError(
            _("trigger must be sku:SKU, category:NAME or ingredient:NAME, not {value!r}").format(
                value=value
            )
        )
    trigger = f"{prefix}:{name if prefix == 'sku' else name.lower()}"
    if len(trigger) > MAX_TRIGGER:
        raise InputError(_("trigger is longer than {limit} characters").format(limit=MAX_TRIGGER))
    return trigger


def check_pairing(line: int, row: dict[str, str]) -> PairingRow:
    """Validate one pairings row by itself; raise :class:`InputError` with the first problem."""
    trigger = parse_trigger(row["trigger"])
    sku = row["suggest_sku"]
    if not sku:
        raise InputError(_("suggest_sku is empty"))
    if trigger == f"sku:{sku}":
        raise InputError(_("{sku} would be suggested for itself").format(sku=sku))
    reason = " ".join(row["reason"].split())
    if not reason:
        raise InputError(_("reason is empty: give a sentence the cashier can say"))
    if len(reason) > MAX_REASON:
        raise InputError(
            _("reason is {length} characters long; at most {limit}").format(
                length=len(reason), limit=MAX_REASON
            )
        )
    return PairingRow(line, trigger, sku, reason)


def _drug_classes(session: Session, skus: Iterable[str]) -> dict[str, DrugClass]:
    """The drug class of each known SKU among ``skus``."""
    wanted = list(skus)
    found: dict[str, DrugClass] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            session.execute(
                select(Product.sku, Product.drug_class).where(Product.sku.in_(chunk))
            ).all()
        )
    return found


def _catalogue_problem(row: PairingRow, classes: dict[str, DrugClass]) -> str | None:
    """Why ``row`` does not fit the catalogue, or None."""
    trigger_sku = row.trigger.removeprefix("sku:") if row.trigger.startswith("sku:") else None
    if trigger_sku is not None and trigger_sku not in classes:
        return _("no product has the sku {sku} (trigger)").format(sku=trigger_sku)
    drug_class = classes.get(row.suggest_sku)
    if drug_class is None:
        return _("no product has the sku {sku} (suggest_sku)").format(sku=row.suggest_sku)
    if drug_class is DrugClass.RX:
        return _("{sku} is a prescription drug: never suggested as an add-on").format(
            sku=row.suggest_sku
        )
    return None


def _existing(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Pairing]:
    found: dict[tuple[str, str], Pairing] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        statement = select(Pairing).where(tuple_(Pairing.trigger, Pairing.suggest_sku).in_(chunk))
        found.update(((p.trigger, p.suggest_sku), p) for p in session.scalars(statement))
    return found


def import_pairings(
    session: Session, data: bytes, skip_bad: bool = False, chunks: Chunks = UNCHUNKED
) -> ImportReport:
    """Create pairings, or update their reason by (trigger, suggest_sku), in ``chunks``."""
    report = ImportReport()
    checked: list[PairingRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_rows(data, PAIRING_COLUMNS, report):
        try:
            row = check_pairing(line, raw)
            key = (row.trigger, row.suggest_sku)
            if key in seen:
                raise InputError(
                    _("{trigger} → {sku} already on line {line}").format(
                        trigger=row.trigger, sku=row.suggest_sku, line=seen[key]
                    )
                )
        except InputError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        seen[key] = line
        checked.append(row)
    skus = {row.suggest_sku for row in checked}
    skus.update(row.trigger[4:] for row in checked if row.trigger.startswith("sku:"))
    classes = _drug_classes(session, skus)
    good: list[PairingRow] = []
    for row in checked:
        problem = _catalogue_problem(row, classes)
        if problem is not None:
            report.errors.append(RowError(row.line, problem))
            continue
        good.append(row)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    existing = _existing(session, [(row.trigger, row.suggest_sku) for row in good])
    for row in good:
        pairing = existing.get((row.trigger, row.suggest_sku))
        if pairing is None:
            session.add(
                Pairing(trigger=row.trigger, suggest_sku=row.suggest_sku, reason=row.reason)
            )
            report.created += 1
        else:
            pairing.reason = row.reason
            report.updated += 1
        chunks.checkpoint()
    report.applied = True
    session.flush()
    return report
