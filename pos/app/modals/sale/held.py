"""Ctrl+R: the held sales (挂单) of this register; Enter brings one back."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import DataTable, Label
from pos.i18n import N_, _
from pos.register.sale.parking import HeldSale

Recall = Callable[[int], str | None]
"""Brings the held sale back; returns why it could not, or None."""


class HeldSalesModal(ModalScreen[bool]):
    """↑/↓ choose a held sale, Enter recalls it, Esc closes."""

    BINDINGS = [
        Binding("enter", "recall", N_("Recall"), id="recall-held", priority=True),
        Binding("escape", "close", N_("Close"), id="close-held", priority=True),
        Binding("up", "cursor(-1)", N_("Up"), id="held-up", show=False, priority=True),
        Binding("down", "cursor(1)", N_("Down"), id="held-down", show=False, priority=True),
    ]

    def __init__(self, held: list[HeldSale], recall: Recall) -> None:
        super().__init__()
        localize_bindings(self)
        self.held = held
        self.recall = recall

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(_("Held sales"), classes="modal-title")
            table: DataTable[str] = DataTable(id="held-table", cursor_type="row")
            table.can_focus = False
            yield table
            yield Label(
                _("Enter recalls the chosen sale") if self.held else _("No sale is held"),
                id="held-status",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Held at"), width=8)
        table.add_column(_("Items"), width=6)
        table.add_column(_("Sale"), width=60)
        for sale in self.held:
            table.add_row(f"{sale.held_at:%H:%M}", str(sale.items), sale.label, key=str(sale.id))

    def action_cursor(self, step: int) -> None:
        """Move the chosen sale."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    async def action_recall(self) -> None:
        """Bring the chosen sale back and close."""
        if not self.held:
            await self.dismiss(False)
            return
        error = self.recall(self.held[self.query_one(DataTable).cursor_row].id)
        if error:
            self.query_one("#held-status", Label).update(error)
            self.app.bell()
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Close without recalling."""
        await self.dismiss(False)
