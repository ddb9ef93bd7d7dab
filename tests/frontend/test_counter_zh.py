"""The register in Chinese reads as Chinese: no English word on a zh_CN screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from pos import i18n
from pos.app import PosApp, build_app
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal
from pos.app.modals.sale.payment import PaymentModal
from pos.config import Settings
from tests.conftest import fixed_clock
from tests.frontend.test_promotions_ui import demo_promotions
from tests.helpers import barcode_of, screen_text

WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
# fmt: off
ALLOWED = {
    # keys, codes and units a Chinese cashier reads as they are
    "OTC", "Rx", "Ctrl", "Shift", "Alt", "Enter", "Esc", "Tab", "PIN", "SKU", "QR",
    "esc", "enter", "tab", "ctrl", "shift", "alt", "pgup", "pgdn", "up", "down",
    "PgUp", "PgDn", "Home", "End", "Del", "Space", "Backspace",  # keycaps as F1 names them
    "YYYY",  # the date format a field asks for
    "gmlkl",  # pinyin initials, the search field's example
    "XXXXX",  # the demo store's tax id
    "dianzhang",  # a user id on the receipt
    # brands in the demo store's product names
    "Nature", "Made",
}
# fmt: on
"""Words allowed on a Chinese screen: keys, codes, units and brands (never UI words)."""


def english_words(text: str) -> set[str]:
    """ASCII words of 3+ letters that are not a code, a unit, a key or a brand."""
    return {word for word in WORD.findall(text) if word not in ALLOWED}


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.setup("zh_CN")
    yield
    i18n.setup("en")


async def look(pilot: Pilot[Any], app: PosApp, seen: dict[str, str], name: str) -> None:
    await pilot.pause()
    seen[name] = screen_text(app)


async def test_chinese_screens_show_no_english_word(
    chinese: None, settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    app.register.login("dianzhang", "9999")  # the manager: Ctrl+Y opens without approval
    seen: dict[str, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        for sku in ("P00001", "P00150", "P00066", "P00175"):
            await pilot.press(*barcode_of(demo_sessions, sku), "enter")
        await look(pilot, app, seen, "checkout")
        for key, name in (
            ("f1", "help"),
            ("f2", "member lookup"),
            ("f3", "search"),
            ("f5", "enrol"),
            ("ctrl+o", "promotions"),
            ("ctrl+b", "shift"),
        ):
            await pilot.press(key)
            await look(pilot, app, seen, name)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p")
        await look(pilot, app, seen, "palette")
        await pilot.press("escape")
        await pilot.press("f12")
        await look(pilot, app, seen, "guidance")
        while isinstance(app.screen, AcknowledgeModal):
            await pilot.press("f9")
        assert isinstance(app.screen, PaymentModal)
        await look(pilot, app, seen, "payment")
        await pilot.press("f1")
        await look(pilot, app, seen, "payment help")
        await pilot.press("escape", "enter")
        await look(pilot, app, seen, "paid")
        await pilot.press("f7")
        await look(pilot, app, seen, "receipt")
        await pilot.press("escape")
        await pilot.press("ctrl+y")
        await look(pilot, app, seen, "reports")
        for page in range(1, 4):
            app.screen.query_one(VerticalScroll).scroll_page_down(animate=False)
            await look(pilot, app, seen, f"reports {page}")
        await pilot.press("escape")
        await pilot.press("ctrl+t")
        await look(pilot, app, seen, "return prompt")

    found = {name: sorted(english_words(text)) for name, text in seen.items()}
    assert any("感冒发烧" in text for name, text in seen.items() if name.startswith("reports"))
    bad = {name: words for name, words in found.items() if words}
    assert not bad, bad


async def test_promotions_name_products_and_categories_with_full_dates(
    chinese: None, settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        text = screen_text(app)
    assert "sku:" not in text and "category:" not in text
    assert "口罩" in text and "个人护理" in text and "全部商品" in text
    assert re.search(r"2026-\d\d-\d\d – 202\d-\d\d-\d\d", text)
