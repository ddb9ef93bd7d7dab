"""``check_digit_ok``: the check digit of EAN-13, EAN-8 and UPC-A codes, as python-stdnum
checks it (the import of a chain's catalogue checks 55,000 codes)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import ean

from pos.domain.sales.codes import check_digit_ok

_CODES = st.sampled_from([8, 12, 13]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


@settings(max_examples=2000)
@given(_CODES)
def test_check_digit_as_stdnum_checks_it(code: str) -> None:
    assert check_digit_ok(code) is ean.is_valid(code)


@given(
    st.sampled_from([8, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n - 1, max_size=n - 1)
    )
)
def test_exactly_one_check_digit_fits(body: str) -> None:
    fitting = [digit for digit in "0123456789" if check_digit_ok(body + digit)]
    assert fitting == [ean.calc_check_digit(body)]


def test_known_codes() -> None:
    assert check_digit_ok("6930496010716")
    assert not check_digit_ok("6930496010717")
    assert check_digit_ok("69031656")
    assert check_digit_ok("031604026172")
