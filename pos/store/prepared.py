"""Prepared lookups: a Core SELECT compiled once per dialect, run on the DBAPI cursor.

The register looks up a barcode, a member or a product's stock on every scan. At
that size SQLite answers in about 10 µs, and SQLAlchemy's work per execution (the
execution context, cache key, result object) costs twice that again. A
:class:`Prepared` statement is compiled by SQLAlchemy once for the connection's
dialect (so the SQL stays portable), then run directly on the DBAPI cursor of the
session's connection, in the session's transaction, with the column types' own
bind and result processors. A statement whose SQL is finished only at execution
(expanding ``IN``, literal ``LIMIT`` on some dialects) runs the ordinary way.

Like any Core statement on ``session.connection()``, a prepared lookup does not
flush the session first: it is for reads, before the unit of work changes objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None
    """Parameter names in their positions (positional paramstyles), else None."""
    defaults: dict[str, Any]
    binds: tuple[tuple[str, Processor], ...]
    results: tuple[tuple[int, Processor], ...]


class Prepared:
    """A SELECT compiled once per dialect and run on the session connection's DBAPI cursor."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled | None] = {}

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row for ``params``, with the columns' Python types."""
        connection = session.connection()  # begins the session's transaction if needed
        dialect = connection.dialect
        if dialect.name in self._compiled:
            compiled = self._compiled[dialect.name]
        else:
            compiled = self._compile(dialect)
        if compiled is None:
            return [tuple(row) for row in connection.execute(self.statement, params)]
        values = {**compiled.defaults, **params}
        for name, process in compiled.binds:
            values[name] = process(values[name])
        cursor = connection.connection.cursor()
        try:
            if compiled.order is None:
                cursor.execute(compiled.sql, values)
            else:
                cursor.execute(compiled.sql, [values[name] for name in compiled.order])
            rows: list[tuple[Any, ...]] = list(cursor.fetchall())
        finally:
            cursor.close()
        if compiled.results and rows:
            rows = [_processed(row, compiled.results) for row in rows]
        return rows

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row for ``params``, or None."""
        found = self.rows(session, params)
        return found[0] if found else None

    def _compile(self, dialect: Dialect) -> _Compiled | None:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            self._compiled[dialect.name] = None
            return None
        binds = []
        defaults = {}
        for name, bind in compiled.binds.items():
            if not bind.required:
                defaults[name] = bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds.append((name, process))
        results = []
        for index, column in enumerate(self.statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((index, process))
        found = _Compiled(
            sql=compiled.string,
            order=tuple(compiled.positiontup or ()) if dialect.positional else None,
            defaults=defaults,
            binds=tuple(binds),
            results=tuple(results),
        )
        self._compiled[dialect.name] = found
        return found


def _processed(row: tuple[Any, ...], results: tuple[tuple[int, Processor], ...]) -> tuple[Any, ...]:
    values = list(row)
    for index, process in results:
        value = values[index]
        if value is not None:
            values[index] = process(value)
    return tuple(values)
