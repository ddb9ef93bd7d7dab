"""Domain enumerations shared by models, services and screens."""

from __future__ import annotations

import enum


class DrugClass(enum.StrEnum):
    """The legal class of a product (PHARMACY.md, Drug classes)."""

    RX = "rx"
    OTC_A = "otc_a"
    OTC_B = "otc_b"
    NONE = "none"


class BarcodeKind(enum.StrEnum):
    """How a barcode is checked."""

    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    INTERNAL = "internal"


class Tender(enum.StrEnum):
    """A way of paying."""

    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    INSURANCE = "insurance"
    POINTS = "points"
    """Member points redeemed as money."""
