"""The catalogue: products, their barcodes and ingredients, and stock lots."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.enums import BarcodeKind, DrugClass
from pos.models.base import Base, Code, Fen, IntPK, Timestamp, enum_column, utcnow

if TYPE_CHECKING:
    from pos.models.sale import Sale


class Product(Base):
    """A sellable item of the catalogue."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
        CheckConstraint(
            "member_price_fen IS NULL OR member_price_fen >= 0", name="member_price_not_negative"
        ),
    )

    id: Mapped[IntPK]
    sku: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_en: Mapped[str] = mapped_column(String(200), default="")
    spec: Mapped[str] = mapped_column(String(100), default="")
    manufacturer: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(64), index=True, default="")
    price_fen: Mapped[Fen]
    member_price_fen: Mapped[Fen | None]
    drug_class: Mapped[DrugClass] = mapped_column(
        enum_column(DrugClass, 10),
        default=DrugClass.NONE,
    )
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="")
    pinyin_full: Mapped[str] = mapped_column(String(800), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    restricted: Mapped[str] = mapped_column(String(32), default="")
    """A restricted-sale rule (``ephedrine``): per-sale limit and the buyer's ID registered."""
    trace_required: Mapped[bool] = mapped_column(Boolean, default=False)
    """Each box needs its 20-digit drug traceability code (required for insurance)."""
    insurance: Mapped[bool | None] = mapped_column(Boolean)
    """Medical insurance may pay for it; None: by drug class (see :attr:`insurable`)."""
    route: Mapped[str] = mapped_column(String(16), default="oral")
    """How it is taken: ``oral``, ``topical``, ``eye``, ``ear``, ``nose`` … (same-ingredient
    warnings only between products of one route)."""
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    """Also the search index's sign that the catalogue changed (the newest is read often)."""

    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Barcode.position"
    )
    ingredients: Mapped[list[ProductIngredient]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductIngredient.position",
    )
    lots: Mapped[list[Lot]] = relationship(back_populates="product", order_by="Lot.expiry")

    @property
    def insurable(self) -> bool:
        """Medical insurance may pay for it: its flag, else drugs (Rx, OTC-A, OTC-B) only."""
        return insurable(self.drug_class, self.insurance)


INSURED_CLASSES = frozenset({DrugClass.RX, DrugClass.OTC_A, DrugClass.OTC_B})
"""Drug classes medical insurance pays for unless a product says otherwise."""


def insurable(drug_class: DrugClass, flag: bool | None) -> bool:
    """The insurance eligibility of a product of ``drug_class`` flagged ``flag`` (None: unset)."""
    return drug_class in INSURED_CLASSES if flag is None else flag


class Barcode(Base):
    """One code printed on a product's pack (a product may have several)."""

    __tablename__ = "barcode"

    code: Mapped[Code] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[BarcodeKind] = mapped_column(enum_column(BarcodeKind, 10))
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class ProductIngredient(Base):
    """An active ingredient of a product (lower-case English INN)."""

    __tablename__ = "product_ingredient"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    ingredient: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="ingredients")


class Lot(Base):
    """A batch of a product with its expiry date and the quantity on hand."""

    __tablename__ = "lot"
    __table_args__ = (
        UniqueConstraint("product_id", "lot_number"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("ix_lot_product_expiry", "product_id", "expiry"),
    )

    id: Mapped[IntPK]
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    lot_number: Mapped[Code]
    expiry: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="lots")


class StockMovement(Base):
    """An append-only record of a change to a lot's quantity."""

    __tablename__ = "stock_movement"

    id: Mapped[IntPK]
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("sale_return.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    sale: Mapped[Sale | None] = relationship()
    """The sale that took the units (its ``sale_id``)."""
