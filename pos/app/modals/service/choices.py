"""A choice typed into a form field: its number in the list shown, or its key."""

from __future__ import annotations

from collections.abc import Mapping

from pos.i18n import _


def hint(choices: Mapping[str, str]) -> str:
    """``1 name · 2 name …``: what the field's placeholder shows."""
    return " · ".join(f"{n} {_(name)}" for n, name in enumerate(choices.values(), start=1))


def chosen(text: str, choices: Mapping[str, str]) -> str:
    """The key ``text`` names: ``2`` is the second choice; anything else is taken as a key
    (the register refuses an unknown one)."""
    cleaned = text.strip()
    keys = list(choices)
    if cleaned.isdigit() and 1 <= int(cleaned) <= len(keys):
        return keys[int(cleaned) - 1]
    return cleaned
