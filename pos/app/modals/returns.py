"""A return (退货): the sale found by its receipt; quantities per line; the refund, approved."""

from __future__ import annotations

from itertools import chain

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.modals.staff.override import OverrideModal
from pos.app.widgets.cjk_text import cut
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import DataTable, Label
from pos.i18n import N_, _
from pos.register.api import (
    DrugClass,
    InputError,
    ReturnableSale,
    ReturnRequest,
    format_fen,
    tender_name,
    whole_number,
)
from pos.register.sale.returns import CompletedReturn
from pos.register.service import RegisterService
from pos.register.staff.overrides import Approval, OverrideNeeded

NAME_WIDTH = 22
"""Cells of the product column (a longer name is cut with "…")."""


class ReturnModal(ModalScreen[CompletedReturn | None]):
    """↑/↓ choose a line, type the units coming back and Enter; F12 refunds, Esc cancels."""

    BINDINGS = [
        Binding("enter", "set_qty", N_("Set"), id="return-set", priority=True),
        Binding("f2", "all", N_("All"), id="return-all", priority=True),
        Binding("f3", "restock", N_("Back on sale"), id="return-restock", priority=True),
        Binding("f5", "cash", N_("Cash refund"), id="return-cash", priority=True),
        Binding("f12", "refund", N_("Refund"), id="return-refund", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
        Binding("up", "cursor(-1)", N_("Up"), id="return-up", show=False, priority=True),
        Binding("down", "cursor(1)", N_("Down"), id="return-down", show=False, priority=True),
    ]

    def __init__(self, register: RegisterService, sale: ReturnableSale) -> None:
        super().__init__()
        localize_bindings(self)
        self.register = register
        self.sale = sale
        self.qty: dict[int, int] = {}
        self.restock: set[int] = set()
        self.to_cash = False

    def compose(self) -> ComposeResult:
        with Vertical(id="return-box", classes="modal-box"):
            yield Label(
                _("Return on sale {number}").format(number=self.sale.number), classes="modal-title"
            )
            table: DataTable[str] = DataTable(id="return-table", cursor_type="row")
            table.can_focus = False
            yield table
            yield OrderedInput(placeholder=_("units coming back"), id="return-qty")
            yield Label("", id="return-total")
            yield Label(
                _("Returned medicines are quarantined unless F3 puts them back on sale"),
                id="form-status",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (
            (_("Product"), NAME_WIDTH),
            (_("Sold"), 4),
            (_("Returned"), 8),
            (_("Return"), 6),
            (_("Stock"), 10),
            (_("Refund"), 9),
        ):
            table.add_column(label, width=width)
        self.show()
        self.query_one(OrderedInput).focus()

    def show(self) -> None:
        """Redraw the lines, the refund and where it goes."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for line in self.sale.lines:
            qty = self.qty.get(line.sale_line_id, 0)
            stock = _("on sale") if line.sale_line_id in self.restock else _("quarantine")
            if not line.qty_left:  # shown as such; the cursor passes it by
                stock = _("none left")
            table.add_row(
                cut(line.name, NAME_WIDTH),
                str(line.qty_sold),
                str(line.qty_returned),
                str(qty),
                stock if qty or not line.qty_left else "",
                format_fen(line.refund_fen(qty)) if qty else "",
                key=str(line.sale_line_id),
            )
        if table.row_count:
            table.move_cursor(row=self._choosable(min(row, table.row_count - 1), 1))
        total = self.total_fen()
        plan = self.register.plan_refund(self.sale, self.qty, self.to_cash)
        where = "  ".join(f"{tender_name(t)} ¥{format_fen(fen)}" for t, fen in plan.refunds)
        if self.to_cash:
            where = _("all in cash") + (f": {where}" if where else "")
        if plan.rounding_fen:
            where += "  " + _("Cash rounding") + f" ¥{format_fen(-plan.rounding_fen)}"
        self.query_one("#return-total", Label).update(
            _("Refund ¥{total}: {where}").format(total=format_fen(total), where=where or "-")
        )

    def total_fen(self) -> int:
        """What the chosen units refund."""
        return sum(line.refund_fen(self.qty.get(line.sale_line_id, 0)) for line in self.sale.lines)

    def current(self) -> int:
        """The index of the highlighted line."""
        return self.query_one(DataTable).cursor_row

    def _choosable(self, row: int, step: int) -> int:
        """``row``, or the nearest line from it in ``step``'s direction (then back) with
        units left to return."""
        lines = self.sale.lines
        forward = range(row, len(lines) if step > 0 else -1, step)
        for candidate in chain(forward, range(row, -1, -1)):
            if 0 <= candidate < len(lines) and lines[candidate].qty_left:
                return candidate
        return row

    async def action_cursor(self, step: int) -> None:
        """Move the highlighted line (past lines returned in full)."""
        await self.query_one(OrderedInput).settle()
        table = self.query_one(DataTable)
        row = max(0, min(table.row_count - 1, table.cursor_row + step))
        row = self._choosable(row, step)
        if self.sale.lines[row].qty_left:
            table.move_cursor(row=row)

    async def action_set_qty(self) -> None:
        """The typed number of units of the highlighted line come back; on to the next line."""
        field = self.query_one(OrderedInput)
        await field.settle()
        text, field.value = field.value, ""
        line = self.sale.lines[self.current()]
        if not line.qty_left:
            self.fail(_("{name}: returned in full already").format(name=line.name))
            return
        qty = whole_number(text, line.qty_left) if text.strip() else None
        if qty is None:
            self.fail(
                _("{name}: a whole number from 0 to {n}").format(name=line.name, n=line.qty_left)
            )
            return
        self.qty[line.sale_line_id] = qty
        self.show()
        await self.action_cursor(1)

    async def action_all(self) -> None:
        """Everything not yet returned comes back."""
        await self.query_one(OrderedInput).settle()
        self.qty = {line.sale_line_id: line.qty_left for line in self.sale.lines}
        self.show()

    async def action_restock(self) -> None:
        """Put the highlighted line back on sale, or back into quarantine (a manager's call)."""
        await self.query_one(OrderedInput).settle()
        line = self.sale.lines[self.current()]
        if line.sale_line_id in self.restock:
            self.restock.discard(line.sale_line_id)
        elif line.drug_class is not DrugClass.NONE:
            self.restock.add(line.sale_line_id)
            self.fail(_("A returned medicine goes back on sale only if its package is intact"))
        else:
            self.restock.add(line.sale_line_id)
        self.show()

    async def action_cash(self) -> None:
        """Refund in cash instead of the original tenders (or back again)."""
        await self.query_one(OrderedInput).settle()
        self.to_cash = not self.to_cash
        self.show()

    def fail(self, error: str) -> None:
        """Say why, and ring."""
        self.query_one("#form-status", Label).update(error)
        self.app.bell()

    def request(self) -> ReturnRequest:
        """What the cashier chose."""
        return ReturnRequest(
            quantities={key: qty for key, qty in self.qty.items() if qty},
            restock=frozenset(key for key in self.restock if self.qty.get(key)),
            to_cash=self.to_cash,
        )

    async def action_refund(self) -> None:
        """Store the return (a manager approves) and close with it."""
        await self.query_one(OrderedInput).settle()
        self.attempt(None)

    def attempt(self, approval: Approval | None) -> None:
        """Try the return; ask a manager when one must approve."""
        try:
            done = self.register.complete_return(self.sale.number, self.request(), approval)
        except OverrideNeeded as need:
            self.app.push_screen(
                OverrideModal(need.action, need.what, self.register.approve), self.approved
            )
            return
        except InputError as exc:
            self.fail(str(exc))
            return
        self.dismiss(done)

    def approved(self, approval: Approval | None) -> None:
        if approval is None:
            self.fail(_("Not approved: nothing changed"))
            return
        self.attempt(approval)

    async def action_close(self) -> None:
        """No return: nothing changes."""
        await self.query_one(OrderedInput).settle()
        self.dismiss(None)
