"""Snapshots of what a cashier sees at 80×24 and 120×40, in Chinese and English.

Run ``pytest tests/frontend/test_counter_snapshots.py --snapshot-update`` after a deliberate
change of layout, and look at the SVGs in ``tests/frontend/__snapshots__`` before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos import i18n
from pos.app import build_app
from pos.app.widgets.key_bar import ScreenKeys
from pos.config import Settings
from tests.conftest import fixed_clock
from tests.frontend.test_counter_ui import TWELVE
from tests.helpers import barcode_of, screen_text

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def scans(sessions: sessionmaker[Session], skus: tuple[str, ...], *keys: str) -> Steps:
    """Scan ``skus`` one by one, then press ``keys``."""
    codes = [barcode_of(sessions, sku) for sku in skus]

    async def run(pilot: Pilot[Any]) -> None:
        for code in codes:
            await pilot.press(*code, "enter")
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()

    return run


SCREENS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "full_cart": (TWELVE, ()),
    "payment": (("P00150", "P00137", "P00159"), ("f12",)),
    "member_lookup": (("P00150",), ("f2",)),
    "enrolment": (("P00150",), ("f5",)),
    "guidance": (("P00001", "P00150"), ("f12",)),
}
"""(products scanned, keys pressed) for each screen."""


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.setup(request.param)
    yield request.param
    i18n.setup("en")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_snapshot(
    screen: str,
    size: str,
    language: str,
    settings: Settings,
    demo_sessions: sessionmaker[Session],
    snap_compare: Any,
) -> None:
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    skus, keys = SCREENS[screen]
    steps = scans(demo_sessions, skus, *keys)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=steps)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("screen", ["payment", "member_lookup", "enrolment", "guidance"])
async def test_at_80_columns_every_footer_key_shows_what_it_does(
    screen: str, language: str, settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    """At 80 columns each key of a modal's footer keeps its words, in both languages
    (the payment form's ended in a bare "Esc": in Chinese before the footers were made
    compact, in English until they wrapped onto a second line)."""
    i18n.setup(language)
    try:
        app = build_app(settings, demo_sessions, clock=fixed_clock)
        skus, keys = SCREENS[screen]
        async with app.run_test(size=(80, 24)) as pilot:
            await scans(demo_sessions, skus, *keys)(pilot)
            await pilot.pause()
            region = app.screen.query_one(ScreenKeys).region
            footer = "\n".join(screen_text(app).splitlines()[region.y : region.bottom])
            shown = [
                (app.get_key_display(binding), binding.description)
                for (_node, binding, _enabled, _tip) in app.screen.active_bindings.values()
                if binding.show and binding.description
            ]
            assert shown, footer
            for key, words in shown:
                assert f"{key} {words}" in footer, footer
    finally:
        i18n.setup("en")
