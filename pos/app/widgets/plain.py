"""Text is text: the register's widgets never read markup in what they show.

Product and member names, typed input and messages can hold ``[`` and ``]``;
Textual and Rich read those as markup by default, and ``[/]`` then raises
instead of being shown. Screens and widgets import ``Label``, ``Static`` and
``DataTable`` from here (tests/system/test_quality.py holds them to it), and build
Rich tables' cells with :func:`plain`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import widgets
from textual.content import Content
from textual.coordinate import Coordinate
from textual.visual import VisualType
from textual.widgets.data_table import CellType, ColumnKey, RowKey

__all__ = ["DataTable", "Label", "Static", "plain"]


def plain(value: object, style: str = "") -> Text:
    """``value`` as text shown exactly as it is (a ``Text`` is kept as it is)."""
    if isinstance(value, Text):
        return value
    return Text(str(value), style=style, end="")


def _plain_content(text_content: str | Content) -> Content:
    return text_content if isinstance(text_content, Content) else Content(text_content)


class Static(widgets.Static):
    """A ``Static`` that shows strings (its border titles too) as they are, never as markup."""

    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(content, **kwargs)

    def render_str(self, text_content: str | Content) -> Content:
        return _plain_content(text_content)


class Label(widgets.Label):
    """A ``Label`` that shows strings (its border titles too) as they are, never as markup."""

    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(content, **kwargs)

    def render_str(self, text_content: str | Content) -> Content:
        return _plain_content(text_content)


class DataTable(widgets.DataTable[CellType]):
    """A ``DataTable`` whose string cells and labels are shown as they are."""

    def add_row(
        self,
        *cells: CellType,
        height: int | None = 1,
        key: str | None = None,
        label: str | Text | None = None,
    ) -> RowKey:
        return super().add_row(
            *(_cell(cell) for cell in cells),
            height=height,
            key=key,
            label=plain(label) if label is not None else None,
        )

    def render_str(self, text_content: str | Content) -> Content:
        return _plain_content(text_content)

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)

    def update_cell_at(
        self, coordinate: Coordinate, value: CellType, *, update_width: bool = False
    ) -> None:
        super().update_cell_at(coordinate, _cell(value), update_width=update_width)

    def add_column(
        self,
        label: str | Text,
        *,
        width: int | None = None,
        key: str | None = None,
        default: CellType | None = None,
    ) -> ColumnKey:
        return super().add_column(plain(label), width=width, key=key, default=default)


def _cell(cell: CellType) -> Any:
    return plain(cell) if isinstance(cell, str) else cell
