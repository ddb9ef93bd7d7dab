"""What the front end may use from below the register: errors, read models' vocabulary, enums,
money formatting and the input parsers the forms share.

The front end (pos.app) imports only ``pos.register`` (this module, ``views``, ``service``, the
collaborators' modules and ``startup``), ``pos.i18n``, ``pos.names``, ``pos.config`` and
``pos.crash_report`` (and the standalone ``printer`` library); an import-linter contract in
pyproject.toml and tests/test_app_facade.py keep it so. A type or a pure
helper the screens need is re-exported here; work on the store goes through RegisterService.
"""

from pos.domain.members.follow_up_tasks import FollowUpView, outcome_name, reason_name
from pos.domain.members.loyalty import owes, tier_name
from pos.domain.members.members import DuplicatePhone, MemberForm
from pos.domain.members.segments import segment_name
from pos.domain.pharmacy.safety import PrescriptionForm
from pos.domain.printing.print_queue import PrinterStatus
from pos.domain.promotions.promotions import PromoRule
from pos.domain.returns.returns import RefundPlan, ReturnableSale, ReturnRequest, is_sale_number
from pos.domain.sales.codes import (
    TRACE_CODE,
    InputError,
    ascii_digits,
    parse_quantity,
    whole_number,
)
from pos.domain.sales.tendering import Tendering, tender_name
from pos.domain.shifts.shifts import DENOMINATIONS_FEN
from pos.domain.suggestions.suggestions import Suggestion
from pos.enums import DrugClass, Tender
from pos.money import MoneyError, format_fen, parse_yuan
from pos.report_tables import report_renderable, service_renderable
from pos.sync.runner import SyncStatus

__all__ = [
    "DENOMINATIONS_FEN",
    "TRACE_CODE",
    "DrugClass",
    "DuplicatePhone",
    "FollowUpView",
    "InputError",
    "MemberForm",
    "MoneyError",
    "PrescriptionForm",
    "PrinterStatus",
    "PromoRule",
    "RefundPlan",
    "ReturnRequest",
    "ReturnableSale",
    "Suggestion",
    "SyncStatus",
    "Tender",
    "Tendering",
    "ascii_digits",
    "format_fen",
    "is_sale_number",
    "outcome_name",
    "owes",
    "parse_quantity",
    "parse_yuan",
    "reason_name",
    "report_renderable",
    "segment_name",
    "service_renderable",
    "tender_name",
    "tier_name",
    "whole_number",
]
