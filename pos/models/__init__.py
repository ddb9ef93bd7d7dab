"""SQLAlchemy ORM classes, one module per aggregate."""

from pos.enums import BarcodeKind, DrugClass, Tender
from pos.models.aftercare import AdverseReaction, Complaint, SaleRating
from pos.models.audit import AuditAnchor, AuditEvent
from pos.models.base import Base, UTCDateTime, utcnow
from pos.models.care import FollowUpTask, MemberGift
from pos.models.catalogue import (
    Barcode,
    Lot,
    Product,
    ProductIngredient,
    StockMovement,
)
from pos.models.member import Member, PointsEntry
from pos.models.parked import ParkedCart
from pos.models.printing import JobKind, JobStatus, PrintJob
from pos.models.returns import QuarantineItem, Refund, ReturnLine, SaleReturn
from pos.models.safety import Guidance, Prescription, RestrictedSale, SaleWarning, TraceCode
from pos.models.sale import Payment, Sale, SaleLine, SaleLineLot
from pos.models.shift import CashMovement, Shift, ShiftReport
from pos.models.suggestion import AssociationRule, Pairing, Promotion, SuggestionEvent
from pos.models.sync import (
    HqEvent,
    HqMemberAlias,
    HqMemberConflict,
    HqMemberField,
    HqPointsDebt,
    HqPointsEntry,
    HqRegisterRole,
    HqSale,
    HqStockMovement,
    OutboxItem,
    SyncState,
)
from pos.models.user import PinThrottle, User

__all__ = [
    "AdverseReaction",
    "AssociationRule",
    "AuditAnchor",
    "AuditEvent",
    "Barcode",
    "BarcodeKind",
    "Base",
    "CashMovement",
    "Complaint",
    "DrugClass",
    "FollowUpTask",
    "Guidance",
    "HqEvent",
    "HqMemberAlias",
    "HqMemberConflict",
    "HqMemberField",
    "HqPointsDebt",
    "HqPointsEntry",
    "HqRegisterRole",
    "HqSale",
    "HqStockMovement",
    "JobKind",
    "JobStatus",
    "Lot",
    "Member",
    "MemberGift",
    "OutboxItem",
    "Pairing",
    "ParkedCart",
    "Payment",
    "PinThrottle",
    "PointsEntry",
    "Prescription",
    "PrintJob",
    "Product",
    "ProductIngredient",
    "Promotion",
    "QuarantineItem",
    "Refund",
    "RestrictedSale",
    "ReturnLine",
    "Sale",
    "SaleLine",
    "SaleLineLot",
    "SaleRating",
    "SaleReturn",
    "SaleWarning",
    "Shift",
    "ShiftReport",
    "StockMovement",
    "SuggestionEvent",
    "SyncState",
    "Tender",
    "TraceCode",
    "UTCDateTime",
    "User",
    "utcnow",
]
