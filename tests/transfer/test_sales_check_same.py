"""The faster sale check of ``pos import sales`` agrees with the one it replaced.

Good sales are broken at random (a field removed or given any JSON value, the sale
number rewritten, a line split over two lots, entries repeated): for each, the check
gives the same checked sale as :mod:`tests.transfer.sales_check_reference` (the check as
it was), or fails with the same first problem, word for word.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.domain.sales.codes import InputError
from pos.transfer.sales_check import ProductRef, SaleCheck
from tests.transfer import sales_check_reference as reference
from tests.transfer.test_sales_import import sale
from tests.transfer.test_sales_import_fast import SKUS, records

PRODUCTS = {sku: ProductRef(index, f"品{index}", "10g") for index, sku in enumerate(SKUS, 1)}

EDGES = [
    "", "x" * 21, "y" * 65, "z" * 201, "cash", "card", "wechat", "2025-01-01", "2025-13-01",
    "20250101", "2025-01-01T02:00:00", "2025-01-01T02:00:00Z", "2025-01-01T02:00:00+08:00",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2025-01-01T02:00",
    "2025-01-01 02:00:00.5+05:30", "return", "NOPE", *SKUS,
]  # fmt: skip

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.sampled_from(EDGES),
    st.lists(st.one_of(st.none(), st.text(max_size=22), st.integers()), max_size=2),
    st.just({}),
)
"""Any JSON value, leaning to the edges of the rules."""

ODD_NUMBERS = [
    "S001-01-20250101-0001", "S001-01-20250101-1", "S001-01-20250101-00001",
    "S001-01-20250101-0000", "S001-01-20251301-0001", "S001-01-20250230-0001",
    "S001-01-09990101-0001", "S001-02-20250101-0001", "S002-01-20250101-0001",
    "S001-01-2025011-0001", "S001-01-20250101-12345", "S001-01-20250101", "S001-01-x-0001",
    "S001-01-00000101-0001", "S001-01-19991231-9999", "S1-01-20250101-0001",
]  # fmt: skip
NUMBERS = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.from_regex(r"\AS00[12]-0[12]-[0-9]{8}-[0-9]{1,6}\Z"),
)


@st.composite
def broken(draw: st.DrawFn) -> dict[str, Any]:
    """A good record, then a few changes that may well break it."""
    record = draw(records(draw(st.integers(1, 9999)), ["2900000000001"]))
    for _change in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(["sale", "line", "line", "payment", "rx", "number", "split", "raw"])
        )
        if not isinstance(record, dict):
            continue
        if kind == "raw":
            record = draw(st.sampled_from([record, [], "sale", None, 1]))
            continue
        if kind == "number":
            record["number"] = draw(NUMBERS)
            continue
        if kind == "split" and isinstance(record.get("lines"), list) and record["lines"]:
            entry = copy.deepcopy(draw(st.sampled_from(record["lines"])))
            if isinstance(entry, dict) and draw(st.booleans()):
                entry["lot"] = draw(st.sampled_from([None, "A1", "B2", "C3"]))
                entry["expiry"] = draw(st.sampled_from([None, "2027-01-31", "2027-02-30"]))
            record["lines"].insert(draw(st.integers(0, len(record["lines"]))), entry)
            continue
        target: Any = record
        if kind in ("line", "payment"):
            within = record.get(f"{kind}s")
            target = draw(st.sampled_from(within)) if isinstance(within, list) and within else None
        elif kind == "rx":
            target = record.get("prescription")
        if not isinstance(target, dict) or not target:
            continue
        key = draw(st.sampled_from(sorted(target)))
        if draw(st.integers(0, 3)) == 0:
            del target[key]
        else:
            target[key] = draw(ODD)
    return record


def outcome(check: Any, record: Any) -> tuple[str, Any]:
    """What a check makes of ``record``: the checked sale as a dict, or its problem."""
    try:
        return "good", dataclasses.asdict(check(copy.deepcopy(record)))
    except InputError as exc:
        return "bad", str(exc)


@settings(max_examples=600, deadline=None)
@given(broken())
def test_the_check_agrees_with_the_check_it_replaced(record: Any) -> None:
    now = outcome(SaleCheck(PRODUCTS).check, record)
    assert now == outcome(lambda obj: reference.check_sale(obj, PRODUCTS), record)


def test_a_checker_reads_each_day_once_and_still_tells_each_sale_apart() -> None:
    """The day of a sale number is remembered: a second sale of the same day with a bad
    sequence is still bad, and a bad day stays bad."""
    check = SaleCheck(PRODUCTS).check
    good = sale(1, [(SKUS[1], 2, 150)])
    assert check(good).number == "S001-01-20250101-0001"
    for number, problem in (
        ("S001-01-20250101-0000", "is not a register's sale number"),
        ("S001-01-20250101-01", "is not a register's sale number"),
        ("S001-01-20250230-0002", "number must read"),
        ("S001-01-20250230-0002", "number must read"),
    ):
        try:
            check(dict(good, number=number))
        except InputError as exc:
            assert problem in str(exc)
        else:
            raise AssertionError(number)
