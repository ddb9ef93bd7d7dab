"""``pos import members`` checks the file against the members on file by reading the
smaller side a batch at a time and looking it up in the other's unique indexes (into a
new store: nothing to read). Whichever side is read, the outcome is the same: the same
rows updated (card on file), the same phones refused (another member's), the same members
stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.transfer import member_import
from tests.transfer.test_members_import_parts import card, dump, run, write
from tests.transfer.test_sales_import_fast import _copies, fresh_store

__all__ = ["fresh_store"]  # the fixture, used by name


@st.composite
def members(draw: st.DrawFn) -> list[list[str] | str]:
    """Members rows whose cards and phones are drawn from a few (some on file, some not,
    some repeated)."""
    out: list[list[str] | str] = []
    for _row in range(draw(st.integers(1, 12))):
        number = draw(st.integers(0, 6))
        out.append(
            [
                card(number),  # a card: one issued at random would differ between stores
                f"1390000{draw(st.integers(0, 6)):04d}",
                f"李{number}",
                "",
                "",
                "",
                str(draw(st.integers(0, 9))),
                "",
                "",
            ]
        )
    return out


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(on_file=members(), incoming=members(), skip_bad=st.booleans())
def test_reading_the_store_or_the_file_finds_the_same_members_on_file(
    fresh_store: Any,
    tmp_path: Path,
    on_file: list[list[str] | str],
    incoming: list[list[str] | str],
    skip_bad: bool,
) -> None:
    first = write(tmp_path / f"first{next(_copies)}.csv", on_file, False, False)
    second = write(tmp_path / f"second{next(_copies)}.csv", incoming, False, False)
    stores = [fresh_store(), fresh_store()]
    outcomes = []
    for sessions, members_on_file in zip(stores, (0, 1 << 40), strict=True):
        run(sessions, first, skip_bad=True)
        with pytest.MonkeyPatch.context() as patch:  # which side is the smaller one
            patch.setattr(member_import, "_on_file", lambda _session, n=members_on_file: n)
            outcomes.append(run(sessions, second, skip_bad))
    assert outcomes[0] == outcomes[1]
    one, two = (Path(s.kw["bind"].url.database) for s in stores)
    assert dump(one) == dump(two)


def test_a_phone_on_file_is_found_reading_the_store(fresh_store: Any, tmp_path: Path) -> None:
    """A file bigger than the store: the store is read, and a phone of another member's
    on file is still a bad row, named by its line."""
    sessions = fresh_store()
    run(
        sessions,
        write(
            tmp_path / "a.csv",
            [[card(1), "13900000001", "王", *[""] * 3, "1", "", ""]],
            False,
            False,
        ),
        True,
    )
    rows: list[list[str] | str] = [
        [card(n), f"1390000{n:04d}", f"李{n}", "", "", "", "1", "", ""] for n in range(2, 400)
    ]
    rows.insert(5, [card(500), "13900000001", "张", "", "", "", "1", "", ""])
    errors, _warnings, _created, _updated, applied = run(
        sessions, write(tmp_path / "b.csv", rows, False, False), False
    )
    assert not applied
    assert [(line, field) for line, field, *_rest in errors] == [(7, "phone")]
    assert "belongs to another member" in errors[0][3]
