"""The receipt document: plain frozen data, already translated, money in integer fen."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReceiptLabels:
    """Already-translated label strings printed on a receipt (Chinese by default)."""

    title: str = "销售小票"
    sale_number: str = "单号"
    time: str = "时间"
    register: str = "收银台"
    cashier: str = "收银员"
    subtotal: str = "合计"
    discount: str = "优惠"
    total: str = "应收"
    tendered: str = "实收现金"
    change: str = "找零"
    copy: str = "重印 COPY"
    tax_id: str = "税号"
    phone: str = "电话"


@dataclass(frozen=True)
class ReceiptLine:
    """One sold item: name, specification, quantity, prices and notes printed under it."""

    name: str
    spec: str
    qty: int
    unit_price_fen: int
    total_fen: int
    discount_fen: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptTender:
    """One payment: its label (e.g. "现金", "微信支付") and amount."""

    label: str
    amount_fen: int


@dataclass(frozen=True)
class ReceiptBlock:
    """A titled group of free-text lines (member, points, guidance, promotions)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Receipt:
    """Everything printed on one receipt; ``number`` is also encoded in the QR code."""

    store_name: str
    number: str
    when: str
    register: str
    lines: tuple[ReceiptLine, ...]
    subtotal_fen: int
    discount_fen: int
    total_fen: int
    tenders: tuple[ReceiptTender, ...]
    change_fen: int = 0
    cash_tendered_fen: int | None = None
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    cashier: str | None = None
    blocks: tuple[ReceiptBlock, ...] = ()
    footer: tuple[str, ...] = ()
    copy: bool = False
    open_drawer: bool = False
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)
