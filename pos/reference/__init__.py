"""Reference data shipped with the register: ingredients, their groups, and conditions.

``ingredients.toml`` beside this module gives each active ingredient (the lower-case
English INN used in the catalogue) its Chinese name, aliases and groups (``nsaid``,
``penicillin`` …), and each chronic condition its Chinese name and aliases. The
safety checks use it to turn what a member said ("布洛芬", "NSAIDs", "青霉素",
"血压高") into ingredient and condition keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pos.i18n import current


def _term(text: str) -> str:
    """The form a typed term is compared in: trimmed, case-folded, single spaces."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class IngredientInfo:
    """One active ingredient: its Chinese name, aliases and groups."""

    key: str
    zh: str
    aliases: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedEntry:
    """A group of ingredients or a condition: its Chinese name and aliases."""

    key: str
    zh: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngredientReference:
    """Ingredients, groups and conditions, with look-ups by any of their names."""

    ingredients: Mapping[str, IngredientInfo]
    groups: Mapping[str, NamedEntry]
    conditions: Mapping[str, NamedEntry]
    _allergy_terms: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _condition_terms: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        allergy: dict[str, set[str]] = {}
        for info in self.ingredients.values():
            for name in (info.key, info.zh, *info.aliases):
                allergy.setdefault(_term(name), set()).add(info.key)
        for group in self.groups.values():
            members = {i.key for i in self.ingredients.values() if group.key in i.groups}
            for name in (group.key, group.key.replace("_", " "), group.zh, *group.aliases):
                allergy.setdefault(_term(name), set()).update(members)
        conditions: dict[str, str] = {}
        for condition in self.conditions.values():
            names = (condition.key, condition.key.replace("_", " "), condition.zh)
            for name in (*names, *condition.aliases):
                conditions.setdefault(_term(name), condition.key)
        object.__setattr__(self, "_allergy_terms", {k: frozenset(v) for k, v in allergy.items()})
        object.__setattr__(self, "_condition_terms", conditions)

    def zh_name(self, ingredient: str) -> str:
        """The Chinese name of ``ingredient``; the key itself when it is not in the reference."""
        info = self.ingredients.get(ingredient)
        return info.zh if info else ingredient

    def shown_name(self, ingredient: str) -> str:
        """``ingredient`` as the screen names it: its English name (the key, an INN) on an
        English screen, else its Chinese name."""
        return ingredient if current() == "en" else self.zh_name(ingredient)

    def resolve_allergy(self, term: str) -> frozenset[str]:
        """The ingredient keys an allergy ``term`` covers (an ingredient, alias or group).

        Chinese or English, case-insensitive. An unknown term stands for itself,
        lower-cased, so an ingredient missing from the reference still matches.
        """
        found = self._allergy_terms.get(_term(term))
        return found if found else frozenset({term.strip().lower()})

    def normalize_condition(self, term: str) -> str:
        """The condition key of ``term`` (its key, Chinese name or an alias); else ``term``."""
        return self._condition_terms.get(_term(term), term.strip().lower())

    def is_condition(self, term: str) -> bool:
        """True when ``term`` names a condition of the reference."""
        return _term(term) in self._condition_terms


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


def _entry(table: Any, where: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(table, dict) or not isinstance(table.get("zh"), str):
        raise ValueError(f"{where}: zh (a string) is needed")
    return table["zh"], _strings(table.get("aliases", []), f"{where}.aliases")


def parse_reference(data: Mapping[str, Any]) -> IngredientReference:
    """Build the reference from parsed TOML; :class:`ValueError` names a bad entry."""
    groups = {}
    for key, table in data.get("group", {}).items():
        zh, aliases = _entry(table, f"group.{key}")
        groups[key] = NamedEntry(key, zh, aliases)
    ingredients = {}
    for key, table in data.get("ingredient", {}).items():
        zh, aliases = _entry(table, f"ingredient.{key}")
        member_of = _strings(table.get("groups", []), f"ingredient.{key}.groups")
        unknown = [group for group in member_of if group not in groups]
        if unknown:
            raise ValueError(f"ingredient.{key}: unknown group(s) {', '.join(unknown)}")
        ingredients[key] = IngredientInfo(key, zh, aliases, member_of)
    conditions = {}
    for key, table in data.get("condition", {}).items():
        zh, aliases = _entry(table, f"condition.{key}")
        conditions[key] = NamedEntry(key, zh, aliases)
    return IngredientReference(ingredients, groups, conditions)


@cache
def load_ingredients() -> IngredientReference:
    """The reference shipped in ``pos/reference/ingredients.toml`` (read once)."""
    text = resources.files(__name__).joinpath("ingredients.toml").read_text(encoding="utf-8")
    return parse_reference(tomllib.loads(text))
