"""The checkout's footer is in its first frame, built and styled once (issue #18, part 3).

Textual's footer composes nothing until the screen's first bindings change, then rebuilds
itself a frame later; its keys are born compact and restyled to the footer's style on
mount. The register's footer has its keys from the start and makes them in its style.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.dom import DOMNode
from textual.widgets._footer import FooterKey

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.widgets.key_footer import KeyFooter

SIZE = (120, 40)


async def test_the_footer_keys_are_composed_once_and_never_restyled_on_mount(
    app: PosApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt: list[KeyFooter] = []
    restyled: list[str] = []
    recompose = KeyFooter.recompose
    update_styles = App.update_styles

    async def counted_recompose(self: KeyFooter) -> None:
        rebuilt.append(self)
        await recompose(self)

    def counted_update_styles(self: App[Any], node: DOMNode, animate: bool = True) -> None:
        restyled.append(type(node).__name__)
        update_styles(self, node, animate)

    monkeypatch.setattr(KeyFooter, "recompose", counted_recompose)
    monkeypatch.setattr(App, "update_styles", counted_update_styles)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        footer = screen.query_one(KeyFooter)
        keys = list(footer.query(FooterKey))
        assert [key.key for key in keys] == [
            "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f12"
        ]  # fmt: skip
        assert [key.description for key in keys][:3] == ["Keys", "Member", "Search"]
        assert not any(key.compact or key.has_class("-compact") for key in keys)
        assert rebuilt == []  # the keys of the first frame were the right ones
        assert "FooterKey" not in restyled  # each key styled once, as it was mounted
