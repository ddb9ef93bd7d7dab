"""The last sale's number, shown on the first screen, is one index seek: SQLite never sorts
the register's sales for it (that grew with every sale stored)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from pos.register.service import RegisterService


def test_the_last_sale_number_is_read_without_sorting_the_registers_sales(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    engine = demo_sessions.kw["bind"]
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM sale" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        register.last_sale_number()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 1
    statement, parameters = seen[0]
    with engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    steps = " / ".join(str(row[-1]) for row in plan)
    assert "USING INDEX" in steps and "TEMP B-TREE" not in steps, steps
