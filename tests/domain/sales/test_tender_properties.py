"""Properties of tenders: insurance limits, cash rounding, refunds per tender, shift netting."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos.domain.returns.returns import ReturnableLine, ReturnableSale, ReturnRequest, plan_refund
from pos.domain.sales.codes import InputError
from pos.domain.sales.tendering import Tendering
from pos.domain.shifts import shifts
from pos.enums import CashRounding, DrugClass, Tender
from pos.models import Payment, Refund, Sale, SaleReturn
from pos.money import round_cash
from pos.register.service import RegisterIdentity, RegisterService
from pos.register.staff.overrides import Approval
from pos.store.db import make_engine, make_session_factory
from tests.conftest import fixed_clock
from tests.helpers import barcode_of

RULES = st.sampled_from(list(CashRounding))
TENDERS = st.sampled_from([t for t in Tender if t is not Tender.POINTS])
ATTEMPT = st.tuples(TENDERS, st.one_of(st.none(), st.integers(0, 60_000)))


def pay(tendering: Tendering, attempts: Sequence[tuple[Tender, int | None]], extra: int) -> None:
    """Try each tender (refusals are fine), then settle in cash with ``extra`` fen more."""
    for tender, amount in attempts:
        if tendering.is_paid:
            break
        with contextlib.suppress(InputError):  # a refused tender changes nothing
            tendering.add(tender, amount)
    if not tendering.is_paid:
        tendering.add(Tender.CASH, tendering.cash_due_fen + extra)


@given(
    total=st.integers(1, 50_000),
    eligible_share=st.integers(0, 100),
    rule=RULES,
    attempts=st.lists(ATTEMPT, max_size=6),
    points=st.integers(0, 5_000),
    extra=st.integers(0, 10_000),
)
def test_tenders_add_up_and_only_cash_is_rounded(
    total: int,
    eligible_share: int,
    rule: CashRounding,
    attempts: list[tuple[Tender, int | None]],
    points: int,
    extra: int,
) -> None:
    eligible = total * eligible_share // 100
    tendering = Tendering(
        total, points_limit_fen=points, insurance_limit_fen=eligible, cash_rounding=rule
    )
    pay(tendering, attempts + [(Tender.POINTS, None)] * (points > 0), extra)
    assert tendering.is_paid and tendering.remaining_fen == 0
    assert tendering.paid_fen + tendering.rounding_fen == total
    assert tendering.insurance_fen <= eligible
    assert tendering.points_fen <= points
    assert all(p.amount_fen >= 0 for p in tendering.payments)
    # the rounding: half up to 10 fen, on the cash that settled the sale only
    assert -5 <= tendering.rounding_fen <= 4
    if rule is CashRounding.NONE:
        assert tendering.rounding_fen == 0
    if tendering.rounding_fen:
        last = tendering.payments[-1]
        assert last.tender is Tender.CASH
        assert last.amount_fen == round_cash(last.amount_fen + tendering.rounding_fen, rule)
        assert last.amount_fen % 10 == 0
    for payment in tendering.payments:
        if payment.tender is not Tender.CASH:
            assert payment.tendered_fen is None


@given(total=st.integers(1, 99), rule=st.just(CashRounding.JIAO))
def test_a_rest_that_rounds_to_nothing_is_settled_without_cash(
    total: int, rule: CashRounding
) -> None:
    tendering = Tendering(total + 1000, cash_rounding=rule)
    tendering.add(Tender.CARD, 1000)
    payment = tendering.add(Tender.CASH, None)
    assert tendering.is_paid
    assert payment.amount_fen == round_cash(total, rule)
    assert payment.amount_fen + tendering.rounding_fen == total


def test_insurance_refuses_more_than_the_eligible_lines() -> None:
    tendering = Tendering(1340, insurance_limit_fen=350)
    with pytest.raises(InputError, match=r"at most ¥3\.50"):
        tendering.add(Tender.INSURANCE, 351)
    assert tendering.add(Tender.INSURANCE, None).amount_fen == 350
    with pytest.raises(InputError, match="already paid all it may"):
        tendering.add(Tender.INSURANCE, None)
    assert Tendering(990, insurance_limit_fen=0).insurance_available_fen == 0
    with pytest.raises(InputError, match="Nothing in this sale"):
        Tendering(990, insurance_limit_fen=0).add(Tender.INSURANCE, None)


def test_jiao_rounds_half_up() -> None:
    jiao = CashRounding.JIAO
    assert [round_cash(fen, jiao) for fen in (1230, 1234, 1235, 1239)] == [1230, 1230, 1240, 1240]
    assert round_cash(1234, CashRounding.NONE) == 1234


@st.composite
def sales_with_returns(draw: st.DrawFn) -> tuple[ReturnableSale, list[dict[int, int]]]:
    """A paid sale and a sequence of partial returns (units per line id) that fits in it."""
    sold = draw(
        st.lists(st.tuples(st.integers(1, 5), st.integers(1, 9_000), st.booleans()), min_size=1)
    )
    lines = tuple(
        ReturnableLine(i, i, f"P{i}", f"item {i}", "", qty, 0, fen, DrugClass.NONE, insurable)
        for i, (qty, fen, insurable) in enumerate(sold, start=1)
    )
    total = sum(line.total_fen for line in lines)
    sale_rule = draw(RULES)
    tendering = Tendering(
        total,
        points_limit_fen=draw(st.integers(0, total)),
        insurance_limit_fen=sum(line.total_fen for line in lines if line.insurable),
        cash_rounding=sale_rule,
    )
    attempts = draw(st.lists(st.tuples(st.sampled_from(list(Tender)), st.none()), max_size=4))
    pay(tendering, attempts, draw(st.integers(0, 500)))
    sale = ReturnableSale(
        sale_id=1,
        number="S001-01-20260310-0001",
        completed_at=datetime(2026, 3, 10, tzinfo=UTC),
        total_fen=total,
        refunded_fen=0,
        member=None,
        lines=lines,
        tenders=tuple((p.tender, p.amount_fen) for p in tendering.payments if p.amount_fen),
        rounding_fen=tendering.rounding_fen,
        cash_rounding=draw(st.sampled_from([sale_rule, sale_rule, *CashRounding])),
    )
    left = {line.sale_line_id: line.qty_sold for line in lines}
    steps: list[dict[int, int]] = []
    for _ in range(draw(st.integers(1, 6))):
        step = {i: draw(st.integers(0, n)) for i, n in left.items() if n}
        if not any(step.values()):
            continue
        steps.append(step)
        left = {i: n - step.get(i, 0) for i, n in left.items()}
    if draw(st.booleans()):
        steps.append({i: n for i, n in left.items() if n})  # and the rest
    return sale, [step for step in steps if any(step.values())]


@given(case=sales_with_returns())
def test_refunds_never_give_a_tender_more_than_it_paid(
    case: tuple[ReturnableSale, list[dict[int, int]]],
) -> None:
    sale, steps = case
    paid = Counter[Tender]()
    for tender, fen in sale.tenders:
        paid[tender] += fen
    given_back = Counter[Tender]()
    rounding = 0
    previous: list[int] = []
    previous_insured: list[int] = []
    returned = dict.fromkeys((line.sale_line_id for line in sale.lines), 0)
    for step in steps:
        lines = tuple(
            ReturnableLine(**{**vars(line), "qty_returned": returned[line.sale_line_id]})
            for line in sale.lines
        )
        view = ReturnableSale(
            **vars(sale)
            | {"lines": lines, "previous_fen": tuple(previous), "refunded_fen": sum(previous)}
            | {"previous_insured_fen": tuple(previous_insured)}
        )
        amounts = [line.refund_fen(step.get(line.sale_line_id, 0)) for line in lines]
        amount = sum(amounts)
        plan = plan_refund(view, step)
        insured = sum(fen for line, fen in zip(lines, amounts, strict=True) if line.insurable)
        if not insured:  # only lines insurance did not pay for: insurance gets nothing back
            assert Tender.INSURANCE not in dict(plan.refunds)
        assert sum(fen for _t, fen in plan.refunds) + plan.rounding_fen == amount
        assert all(fen > 0 for _t, fen in plan.refunds)
        assert -9 <= plan.rounding_fen <= 9  # the difference of two roundings of the cash due
        if plan.rounding_fen:
            assert sale.cash_rounding is not CashRounding.NONE or sale.rounding_fen
        for tender, fen in plan.refunds:
            given_back[tender] += fen
        rounding += plan.rounding_fen
        for tender, fen in given_back.items():
            assert fen <= paid[tender], (tender, given_back, paid)
        previous.append(amount)
        previous_insured.append(insured)
        for line_id, qty in step.items():
            returned[line_id] += qty
    if all(returned[line.sale_line_id] == line.qty_sold for line in sale.lines):
        assert sum(previous) == sale.total_fen
        # a sale returned in full gives back what each tender took; cash as much of it
        # as the drawer can pay: the cash due rounded, never more than the cash taken
        cash_due = paid[Tender.CASH] + sale.rounding_fen
        cash_back = min(round_cash(cash_due, sale.cash_rounding), paid[Tender.CASH])
        expected = Counter(paid)
        expected[Tender.CASH] = cash_back
        assert +given_back == +expected
        assert rounding == cash_due - cash_back


# -- the shift: every tender's refunds netted, the counted drawer balancing ----------------

SKUS = ("P00063", "P00064", "P00065", "P00136")
"""Vitamin C (OTC-B), Redoxon (OTC-B), a health food and masks: no Rx, no codes."""
BASKET = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3)
SALE = st.tuples(BASKET, st.lists(ATTEMPT, max_size=3), st.integers(0, 2_000))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=RULES,
    sales=st.lists(SALE, min_size=1, max_size=4),
    returns=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.booleans()), max_size=5),
)
def test_shift_nets_each_tender_and_the_counted_cash_is_expected(
    demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    rule: CashRounding,
    sales: list[tuple[list[tuple[str, int]], list[tuple[Tender, int | None]], int]],
    returns: list[tuple[int, int, bool]],
) -> None:
    path = tmp_path_factory.getbasetemp() / f"shift-{uuid.uuid4().hex}.db"
    shutil.copy(demo_template, path)
    engine = make_engine(path)
    try:
        sessions = make_session_factory(engine)
        register = RegisterService(
            sessions, RegisterIdentity("001", "01", cash_rounding=rule), fixed_clock
        )
        register.login("yaoshi01", "1234")  # a pharmacist signs a duplicate ingredient's warning
        register.open_shift("200")
        drawer = 20_000  # what a counted drawer holds: the float, cash in, change and refunds out
        numbers: list[str] = []
        for basket, attempts, extra in sales:
            for sku, qty in basket:
                register.scan(f"{qty}*{barcode_of(sessions, sku)}")
            for warning in register.warnings():
                register.acknowledge(warning.key)
            tendering = register.start_payment()
            pay(tendering, attempts, extra)
            done = register.complete(tendering)
            drawer += sum(p.tendered_fen or 0 for p in done.payments if p.tender is Tender.CASH)
            drawer -= done.change_fen
            numbers.append(done.number)
        for which, qty, to_cash in returns:
            number = numbers[which % len(numbers)]
            try:
                view = register.find_return(number)
            except InputError:
                continue  # returned in full already
            line = view.lines[qty % len(view.lines)]
            request = ReturnRequest({line.sale_line_id: min(qty, line.qty_left)}, to_cash=to_cash)
            try:
                returned = register.complete_return(number, request, Approval("refund", "x"))
            except InputError:
                continue  # nothing chosen
            drawer -= sum(fen for tender, fen in returned.refunds if tender is Tender.CASH)
        with sessions() as session:
            shift = shifts.current_shift(session, "01")
            assert shift is not None
            totals = shifts.shift_totals(session, shift, fixed_clock())
            paid = Counter[str]()
            for tender, fen in session.execute(select(Payment.tender, Payment.amount_fen)):
                paid[tender.value] += fen
            refunded = Counter[str]()
            for tender, fen in session.execute(select(Refund.tender, Refund.amount_fen)):
                refunded[tender.value] += fen
            sold = sum(session.scalars(select(Sale.total_fen)))
            sales_rounding = sum(session.scalars(select(Sale.rounding_fen)))
            back = sum(session.scalars(select(SaleReturn.total_fen)))
            refund_rounding = sum(session.scalars(select(SaleReturn.rounding_fen)))
        assert totals.tenders == {t: fen for t, fen in paid.items() if fen}
        assert totals.refund_tenders == {t: fen for t, fen in refunded.items() if fen}
        assert totals.net_tenders == {
            t: paid[t] - refunded[t] for t in {*totals.tenders, *totals.refund_tenders}
        }
        assert (totals.sales_rounding_fen, totals.refund_rounding_fen) == (
            sales_rounding,
            refund_rounding,
        )
        # sales − refunds = every tender's net + the rounding recorded on its own
        assert sold - back == sum(totals.net_tenders.values()) + (sales_rounding - refund_rounding)
        assert totals.expected_fen == drawer  # a counted drawer balances
        if rule is CashRounding.NONE:
            assert sales_rounding == refund_rounding == 0
    finally:
        engine.dispose()
