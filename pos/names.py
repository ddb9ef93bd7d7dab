"""Names people read for the codes the data holds: roles and product categories."""

from __future__ import annotations

from collections.abc import Callable

from pos.i18n import N_, _

ROLE_NAMES = {
    "cashier": N_("cashier"),
    "pharmacist": N_("pharmacist"),
    "manager": N_("manager"),
}

CATEGORY_NAMES = {
    "allergy": N_("Allergy"),
    "antibiotics": N_("Antibiotics"),
    "cardiovascular": N_("Heart and blood pressure"),
    "cold_flu": N_("Cold and flu"),
    "devices": N_("Medical devices"),
    "diabetes": N_("Diabetes"),
    "digestive": N_("Digestion"),
    "eye_ear": N_("Eye and ear"),
    "pain_fever": N_("Pain and fever"),
    "personal_care": N_("Personal care"),
    "respiratory": N_("Cough and throat"),
    "tcm": N_("Traditional Chinese medicine"),
    "topical": N_("Skin and external use"),
    "vitamins": N_("Vitamins and supplements"),
}


def role_name(role: str, gettext: Callable[[str], str] = _) -> str:
    """``cashier`` → "cashier" / 收银员 (said inside a sentence); an unknown role as it is."""
    return gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def category_name(category: str, gettext: Callable[[str], str] = _) -> str:
    """``cold_flu`` → "Cold and flu" / 感冒发烧; an unknown category as it is."""
    return gettext(CATEGORY_NAMES[category]) if category in CATEGORY_NAMES else category
