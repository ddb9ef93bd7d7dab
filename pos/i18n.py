"""Every piece of UI text goes through gettext; this module holds the catalogue.

Messages are English in the source and translated through the ``pos`` domain
in ``pos/locale``. ``N_`` marks a message for extraction without translating it
(binding descriptions, which are translated when a screen is built).
"""

from __future__ import annotations

import gettext
import locale as _locale
import os
from collections.abc import Iterable
from pathlib import Path

DOMAIN = "pos"
LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh_CN", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = "en"


def default_locale() -> str:
    """The locale the environment asks for, narrowed to one we ship."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable)
        if value:
            return normalize(value)
    try:
        value = _locale.getlocale()[0]
    except ValueError:
        value = None
    return normalize(value or "en")


def normalize(value: str) -> str:
    """Map ``zh_CN.UTF-8``, ``zh-Hans``, ``zh`` … to ``zh_CN``; anything else to ``en``."""
    return "zh_CN" if value.lower().replace("-", "_").startswith("zh") else "en"


def setup(locale: str) -> None:
    """Use the catalogue for ``locale`` (``zh_CN`` or ``en``) from now on."""
    global _translation, _current
    _current = normalize(locale)
    _translation = translator(_current)


def translator(locale: str) -> gettext.NullTranslations:
    """The catalogue for ``locale``, whatever the current one (receipts have their own)."""
    return gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[normalize(locale)], fallback=True
    )


def current() -> str:
    """The locale in use."""
    return _current


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` for ``n``, translated ("1 line", "2 lines")."""
    return _translation.ngettext(singular, plural, n)


def join_names(names: Iterable[str]) -> str:
    """Names listed as the current language lists them: 甲、乙 in Chinese, "a, b" in English."""
    return ("、" if _current == "zh_CN" else ", ").join(names)


def N_(message: str) -> str:
    """Mark ``message`` for translation later (see module docstring)."""
    return message
