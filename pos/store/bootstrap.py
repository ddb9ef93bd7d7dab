"""Opening a store database: create, upgrade, and seed the demo store."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pos.config import Settings
from pos.domain.members.follow_up_tasks import FollowUpRules
from pos.domain.members.loyalty import LoyaltyRules, TierRule
from pos.domain.members.segments import SegmentRules
from pos.domain.printing.printing import PrintProfile, StoreHeader
from pos.domain.staff.users import bind_key
from pos.enums import DrugClass
from pos.i18n import _
from pos.register.safety import PharmacyRules
from pos.store.db import make_engine, make_session_factory, open_database, upgrade
from pos.store.store_key import ensure_key, read_key


def open_store(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Open the configured database, applying migrations; its sessions hash PINs and sign
    audit events with the store's key when there is one.

    The key file (``register.key_file``) is made by ``pos init`` and the register's
    start (:func:`ensure_store`); other commands do not make one.
    """
    from pos.domain.staff import audit

    engine, sessions = open_database(settings.database_path)
    key = read_key(settings.key_path)
    if key is not None:
        bind_key(sessions, key)
        audit.keyed(sessions, key)
    return engine, sessions


def init_store(settings: Settings, demo: bool) -> str:
    """Create or upgrade the database; with ``demo``, load the demo store into an empty one."""
    path = settings.database_path
    existed = path.exists()
    key = ensure_key(settings.key_path)
    engine = make_engine(path)
    migrated = upgrade(engine)
    sessions = make_session_factory(engine)
    bind_key(sessions, key)
    if not existed:
        message = _("Database created: {path}").format(path=path)
    elif migrated:
        message = _("Database upgraded: {path}").format(path=path)
    else:
        message = _("Database is up to date: {path}").format(path=path)
    if demo:
        # imported here: the importers are not needed to open an existing store
        from pos.store.demo import catalogue_is_empty, load_demo

        with sessions.begin() as session:
            if not catalogue_is_empty(session):
                return message + "\n" + _("The catalogue is not empty: demo store not loaded")
            store = settings.store
            now = datetime.now(UTC)
            today = now.astimezone(ZoneInfo(store.timezone)).date()
            loaded = load_demo(session, today, now, store.timezone, store.code)
        message += "\n" + _(
            "Demo store loaded: {products} products, {lots} lots, {members} members, "
            "{guidance} guidance texts, {users} users, {pairings} pairings, "
            "{promotions} promotions"
        ).format(
            products=loaded.products.created,
            lots=loaded.stock.created,
            members=loaded.members.created,
            guidance=loaded.guidance.created,
            users=loaded.users,
            pairings=loaded.pairings.created,
            promotions=loaded.promotions.created,
        )
    return message


def ensure_store(settings: Settings) -> tuple[Engine, sessionmaker[Session], str | None]:
    """Open the database for the register; a machine with none gets the demo store."""
    message = None
    if not settings.database_path.exists():
        message = init_store(settings, demo=True)
    ensure_key(settings.key_path)  # a store from before the key gets one at its first start
    engine, sessions = open_store(settings)
    return engine, sessions, message


def print_profile(settings: Settings) -> PrintProfile:
    """How this register prints, from its settings."""
    store, printer = settings.store, settings.printer
    return PrintProfile(
        store=StoreHeader(store.name, store.address, store.phone, store.tax_id),
        uri=printer.uri,
        paper_width=printer.paper_width,
        encoding=printer.encoding,
        chinese_commands=printer.chinese_commands,
        cash_drawer=printer.cash_drawer,
        timeout=printer.timeout,
        language=printer.language,
        footer=printer.footer,
        timezone=store.timezone,
    )


def loyalty_rules(settings: Settings) -> LoyaltyRules:
    """The member programme, from the settings (spend thresholds in fen)."""
    loyalty = settings.loyalty
    return LoyaltyRules(
        points_per_yuan=loyalty.points_per_yuan,
        exclude_drug_classes=frozenset(DrugClass(value) for value in loyalty.exclude_drug_classes),
        exclude_categories=frozenset(loyalty.exclude_categories),
        birthday_points_percent=loyalty.birthday_points_percent,
        birthday_gift_points=loyalty.birthday_gift_points,
        birthday_gift_sku=loyalty.birthday_gift_sku,
        referral_points=loyalty.referral_points,
        redeem_points_per_yuan=loyalty.redeem_points_per_yuan,
        redeem_max_percent=loyalty.redeem_max_percent,
        tiers=tuple(
            TierRule(tier.name, tier.min_spend * 100, tier.points_percent) for tier in loyalty.tiers
        ),
        invite=loyalty.invite,
    )


def segment_rules(settings: Settings) -> SegmentRules:
    """How customer files are classified, from the settings."""
    service = settings.service
    return SegmentRules(
        new_days=service.segment_new_days,
        regular_visits=service.segment_regular_visits,
        at_risk_days=service.segment_at_risk_days,
        lapsed_days=service.segment_lapsed_days,
    )


def follow_up_rules(settings: Settings) -> FollowUpRules:
    """When follow-up calls fall due, from the settings."""
    service = settings.service
    return FollowUpRules(
        after_sale_days=service.follow_up_after_sale_days,
        after_complaint_days=service.follow_up_after_complaint_days,
    )


def pharmacy_rules(settings: Settings) -> PharmacyRules:
    """The pharmacy rules, from the settings."""
    pharmacy = settings.pharmacy
    return PharmacyRules(
        prescription_valid_days=pharmacy.prescription_valid_days,
        restricted_limits=dict(pharmacy.restricted_limits),
        velocity_days=pharmacy.velocity_days,
        velocity_packs=pharmacy.velocity_packs,
    )
