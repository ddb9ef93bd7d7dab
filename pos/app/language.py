"""The screen language at the counter: each user's own, switched with a key.

Ctrl+S switches the screen between Chinese and English for the user logged in
and remembers the choice (``user_account.language``); at login the register
shows the user's language, or its own (``register.language``) when the user
never chose one. Receipts keep the store's ``printer.language`` whatever the
screen shows (they are rendered with their own catalogue, pos.i18n.translator).

Texts are translated when a screen is built, so switching re-installs the
catalogue, translates every open screen's key descriptions afresh and leaves
the rebuilding of the checkout screen to the app.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import BindingsMap
from textual.dom import DOMNode

from pos.app.modals.common import localize_bindings
from pos.i18n import _, current, normalize, setup

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
"""Each language by its own name, as a language menu shows it whatever the screen's language."""


def other_language() -> str:
    """The language Ctrl+S switches to from the one in use."""
    return "en" if current() == "zh_CN" else "zh_CN"


def relabel(node: DOMNode) -> None:
    """Translate ``node``'s key descriptions afresh, into the language now in use."""
    merged = type(node)._merged_bindings
    node._bindings = BindingsMap() if merged is None else merged.copy()
    localize_bindings(node)


def use_language(app: App[Any], language: str) -> bool:
    """Show ``language`` from now on: the catalogue and every open screen's keys.

    False when it is the language in use already (nothing changes).
    """
    language = normalize(language)
    if language == current():
        return False
    setup(language)
    for node in (app, *app.screen_stack):
        relabel(node)
    for screen in app.screen_stack:
        screen.refresh_bindings()
    return True


def language_notice(language: str) -> str:
    """What the message line says after a switch, in the new language."""
    return _("Screen language: {language} (Ctrl+S switches)").format(
        language=LANGUAGE_NAMES[normalize(language)]
    )
