"""Head office holds the points of a redemption it confirmed until that redemption
arrives: two online registers cannot both be told "yes" for the same points (against a
real PostgreSQL, two registers in two stores)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.sales.codes import InputError
from pos.sync import central
from tests.helpers import barcode_of
from tests.sync.test_sync_push_points import (
    PHONE,
    Till,
    enrol_with_points,
    pay_with_points,
    tills,
)
from tests.sync.test_sync_push_roles import refused, role_url

__all__ = ["tills"]  # the fixture, shared with the points tests


def holds(hq_url: str) -> list[tuple[str, str, int]]:
    engine = central.make_hq_engine(hq_url)
    try:
        with central.hq_sessions(engine)() as hq:
            rows = hq.execute(
                text("SELECT store_code, register_id, points FROM hq_points_hold ORDER BY uid")
            )
            return [(store, register, int(held)) for store, register, held in rows]
    finally:
        engine.dispose()


def ledger(hq_url: str) -> int:
    """The member's points in head office's ledger."""
    engine = central.make_hq_engine(hq_url)
    try:
        with central.hq_sessions(engine)() as hq:
            total = hq.scalar(
                text(
                    "SELECT coalesce(sum(e.delta), 0) FROM hq_points_entry e"
                    " JOIN member m ON m.id = e.member_id WHERE m.phone = :phone"
                ),
                {"phone": PHONE},
            )
            return int(total)
    finally:
        engine.dispose()


def test_second_online_register_is_refused_points_held_for_the_first(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    a.redeem_all()  # online: confirmed and held at head office, not pushed yet
    assert holds(hq_url) == [("001", "01", 3000)]
    assert ledger(hq_url) == 3000  # the redemption itself is still at register A
    sales = b.sales()
    with pytest.raises(InputError, match="Head office shows 0 points"):
        b.redeem_all()
    assert b.sales() == sales and b.balance() == 3000  # nothing stored at B
    a.sync(hq_url)  # A's redemption arrives: its hold is released, the ledger counts it
    assert holds(hq_url) == []
    assert ledger(hq_url) == 0
    b.sync(hq_url)
    assert b.balance() == 0


def test_a_register_redeeming_twice_before_pushing_is_not_counted_twice(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, _b = tills
    enrol_with_points(a, hq_url, 3000)
    a.service.scan(f"4*{barcode_of(a.sessions, 'P00001')}")
    a.service.attach_member(a.member_id())
    pay_with_points(a, 1000)  # 10 yuan of points: 1000 points, held
    assert holds(hq_url) == [("001", "01", 1000)]
    assert a.balance() == 2000
    a.redeem_all()  # the rest: the unsent redemption counts once (its hold), not twice
    assert a.balance() == 0
    assert sum(held for _s, _r, held in holds(hq_url)) == 3000
    a.sync(hq_url)
    assert holds(hq_url) == [] and ledger(hq_url) == 0


def test_an_expired_hold_no_longer_counts(tills: tuple[Till, Till], hq_url: str) -> None:
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    a.redeem_all()
    engine = central.make_hq_engine(hq_url)
    with central.hq_sessions(engine).begin() as hq:  # a day later, A never pushed
        hq.execute(text("UPDATE hq_points_hold SET expires_at = now() - interval '1 minute'"))
    engine.dispose()
    b.redeem_all()  # confirmed: the expired hold is gone (spent twice: reported later)
    assert holds(hq_url) == [("002", "01", 3000)]


def test_a_sale_that_fails_after_the_hold_gives_it_back(
    tills: tuple[Till, Till], hq_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b = tills
    enrol_with_points(a, hq_url, 3000)

    def broken(*_args: object, **_kwargs: object) -> object:
        raise InputError("the disk is full")

    monkeypatch.setattr(a.service, "_store_sale", broken)
    with pytest.raises(InputError, match="the disk is full"):
        a.redeem_all()
    assert holds(hq_url) == []


def test_register_roles_place_and_release_their_own_stores_holds_only(
    tills: tuple[Till, Till], hq_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_HQ_GRANT_PASSWORD", "s3cret")
    for store in ("001", "002"):
        assert main(["hq", "grant", store, "01", "--url", hq_url]) == EXIT_OK
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    for till in (a, b):
        till.check.hq_url = role_url(hq_url, till.store)
        till.check.close()
    a.redeem_all()  # confirmed with store 001's own role: held
    assert holds(hq_url) == [("001", "01", 3000)]
    with pytest.raises(InputError, match="Head office shows 0 points"):
        b.redeem_all()
    engine = central.make_hq_engine(role_url(hq_url, "002"))
    try:
        assert "row-level security" in refused(
            engine,
            "INSERT INTO hq_points_hold VALUES ('h1', 'm', '001', '01', 5, now(), now())",
        )
        with engine.begin() as connection:  # store 001's hold is not store 002's to release
            connection.execute(text("DELETE FROM hq_points_hold"))
        assert holds(hq_url) == [("001", "01", 3000)]
    finally:
        engine.dispose()
    a.sync(role_url(hq_url, "001"))  # the push with A's role releases A's hold
    assert holds(hq_url) == [] and ledger(hq_url) == 0
