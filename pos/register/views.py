"""The read models the register hands to the screens (defined in pos.domain.views)."""

from pos.domain.views import (
    CartLineView,
    CartView,
    CompletedSale,
    GuidanceView,
    MemberView,
    PaymentView,
    ProductView,
    ScanOutcome,
    days_to_expiry,
)

__all__ = [
    "CartLineView",
    "CartView",
    "CompletedSale",
    "GuidanceView",
    "MemberView",
    "PaymentView",
    "ProductView",
    "ScanOutcome",
    "days_to_expiry",
]
