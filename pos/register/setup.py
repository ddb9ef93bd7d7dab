"""The register's settings as domain objects, built in this one place.

``pos.toml`` and ``POS_…`` variables are read into pydantic sections
(:mod:`pos.config`); :meth:`RegisterRules.from_settings` turns them into what the
register and the domain use: the register's identity, how it prints, the member
programme, the pharmacy rules and the service after the sale. The app, the CLI and
the benchmark all build their register with :func:`register_from_settings`, or take
the one rule set they
need from :class:`RegisterRules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from pos.config import Settings
from pos.domain.members.follow_up_tasks import FollowUpRules
from pos.domain.members.loyalty import LoyaltyRules, TierRule
from pos.domain.members.segments import SegmentRules
from pos.domain.printing.print_queue import Sender
from pos.domain.printing.printing import PrintProfile, StoreHeader
from pos.enums import DrugClass
from pos.register.customers.care import CareRules
from pos.register.sale.safety import PharmacyRules
from pos.register.service import RegisterService
from pos.register.state import Clock, RegisterIdentity, system_clock

if TYPE_CHECKING:
    from pos.sync.health import HealthSource
    from pos.sync.redemption import RedemptionCheck


@dataclass(frozen=True)
class RegisterRules:
    """Everything the settings decide about a register, as domain objects."""

    identity: RegisterIdentity
    printing: PrintProfile
    loyalty: LoyaltyRules
    pharmacy: PharmacyRules
    care: CareRules

    @classmethod
    def from_settings(cls, settings: Settings, register_id: str | None = None) -> RegisterRules:
        """The rules of register ``register_id`` (else the configured ``register.id``)."""
        return cls(
            identity=_identity(settings, register_id or settings.register.id),
            printing=_printing(settings),
            loyalty=_loyalty(settings),
            pharmacy=_pharmacy(settings),
            care=_care(settings),
        )


def register_from_settings(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock = system_clock,
    send: Sender | None = None,
    register_id: str | None = None,
    redemption: RedemptionCheck | None = None,
    health: HealthSource | None = None,
) -> RegisterService:
    """The register as the settings describe it (``register_id`` overrides ``register.id``);
    in a chain, ``redemption`` and ``health`` ask head office at the counter."""
    rules = RegisterRules.from_settings(settings, register_id)
    return RegisterService(
        sessions,
        rules.identity,
        clock,
        rules.printing,
        send,
        rules.loyalty,
        rules.pharmacy,
        rules.care,
        redemption,
        health,
    )


def _identity(settings: Settings, register_id: str) -> RegisterIdentity:
    store, register = settings.store, settings.register
    return RegisterIdentity(
        store_code=store.code,
        register_id=register_id,
        timezone=store.timezone,
        near_expiry_days=store.near_expiry_days,
        cashier_discount_percent=register.cashier_discount_percent,
        require_shift=register.require_shift,
        approve_line_removal=register.approve_line_removal,
        staff_pin_digits=register.staff_pin_digits,
        cash_rounding=store.cash_rounding,
    )


def _printing(settings: Settings) -> PrintProfile:
    """How this register prints."""
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


def _loyalty(settings: Settings) -> LoyaltyRules:
    """The member programme (spend thresholds in fen)."""
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


def _pharmacy(settings: Settings) -> PharmacyRules:
    pharmacy = settings.pharmacy
    return PharmacyRules(
        prescription_valid_days=pharmacy.prescription_valid_days,
        restricted_limits=dict(pharmacy.restricted_limits),
        velocity_days=pharmacy.velocity_days,
        velocity_packs=pharmacy.velocity_packs,
    )


def _care(settings: Settings) -> CareRules:
    """Follow-up calls and the classes of customer files (``[service]``)."""
    service = settings.service
    return CareRules(
        follow_ups=FollowUpRules(
            after_sale_days=service.follow_up_after_sale_days,
            after_complaint_days=service.follow_up_after_complaint_days,
        ),
        segments=SegmentRules(
            new_days=service.segment_new_days,
            regular_visits=service.segment_regular_visits,
            at_risk_days=service.segment_at_risk_days,
            lapsed_days=service.segment_lapsed_days,
        ),
    )
