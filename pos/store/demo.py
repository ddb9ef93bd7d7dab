"""The built-in demo store, shipped in ``data/`` (installed as ``pos.demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.members.loyalty import DEFAULT_TIER_RULES
from pos.domain.pharmacy.guidance import import_guidance
from pos.domain.staff.users import add_user
from pos.domain.suggestions.pairings import import_pairings
from pos.models import Product
from pos.transfer.imports import ImportReport, import_products, import_stock
from pos.transfer.member_import import import_members
from pos.transfer.promotion_import import import_promotions

DEMO_USERS = (
    ("shouyin01", "张收银", "cashier", "1111"),
    ("yaoshi01", "王药师", "pharmacist", "1234"),
    ("dianzhang", "李店长", "manager", "9999"),
)
"""(id, name, role, PIN) of the demo store's users: a cashier, a pharmacist, a manager."""


@dataclass(frozen=True)
class DemoReport:
    """What loading the demo store created."""

    products: ImportReport
    stock: ImportReport
    members: ImportReport
    guidance: ImportReport
    users: int
    pairings: ImportReport
    """The curated add-on pairings (``data/pairings.csv``)."""
    promotions: ImportReport
    """The promotions (``data/promotions.toml``), dates moved to start a week before today."""


def demo_file(name: str) -> bytes:
    """The bytes of a demo data file."""
    return resources.files("pos.demo").joinpath(name).read_bytes()


def catalogue_is_empty(session: Session) -> bool:
    """True when the database holds no product."""
    return not session.scalar(select(func.count()).select_from(Product))


def load_demo(
    session: Session,
    today: date,
    now: datetime | None = None,
    timezone: str = "Asia/Shanghai",
    store_code: str = "001",
) -> DemoReport:
    """Import the demo catalogue, its stock (expiries counted from ``today``), members,
    medication guidance, add-on pairings, promotions (the earliest starting a week
    before ``today``), and the demo pharmacist and manager (:data:`DEMO_USERS`).

    The members' opening points are booked at ``now`` (default: the start of ``today``).
    Their tiers are the default ones; a tier the store does not configure counts as its first.
    """
    products = import_products(session, demo_file("products.csv"))
    if products.errors:
        raise ValueError(f"demo catalogue has bad rows: {products.errors[:3]}")
    stock = import_stock(session, demo_file("demo_stock.csv"), relative_to=today)
    if stock.errors:
        raise ValueError(f"demo stock has bad rows: {stock.errors[:3]}")
    if now is None:
        now = datetime.combine(today, time(), ZoneInfo(timezone))
    tiers = [tier.name for tier in DEFAULT_TIER_RULES]
    members = import_members(session, demo_file("members.csv"), tiers, now, timezone, store_code)
    if members.errors:
        raise ValueError(f"demo members have bad rows: {members.errors[:3]}")
    guidance = import_guidance(session, demo_file("guidance.toml"))
    if guidance.errors:
        raise ValueError(f"demo guidance has bad entries: {guidance.errors[:3]}")
    pairings = import_pairings(session, demo_file("pairings.csv"))
    if pairings.errors:
        raise ValueError(f"demo pairings have bad rows: {pairings.errors[:3]}")
    promotions = import_promotions(
        session, demo_file("promotions.toml"), now=now, shift_to=today - timedelta(days=7)
    )
    if promotions.errors:
        raise ValueError(f"demo promotions have bad entries: {promotions.errors[:3]}")
    for user_id, name, role, pin in DEMO_USERS:
        add_user(session, user_id, name, role, pin, now)
    return DemoReport(
        products, stock, members, guidance, len(DEMO_USERS), pairings, promotions=promotions
    )
