"""All UI text goes through gettext; Simplified Chinese and English ship complete."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pos import i18n
from pos.app import PosApp
from pos.app.boot import RegisterStart
from pos.register.startup import Started
from tests.helpers import screen_text

PACKAGE = Path(i18n.__file__).parent


def source_messages() -> set[str]:
    """Every message marked with _(), N_() or ngettext() in the package (a plural by its
    singular)."""
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), keywords={"_": None, "N_": None, "ngettext": (1, 2)}
    ):
        if isinstance(message, str):
            messages.add(message)
        elif isinstance(message, tuple) and isinstance(message[0], str):
            messages.add(message[0])
    return messages


def test_every_message_has_a_chinese_translation() -> None:
    with (PACKAGE / "locale/zh_CN/LC_MESSAGES/pos.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = set()
    for message in catalog:
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if singular and all(strings):
            translated.add(singular)
    missing = sorted(source_messages() - translated)
    assert not missing, f"add these to pos/locale/zh_CN/LC_MESSAGES/pos.po: {missing}"


def _compiled(compiled: gettext.GNUTranslations, msgid: str | tuple[str, ...] | list[str]) -> str:
    if isinstance(msgid, str):
        return compiled.gettext(msgid)
    return compiled.ngettext(msgid[0], msgid[1], 1)


def _first(string: object) -> object:
    return string[0] if isinstance(string, (tuple, list)) else string


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (PACKAGE / "locale/zh_CN/LC_MESSAGES/pos.po").open("rb") as handle:
        catalog = read_po(handle)
    with (PACKAGE / "locale/zh_CN/LC_MESSAGES/pos.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [m.id for m in catalog if m.id and _compiled(compiled, m.id) != _first(m.string)]
    assert not stale, "run: pybabel compile -D pos -d pos/locale"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh_CN.UTF-8", "zh_CN"), ("zh", "zh_CN"), ("zh-Hans", "zh_CN"), ("en_US", "en"), ("C", "en")],
)
def test_locale_names_are_narrowed_to_what_ships(value: str, expected: str) -> None:
    assert i18n.normalize(value) == expected


def test_default_locale_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.default_locale() == "zh_CN"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.default_locale() == "en"


async def test_register_speaks_chinese_when_configured(app: PosApp) -> None:
    i18n.setup("zh_CN")
    chinese = PosApp(RegisterStart(built=Started(app.register, None, lambda: None)), app.settings)
    async with chinese.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"6900000000007", "enter")
        text = screen_text(chinese)
        assert "结账" in text  # F12 Pay in the footer
        assert "应收" in text  # TOTAL
        assert "未知条码 6900000000007" in text
        await pilot.press("f1")
        assert "加入扫描或输入的条码" in screen_text(chinese)
