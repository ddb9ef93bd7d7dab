"""What the register builds to sell is frozen out of the garbage collector's way.

At a chain's size each full collection walked the register's models, caches and search
index again: a pause of 40-70 ms, now and then in the middle of a scan (the bench's
"scan → cart row" p99 went past its 30 ms). Once the register is warmed up the app
freezes what exists (``gc.freeze``), as ``pos`` does after its imports.
"""

from __future__ import annotations

import asyncio
import gc

from pos.app import PosApp
from tests.frontend.test_checkout_ui import SIZE


async def test_the_warmed_up_register_is_frozen_out_of_the_collectors_way(app: PosApp) -> None:
    gc.unfreeze()  # as the earlier tests left it (tests/conftest.py gives it back after each)
    async with app.run_test(size=SIZE) as pilot:
        assert gc.get_freeze_count() == 0
        for _ in range(100):  # the warm-up starts half a second after the first paint
            await pilot.pause()
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.05)
        assert gc.get_freeze_count() > 0
        assert app.register.search("gml")  # the search index, ready
