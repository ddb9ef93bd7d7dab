"""Long product names in the modals' lists: cut with "…" where the column ends (never a
name cut mid-word without a mark), and in the search the drug class always shown after
the name (a cut name used to take its "[Rx]" with it)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.modals.returns import NAME_WIDTH, ReturnModal
from pos.app.modals.sale.search import SearchModal
from pos.app.widgets.cjk_text import cut
from tests.domain.returns.test_returns import sell
from tests.frontend.test_counter_ui import LARGE, SMALL, scan
from tests.helpers import barcode_of, screen_text, type_text

INSULIN = "诺和灵30R 精蛋白生物合成人胰岛素注射液(预混30R)"  # P00107, prescription only


async def test_a_long_name_found_by_search_keeps_its_drug_class_in_view(app: PosApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f3")
        await type_text(pilot, "诺和灵")
        await pilot.pause(0.3)
        assert isinstance(app.screen, SearchModal)
        assert [product.name for product in app.screen.results] == [INSULIN]
        row = next(line for line in screen_text(app).splitlines() if "诺和灵30R" in line)
        assert "… [Rx]" in row or "…[Rx]" in row, row


async def test_a_return_shows_a_long_name_cut_with_a_mark(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    name = "金双歧 双歧杆菌乳杆菌三联活菌片"  # P00042: longer than the column
    number = sell(app.register, barcode_of(demo_sessions, "P00042"))
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, number)
        assert isinstance(app.screen, ReturnModal)
        shown = cut(name, NAME_WIDTH)
        assert shown.endswith("…") and shown in screen_text(app)


async def test_a_long_name_in_the_cart_is_cut_before_its_drug_class_at_both_sizes(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    """The cart cut "感康 复方氨酚烷胺片 [OT…" at 120×40: the class went with the name. Now
    the name is cut before it, the class taking its short form ("[甲]") where the name would
    keep fewer than ten Chinese characters."""
    name = "康泰克 复方盐酸伪麻黄碱缓释胶囊"  # P00005, OTC甲, longer than the column
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00005"))
        for size in (LARGE, SMALL, LARGE):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            row = next(line for line in screen_text(app).splitlines() if "康泰克" in line)
            assert re.search(r"… \[(OTC)?甲\]", row), row
            assert name not in row
