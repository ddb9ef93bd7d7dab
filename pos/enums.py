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


class CashRounding(enum.StrEnum):
    """How the cash part of a sale or refund is rounded (setting ``store.cash_rounding``)."""

    NONE = "none"
    """Cash to the fen."""
    JIAO = "jiao"
    """Cash to the nearest 0.1 yuan (10 fen), half up: 抹零 of the fen."""
