"""``route_from_form`` remembers the route of each name and spec: the same route as
looking through the dosage forms of the name, then of the spec, every time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pos.domain.pharmacy.safety import DEFAULT_ROUTE, FORM_ROUTES, route_from_form

_FORMS = [form for _route, forms in FORM_ROUTES for form in forms]
_TEXTS = st.lists(st.sampled_from([*_FORMS, "感冒", "10片", "布洛芬", "", "x"]), max_size=4).map(
    "".join
)


def _looked_through(name: str, spec: str) -> str:
    for text in (name, spec):
        for route, forms in FORM_ROUTES:
            if any(form in text for form in forms):
                return route
    return DEFAULT_ROUTE


@given(_TEXTS, _TEXTS)
def test_route_as_the_forms_tell_it(name: str, spec: str) -> None:
    assert route_from_form(name, spec) == _looked_through(name, spec)
    assert route_from_form(name, spec) == _looked_through(name, spec)  # remembered
