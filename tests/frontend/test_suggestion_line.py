"""The suggestions on one line (a short screen): each key shown with its product and its
whole price, however narrow the line and however long the names (a key alone, as "⇧F3"
at the end of a cut line, adds a product the cashier cannot see)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.widgets.cjk_text import cut
from pos.app.widgets.suggestion_panel import SuggestionLine, SuggestionPanel
from pos.domain.suggestions.suggestions import Suggestion
from pos.register.api import format_fen
from tests.helpers import screen_text, type_text

CHARS = "维生素C片欧姆龙电子体温计汤臣倍健鱼油软胶囊 -ABCmg0123（）"
NAMES = st.text(st.sampled_from(CHARS), min_size=1, max_size=30).filter(str.strip)


def suggestion(name: str, price_fen: int) -> Suggestion:
    return Suggestion("pairing:1", 1, "P1", name, "", price_fen, "reason")


@given(
    st.lists(st.tuples(NAMES, st.integers(1, 10_000_00)), min_size=1, max_size=3),
    st.integers(30, 200),
)
def test_each_key_shown_has_a_name_and_its_whole_price_within_the_width(
    offered: list[tuple[str, int]], width: int
) -> None:
    suggestions = [suggestion(name, price) for name, price in offered]
    line = SuggestionLine(suggestions).text(width).plain
    assert cell_len(line) <= width
    keys = re.findall(r"⇧F(\d)", line)
    assert keys == [str(number) for number in range(1, len(keys) + 1)]
    items = re.split(r"⇧F\d ", line)[1:]
    for item, shown in zip(items, suggestions, strict=False):
        price = f" ¥{format_fen(shown.price_fen)}"
        name = item[: item.index(price)] if price in item else None
        assert name, f"{item!r} has no name or no whole price"
        assert name == shown.name or (
            name.endswith("…") and shown.name.startswith(name[:-1].rstrip())
        ), (name, shown.name)
    whole = SuggestionLine(suggestions).text(10_000).plain
    if cell_len(whole) <= width:
        assert line == whole  # nothing cut when everything fits


@given(NAMES, st.integers(2, 40))
def test_a_cut_name_fits_and_never_ends_in_a_space_before_the_mark(name: str, width: int) -> None:
    shown = cut(name, width)
    assert cell_len(shown) <= width
    assert shown == name or (shown.endswith("…") and not shown[:-1].endswith(" "))


async def test_at_80x24_the_three_suggestions_show_with_keys_names_and_prices(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        for code in ("6941792027797", "2*6930496010716"):  # fish oil, 999感冒灵
            await type_text(pilot, code)
            await pilot.press("enter")
            await pilot.pause()
        panel = app.screen.query_one(SuggestionPanel)
        offered = panel.suggestions
        assert panel.compact and len(offered) == 3
        row = next(line for line in screen_text(app).splitlines() if "⇧F1" in line)
        for number, shown in enumerate(offered, start=1):
            assert re.search(rf"⇧F{number} \S.* ¥{re.escape(format_fen(shown.price_fen))}", row)
        before = len(app.register.cart().lines)
        await pilot.press("shift+f3")
        await pilot.pause()
        lines = app.register.cart().lines
        assert len(lines) == before + 1 and lines[-1].name == offered[2].name
