"""The cart: one row per line, the last added line highlighted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.widgets.data_table import ColumnKey, RowKey

from pos.app.widgets.cjk_text import cut
from pos.app.widgets.plain import DataTable
from pos.i18n import _
from pos.register.api import DrugClass, format_fen

if TYPE_CHECKING:  # the register's read models: types only (the first paint needs none)
    from pos.register.views import CartLineView, CartView

CLASS_MARK = {DrugClass.RX: "Rx", DrugClass.OTC_A: "OTC甲", DrugClass.OTC_B: "OTC乙"}
SHORT_CLASS_MARK = {DrugClass.RX: "Rx", DrugClass.OTC_A: "甲", DrugClass.OTC_B: "乙"}
"""The class marks where a name would otherwise keep fewer than ten Chinese characters."""


@dataclass(frozen=True)
class ShownRow:
    """One row of the table as shown: the cart line it shows and the cells it was given."""

    line: CartLineView
    near: bool
    cells: tuple[Cell, ...]


class NameCell:
    """A line's name, its marks (drug class, gift) and its promotion, at any column width:
    the promotion gives way first, then the name is cut (with "…") down to ten Chinese
    characters, then the class mark takes its short form ("[甲]" for "[OTC甲]"); the marks
    stay whole, so that the class is never what a long name loses (a Rich renderable)."""

    SHORTEST_NOTE = 4
    """The fewest cells a cut promotion keeps (else it is left out)."""
    SHORTEST_NAME = 20
    """The cells a cut name keeps before the class mark takes its short form."""

    def __init__(self, name: str, marks: Text, note: Text, short_marks: Text | None = None) -> None:
        self.name = name
        self.marks = marks
        self.note = note
        self.short_marks = marks if short_marks is None else short_marks

    def text(self, width: int) -> Text:
        """The cell at ``width`` cells."""
        marks = self.marks
        if width - marks.cell_len < min(self.SHORTEST_NAME, cell_len(self.name)):
            marks = self.short_marks
        text = Text(cut(self.name, max(width - marks.cell_len, 1)), end="")
        text.append_text(marks)
        left = width - text.cell_len
        if left >= min(self.note.cell_len, self.SHORTEST_NOTE):
            note = self.note.copy()
            if note.cell_len > left:
                note = Text(cut(note.plain, left), style=note.style)
            text.append_text(note)
        text.truncate(width, overflow="ellipsis")  # marks wider than the column: cut at the end
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, cell_len(self.name) + self.marks.cell_len + self.note.cell_len)

    def __str__(self) -> str:
        return self.name + self.marks.plain + self.note.plain


Cell = str | Text | NameCell


def _look(cell: Cell) -> tuple[object, ...]:
    """What a cell looks like: its text, styles and alignment (``Text`` has no full ``==``)."""
    if isinstance(cell, str):
        return (cell,)
    if isinstance(cell, NameCell):
        return (cell.name, *_look(cell.marks), *_look(cell.note), *_look(cell.short_marks))
    return (cell.plain, str(cell.style), tuple(cell.spans), cell.justify)


class CartTable(DataTable[Cell]):
    """Lines of the cart in progress (read-only; the screen changes the cart)."""

    DEFAULT_CSS = """
    CartTable { height: 1fr; }
    """

    FIXED_WIDTHS = {"no": 3, "spec": 12, "expiry": 10, "qty": 5, "price": 10, "total": 10}
    MIN_NAME_WIDTH = 20
    """Cells the name keeps (10 Chinese characters): the spec, then the expiry give way."""
    GIVE_WAY = ("spec", "expiry")

    def __init__(self, *, id: str | None = None) -> None:
        self._stamps = count()
        self._row_stamp: dict[RowKey, int] = {}
        """Bumped when a row's cells change: what the cells rendered are cached by."""
        self._rendered: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(4000)
        self._row_styles: dict[tuple[object, ...], Style] = {}
        # (set first: DataTable's __init__ already clears its caches, and so these)
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.can_focus = False
        self.shown: tuple[CartView, Callable[[date | None], int | None]] | None = None
        self.fixed: tuple[str, ...] = ()
        self.rows_shown: list[ShownRow] = []
        """What each row shows now: the line, its near-expiry mark and its cells."""

    def on_mount(self) -> None:
        self._add_columns()

    def _columns_for(self, width: int) -> tuple[str, ...]:
        """The fixed columns that leave the name at least MIN_NAME_WIDTH cells."""
        keys = list(self.FIXED_WIDTHS)
        for key in self.GIVE_WAY:
            if self._name_width(width, keys) >= self.MIN_NAME_WIDTH:
                break
            keys.remove(key)
        return tuple(keys)

    def _name_width(self, width: int, keys: list[str] | tuple[str, ...]) -> int:
        """The name column takes what the fixed columns leave (at least 12 cells)."""
        padding = 2 * self.cell_padding * (len(keys) + 1)
        scrollbar = 2
        fixed = sum(self.FIXED_WIDTHS[key] for key in keys)
        return max(12, width - fixed - padding - scrollbar)

    def _add_columns(self) -> None:
        width = self.size.width
        self.fixed = self._columns_for(width)
        labels = {
            "no": "#",
            "spec": _("Spec"),
            "expiry": _("Expiry"),
            "qty": _("Qty"),
            "price": _("Price"),
            "total": _("Total"),
        }
        for key in self.FIXED_WIDTHS:
            if key == "spec":
                self.add_column(
                    _("Product name"), key="name", width=self._name_width(width, self.fixed)
                )
            if key in self.fixed:
                self.add_column(labels[key], key=key, width=self.FIXED_WIDTHS[key])

    def on_resize(self) -> None:
        self.call_after_refresh(self._scroll_cursor_into_view)
        width = self.size.width
        if self._columns_for(width) != self.fixed:
            self.clear(columns=True)
            self.rows_shown = []
            self._row_stamp.clear()
            self._add_columns()
            if self.shown is not None:
                self.show(*self.shown)
            return
        column = self.columns.get(ColumnKey("name"))
        if column is not None and column.width != self._name_width(width, self.fixed):
            column.width = self._name_width(width, self.fixed)
            self._require_update_dimensions = True
            self.refresh()

    def show(self, cart: CartView, near_expiry: Callable[[date | None], int | None]) -> None:
        """Show ``cart``, moving the cursor to its last changed line (the first, when none).

        ``near_expiry`` gives the days left for stock that expires soon, marked on the line.
        Only what changed since the cart last shown is touched: a row added, removed or
        its changed cells updated in place, so a scan costs one row, not the whole table.
        """
        self.shown = (cart, near_expiry)
        columns = ("no", "name", *(key for key in self.fixed if key != "no"))
        rows: list[ShownRow] = []
        for index, line in enumerate(cart.lines):
            near = near_expiry(line.next_expiry) is not None
            old = self.rows_shown[index] if index < len(self.rows_shown) else None
            if old is not None and old.line == line and old.near == near:
                rows.append(old)
                continue
            row = ShownRow(line, near, self._cells(index + 1, line, near))
            self._row_stamp[RowKey(str(index))] = next(self._stamps)
            if old is None:
                self.add_row(*row.cells, key=str(index))
            else:
                for column, cell, was in zip(columns, row.cells, old.cells, strict=True):
                    if _look(cell) != _look(was):
                        self.update_cell(str(index), column, cell)
            rows.append(row)
        for index in range(len(cart.lines), len(self.rows_shown)):
            self.remove_row(str(index))
            del self._row_stamp[RowKey(str(index))]
        self.rows_shown = rows
        if cart.lines:
            self.move_cursor(row=cart.last_index or 0, animate=False)

    def _cells(self, number: int, line: CartLineView, near: bool) -> tuple[Cell, ...]:
        """The cells of the row of ``line``, the ``number``-th of the cart, in column order."""
        style = "bold red" if line.drug_class is DrugClass.RX else ""
        marks, short = Text(end=""), Text(end="")
        for shown, names in ((marks, CLASS_MARK), (short, SHORT_CLASS_MARK)):
            if line.drug_class in names:
                shown.append(f" [{names[line.drug_class]}]", style=style)
            if line.gift:
                shown.append(" 🎁", style="bold magenta")
        note = Text(f" {line.promo_label}" if line.promo_label else "", style="magenta", end="")
        name = NameCell(line.name, marks, note, short)  # cut visibly (…), never its marks
        expiry = Text(line.next_expiry.isoformat() if line.next_expiry else "")
        if near:
            expiry.stylize("bold yellow")
        cells: dict[str, Cell] = {
            "no": str(number),
            "spec": line.spec,
            "expiry": expiry,
            "qty": Text(str(line.qty), justify="right"),
            "price": self._price(line),
            "total": Text(format_fen(line.total_fen), justify="right"),
        }
        return (cells["no"], name, *(cells[key] for key in self.fixed if key != "no"))

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """A cart cell as rendered, kept while its row is unchanged.

        DataTable keys its own cache by a count of every change to the table, so each
        added line made it render every visible cell again, frame after frame of a
        scanner burst; here a cell is rendered again only when its row changed (or its
        look: cursor, hover, width, focus, styles).
        """
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else None
        stamp = self._row_stamp.get(row_key) if row_key is not None else None
        if stamp is None or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            stamp,
            row_index,
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.cell_padding,
        )
        lines = self._rendered.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._rendered[key] = lines
        return lines

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        """The style of a row (header, odd or even), looked up once, not per row and frame."""
        if row_index < 0 or row_index < self.fixed_rows:
            kind = row_index if row_index < 0 else -2
        else:
            kind = row_index % 2 if self.zebra_stripes else 2
        key = (kind, base_style, self._pseudo_class_state)
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._rendered.clear()
        self._row_styles.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rendered.clear()
        self._row_styles.clear()

    @staticmethod
    def _price(line: CartLineView) -> Text:
        """The unit price; a member price (★) when the member saves on this line."""
        member = line.member_price_fen
        saving = None if member is None else (line.unit_price_fen - member) * line.qty
        if line.discount_fen and line.discount_fen == saving:
            return Text("★" + format_fen(member or 0), style="bold green", justify="right")
        return Text(format_fen(line.unit_price_fen), justify="right")

    @property
    def selected_index(self) -> int | None:
        """The index of the highlighted line, if the cart has any."""
        return self.cursor_row if self.row_count else None
