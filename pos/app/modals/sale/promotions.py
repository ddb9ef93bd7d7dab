"""Ctrl+O: the promotions running today and those coming, for the cashier to mention."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import Label, Static, plain
from pos.i18n import N_, _
from pos.names import category_name
from pos.register.api import PromoRule

KIND_NAMES = {
    "percent": N_("percent off"),
    "fixed_price": N_("promotional price"),
    "buy_x_get_y": N_("buy X get Y"),
    "nth_discount": N_("Nth item off"),
    "spend_threshold": N_("spend threshold"),
    "member_day": N_("member day"),
    "gift": N_("gift with purchase"),
}


class PromotionsModal(ModalScreen[None]):
    """Active and upcoming promotions; Esc closes."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close-promotions", priority=True),
        Binding("ctrl+o", "close", N_("Close"), id="close-promotions-o", show=False),
    ]

    def __init__(
        self,
        active: list[PromoRule],
        upcoming: list[PromoRule],
        product_names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.active = active
        self.upcoming = upcoming
        self.product_names = product_names or {}
        """Product names by SKU, for promotions on one product."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box"):
            yield Label(_("Promotions"), classes="modal-title")
            yield Label(_("Running today"), classes="section-title")
            yield Static(self._table(self.active), id="promotions-active")
            yield Label(_("Coming"), classes="section-title")
            yield Static(self._table(self.upcoming), id="promotions-upcoming")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def target_name(self, target: str) -> str:
        """What a promotion applies to, as a cashier says it (never ``sku:P00136``)."""
        kind, _colon, code = target.partition(":")
        if target == "all":
            return _("every product")
        if kind == "sku":
            return self.product_names.get(code, code)
        if kind == "category":
            return category_name(code)
        return target

    def _table(self, rules: list[PromoRule]) -> Table | str:
        if not rules:
            return _("None")
        table = Table(box=None, expand=True)
        table.add_column(_("Promotion"), ratio=3)
        table.add_column(_("Kind"), ratio=2)
        table.add_column(_("For"), ratio=2)
        table.add_column(_("Dates"), no_wrap=True, min_width=23)
        for rule in rules:
            who = _("members") if rule.members_only or rule.kind == "member_day" else _("all")
            table.add_row(
                plain(rule.name),
                plain(_(KIND_NAMES.get(rule.kind, rule.kind))),
                plain(f"{self.target_name(rule.target)} · {who}"),
                plain(f"{rule.starts.isoformat()} – {rule.ends.isoformat()}"),
            )
        return table

    async def action_close(self) -> None:
        """Back to the register."""
        await self.dismiss(None)
