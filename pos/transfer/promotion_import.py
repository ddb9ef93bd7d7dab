"""Promotions in the database: ``pos import promotions`` (TOML) and reading the rules back.

The import follows the other imports' rules: every ``[[promotion]]`` entry is
checked first, and any bad entry stops the whole import unless ``skip_bad`` is
set. Importing again updates promotions by id. Money is given in yuan and
stored in fen (:attr:`Promotion.params`). :func:`load_rules`,
:func:`promotion_list` and :func:`gift_classes` feed the pricing engine
(:mod:`pos.domain.promotions.promotions`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.pharmacy.guidance import EntryError
from pos.domain.promotions.promotions import KINDS, NEVER_GIVEN, PromoRule
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import _
from pos.models import Product, Promotion
from pos.money import MoneyError, parse_yuan
from pos.store.prepared import Prepared
from pos.transfer.import_common import ImportReport, toml_tables

COMMON_FIELDS = ("id", "name", "kind", "target", "starts", "ends", "members_only")
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "percent": (("percent",), ()),
    "fixed_price": (("price",), ()),
    "buy_x_get_y": (("buy", "get"), ()),
    "nth_discount": (("nth", "percent"), ()),
    "spend_threshold": (("threshold", "off"), ()),
    "member_day": (("day_of_month",), ("percent", "points_multiplier")),
    "gift": (("threshold", "gift_sku"), ()),
}
"""Per kind: the fields it needs and those it may have (besides :data:`COMMON_FIELDS`)."""
MONEY_FIELDS = {"price": "price_fen", "threshold": "threshold_fen", "off": "off_fen"}
COUNT_LIMITS = {"buy": (1, 99), "get": (1, 99), "nth": (2, 99), "points_multiplier": (2, 10)}
PARAMS = (
    "percent", "price_fen", "buy", "get", "nth", "threshold_fen", "off_fen",
    "day_of_month", "points_multiplier", "gift_sku",
)  # fmt: skip
MAX_ID, MAX_NAME, MAX_TARGET = 32, 100, 96


def _text(entry: dict[str, Any], field: str, limit: int) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InputError(_("{field} is missing or not a string").format(field=field))
    value = " ".join(value.split())
    if len(value) > limit or not value.isprintable():
        raise InputError(_("{field} is too long or not printable").format(field=field))
    return value


def _date(entry: dict[str, Any], field: str) -> date:
    value = entry.get(field)
    if isinstance(value, str) and len(value.strip()) == 10:
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value.strip())
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(_("{field} must be a date YYYY-MM-DD").format(field=field))
    return value


def _whole(entry: dict[str, Any], field: str, low: int, high: int) -> int:
    value = entry[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(
            _("{field} must be a whole number from {low} to {high}").format(
                field=field, low=low, high=high
            )
        )
    return value


def _money(entry: dict[str, Any], field: str) -> int:
    value = entry[field]
    try:
        if isinstance(value, bool):
            raise MoneyError(str(value))
        return parse_yuan(str(value))
    except MoneyError:
        raise InputError(
            _("{field} must be an amount in yuan with up to 2 decimals, not {value!r}").format(
                field=field, value=value
            )
        ) from None


def _target(entry: dict[str, Any]) -> str:
    target = _text(entry, "target", MAX_TARGET)
    if target == "all":
        return target
    prefix, _sep, name = target.partition(":")
    name = name.strip()
    if prefix not in ("sku", "category") or not name:
        raise InputError(
            _("target must be sku:SKU, category:NAME or all, not {target!r}").format(target=target)
        )
    return f"sku:{name}" if prefix == "sku" else f"category:{name.lower()}"


def _params(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The kind's parameters, checked, in the engine's units (fen)."""
    params: dict[str, Any] = {}
    for field in (*KIND_FIELDS[kind][0], *KIND_FIELDS[kind][1]):
        if field not in entry:
            continue
        if field in MONEY_FIELDS:
            params[MONEY_FIELDS[field]] = _money(entry, field)
        elif field == "percent":
            params[field] = _whole(entry, field, 1, 99)
        elif field == "day_of_month":
            params[field] = _whole(entry, field, 1, 31)
        elif field == "gift_sku":
            params[field] = _text(entry, field, MAX_TARGET)
        else:
            params[field] = _whole(entry, field, *COUNT_LIMITS[field])
    if kind == "member_day" and not params.keys() & {"percent", "points_multiplier"}:
        raise InputError(_("member_day needs percent, points_multiplier or both"))
    if kind in ("spend_threshold", "gift") and params["threshold_fen"] == 0:
        raise InputError(_("threshold must be more than 0"))
    if kind == "spend_threshold" and not 0 < params["off_fen"] < params["threshold_fen"]:
        raise InputError(_("off must be more than 0 and less than threshold"))
    return params


def check_entry(entry: Any) -> PromoRule:
    """Validate one ``[[promotion]]`` table; raise :class:`InputError` with the first problem."""
    if not isinstance(entry, dict):
        raise InputError(_("an entry must be a table"))
    promotion_id = _text(entry, "id", MAX_ID)
    name = _text(entry, "name", MAX_NAME)
    kind = entry.get("kind")
    if kind not in KINDS:
        raise InputError(
            _("unknown kind {kind!r}: use {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
    required, optional = KIND_FIELDS[kind]
    missing = [field for field in required if field not in entry]
    if missing:
        raise InputError(_("missing field(s): {fields}").format(fields=", ".join(missing)))
    extra = [field for field in entry if field not in (*COMMON_FIELDS, *required, *optional)]
    if extra:
        raise InputError(
            _("field(s) not used by kind {kind}: {fields}").format(
                kind=kind, fields=", ".join(extra)
            )
        )
    target = _target(entry)
    starts, ends = _date(entry, "starts"), _date(entry, "ends")
    if ends < starts:
        raise InputError(_("ends before it starts"))
    members_only = entry.get("members_only", False)
    if not isinstance(members_only, bool):
        raise InputError(_("members_only must be true or false"))
    return PromoRule(
        id=promotion_id,
        name=name,
        kind=kind,
        target=target,
        starts=starts,
        ends=ends,
        members_only=members_only or kind == "member_day",
        **_params(kind, entry),
    )


def _entries(data: bytes) -> list[Any]:
    return toml_tables(data, "promotion")


def _classes(session: Session, skus: Iterable[str]) -> dict[str, DrugClass]:
    wanted = sorted(set(skus))
    found: dict[str, DrugClass] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(Product.sku, Product.drug_class).where(Product.sku.in_(chunk))
        )
        found.update((sku, drug_class) for sku, drug_class in rows)
    return found


def _product_problem(rule: PromoRule, classes: dict[str, DrugClass]) -> str | None:
    """Why the products the rule names make it bad, or None."""
    sku = rule.target.removeprefix("sku:") if rule.target.startswith("sku:") else None
    if sku is not None and sku not in classes:
        return _("no product has the sku {sku}").format(sku=sku)
    if sku is not None and rule.kind == "buy_x_get_y" and classes[sku] in NEVER_GIVEN:
        return _("free units of an Rx or OTC-A product are gifts, which are not allowed")
    if rule.kind == "gift":
        if rule.gift_sku not in classes:
            return _("no product has the gift_sku {sku}").format(sku=rule.gift_sku)
        if classes[rule.gift_sku] in NEVER_GIVEN:
            return _("an Rx or OTC-A product is never a gift: {sku}").format(sku=rule.gift_sku)
    return None


def _shifted(rules: list[PromoRule], first_starts: date) -> list[PromoRule]:
    if not rules:
        return rules
    delta = first_starts - min(rule.starts for rule in rules)
    return [replace(rule, starts=rule.starts + delta, ends=rule.ends + delta) for rule in rules]


def import_promotions(
    session: Session,
    data: bytes,
    skip_bad: bool = False,
    *,
    now: datetime | None = None,
    shift_to: date | None = None,
) -> ImportReport:
    """Create or update (by id) promotions from a TOML file; the caller commits.

    Errors are :class:`EntryError` (the entry's number from 1, and its id). With
    ``shift_to`` (the demo store), every date moves by the same number of days so
    that the earliest ``starts`` falls on ``shift_to``.
    """
    report = ImportReport()
    checked: list[tuple[int, PromoRule]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(_entries(data), 1):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        label = raw_id.strip() if isinstance(raw_id, str) else ""
        try:
            rule = check_entry(raw)
            if rule.id in seen:
                raise InputError(_("id already in entry {index}").format(index=seen[rule.id]))
        except InputError as exc:
            report.errors.append(EntryError(index, str(exc), label))
            continue
        seen[rule.id] = index
        checked.append((index, rule))
    skus = [rule.target.removeprefix("sku:") for _i, rule in checked]
    classes = _classes(session, [*skus, *(rule.gift_sku for _i, rule in checked)])
    good: list[PromoRule] = []
    for index, rule in checked:
        problem = _product_problem(rule, classes)
        if problem is not None:
            report.errors.append(EntryError(index, problem, rule.id))
        else:
            good.append(rule)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    if shift_to is not None:
        good = _shifted(good, shift_to)
    moment = now or datetime.now(UTC)
    for rule in good:
        row = session.get(Promotion, rule.id)
        if row is None:
            row = Promotion(id=rule.id)
            session.add(row)
            report.created += 1
        else:
            report.updated += 1
        row.name, row.kind, row.target = rule.name, rule.kind, rule.target
        row.starts, row.ends, row.members_only = rule.starts, rule.ends, rule.members_only
        row.params = {name: getattr(rule, name) for name in PARAMS if getattr(rule, name)}
        row.updated_at = moment
    report.applied = True
    session.flush()
    return report


def rule_from_row(row: Promotion, gift_name: str = "") -> PromoRule:
    """The engine's rule for a stored promotion (unknown parameters are ignored)."""
    params = {name: row.params[name] for name in PARAMS if name in row.params}
    return PromoRule(
        id=row.id,
        name=row.name,
        kind=row.kind,
        target=row.target,
        starts=row.starts,
        ends=row.ends,
        members_only=row.members_only,
        gift_name=gift_name,
        **params,
    )


def load_rules(session: Session, today: date) -> list[PromoRule]:
    """The promotions active today or upcoming (``ends`` ≥ today), by start date then id."""
    rows = list(
        session.scalars(
            select(Promotion)
            .where(Promotion.ends >= today)
            .order_by(Promotion.starts, Promotion.id)
        )
    )
    gift_skus = {row.params.get("gift_sku", "") for row in rows} - {""}
    names = dict(
        session.execute(select(Product.sku, Product.name).where(Product.sku.in_(gift_skus))).all()
    )
    return [rule_from_row(row, names.get(row.params.get("gift_sku", ""), "")) for row in rows]


def promotion_list(session: Session, today: date) -> tuple[list[PromoRule], list[PromoRule]]:
    """(active today, upcoming) promotions, each by start date then id."""
    rules = load_rules(session, today)
    return [r for r in rules if r.active(today)], [r for r in rules if r.starts > today]


def gift_classes(session: Session, rules: Iterable[PromoRule]) -> dict[str, DrugClass]:
    """The drug class of each gift product of ``rules`` (for :func:`price_cart`)."""
    return _classes(session, [rule.gift_sku for rule in rules if rule.gift_sku])


_promotion, _product = Promotion.__table__, Product.__table__
_GENERATION = Prepared(
    select(
        select(func.count()).select_from(_promotion).scalar_subquery(),
        select(func.max(_promotion.c.updated_at)).scalar_subquery(),
        select(func.max(_product.c.updated_at)).scalar_subquery(),  # an index's last entry
    )
)


def generation(session: Session) -> tuple[object, ...]:
    """What the priced rules depend on, read cheaply: it moves when they change.

    The promotions' count and newest ``updated_at`` (an import sets it on every row it
    writes; the table is small), and the products' newest ``updated_at`` (a gift's name
    and class; a new or changed product sets it).
    """
    return _GENERATION.first(session, {}) or ()
