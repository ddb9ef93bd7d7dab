"""``pos import sales`` of a big file checks it in parts at once (child processes): the
outcome is the same as in one part, to the row and to the id.

Files of good sales, bad lines, returns, blank lines and sale numbers met again (within a
part and across parts), some sales already stored, are imported in one part and in two
or three; the reports (every bad line, in file order, word for word; the warnings and
counts) and every stored row are the same.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos.models import Member, Sale
from pos.transfer import sales_import
from pos.transfer.import_common import Chunks
from pos.transfer.sales_import import _parts, import_sales
from tests.transfer.test_sales_import import sale, write_sales
from tests.transfer.test_sales_import_fast import _copies, fresh_store, records

__all__ = ["fresh_store"]  # the fixture, used by name

TABLES = ("sale", "sale_line", "sale_line_lot", "payment", "trace_code", "prescription", "lot")


@st.composite
def lines(draw: st.DrawFn, cards: list[str]) -> list[dict[str, Any] | str]:
    """The lines of a file: sales (some numbers twice), bad lines, returns, blank lines."""
    out: list[dict[str, Any] | str] = []
    for _line in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["sale", "sale", "sale", "again", "bad", "return", "blank"]))
        if kind == "sale" or (kind == "again" and not out):
            out.append(draw(records(draw(st.integers(1, 12)), cards)))
        elif kind == "again":
            earlier = draw(st.sampled_from(out))
            out.append(earlier if isinstance(earlier, str) else dict(earlier))
        elif kind == "bad":
            out.append(draw(st.sampled_from(["{not json", json.dumps(sale(99, [("NOPE", 1, 1)]))])))
        elif kind == "return":
            out.append(json.dumps({"type": "return", "number": "R1"}))
        else:
            out.append("   ")
    return out


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the sales' tables, by id."""
    with sqlite3.connect(path) as raw:
        return {t: raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}


def run(sessions: Any, path: Path, skip_bad: bool) -> tuple[Any, ...]:
    with sessions(execution_options={"pos_begin_immediate": True}) as session:
        report = import_sales(session, path, skip_bad, None, Chunks(session, seconds=0, pause=0))
        session.commit()
    return (
        [(error.line, error.reason) for error in report.errors],
        report.warnings,
        report.created,
        report.duplicates,
        report.returns,
        report.restricted_buyers,
        report.applied,
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), parts=st.integers(2, 3), already=st.integers(0, 2), bom=st.booleans())
def test_a_file_checked_in_parts_imports_as_in_one(
    fresh_store: Any, tmp_path: Path, data: st.DataObject, parts: int, already: int, bom: bool
) -> None:
    stores = [fresh_store(), fresh_store()]
    with stores[0]() as session:
        cards = list(session.scalars(select(Member.card_no).order_by(Member.id).limit(2)))
    records_ = data.draw(lines(cards))
    path = write_sales(tmp_path / f"sales{next(_copies)}.jsonl", *records_)
    if bom:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    good = [r for r in records_ if isinstance(r, dict)][:already]
    if good:
        first = write_sales(tmp_path / f"first{next(_copies)}.jsonl", good[0])
        for sessions in stores:
            with sessions.begin() as session:
                import_sales(session, first)
    skip_bad = data.draw(st.booleans())
    outcomes = []
    for sessions, (count, least) in zip(stores, ((1, 1 << 40), (parts, 1)), strict=True):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sales_import, "PARTS", count)
            patch.setattr(sales_import, "PART_BYTES", least)
            patch.setattr(sales_import, "FIRST_BATCH", 2)
            outcomes.append(run(sessions, path, skip_bad))
    assert outcomes[0] == outcomes[1]
    one, many = (Path(s.kw["bind"].url.database) for s in stores)
    assert dump(one) == dump(many)


def test_a_sale_met_again_across_parts_names_its_first_line(
    fresh_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second part's sale met in the first part, then again in the second: both are
    bad lines naming the first part's line, as in one part."""
    a, b = sale(1, [("P00063", 1, 350)]), sale(2, [("P00063", 2, 350)])
    path = write_sales(tmp_path / "again.jsonl", a, b, "", a, a, b)
    monkeypatch.setattr(sales_import, "PART_BYTES", 1)
    assert len(_parts(path)) == 2
    sessions = fresh_store()
    errors, _warnings, created, *_rest = run(sessions, path, skip_bad=True)
    assert created == 2
    assert [(line, reason.split(" already on line ")[1]) for line, reason in errors] == [
        (4, "1"),
        (5, "1"),
        (6, "2"),
    ]


def test_the_parts_end_at_line_ends_and_cover_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b"%d %s\n" % (n, b"x" * (n % 7)) for n in range(1, 101)))
    monkeypatch.setattr(sales_import, "PART_BYTES", 1)
    for parts in (1, 2, 3, 5):
        monkeypatch.setattr(sales_import, "PARTS", parts)
        spans = _parts(path)
        assert len(spans) == parts
        assert spans[0][0] == 0 and spans[-1][1] == path.stat().st_size
        data = path.read_bytes()
        for (_start, end), (start, _end) in itertools.pairwise(spans):
            assert end == start and data[end - 1 : end] == b"\n"
    monkeypatch.setattr(sales_import, "PART_BYTES", path.stat().st_size // 2 + 1)
    assert len(_parts(path)) == 1  # too small for two


def test_a_child_that_fails_fails_the_import_and_stores_nothing(
    fresh_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    original = sales_import.Staging.add

    def add(staging: sales_import.Staging, *args: Any) -> None:
        if os.getpid() != parent:
            raise RuntimeError("disk full in the child")
        original(staging, *args)

    path = write_sales(tmp_path / "s.jsonl", *(sale(seq, [("P00063", 1, 350)]) for seq in (1, 2)))
    monkeypatch.setattr(sales_import.Staging, "add", add)
    monkeypatch.setattr(sales_import, "PART_BYTES", 1)
    sessions = fresh_store()
    with pytest.raises(RuntimeError, match="disk full in the child"):
        run(sessions, path, skip_bad=False)
    assert multiprocessing.active_children() == []
    with sessions() as session:
        assert session.scalars(select(Sale)).all() == []
