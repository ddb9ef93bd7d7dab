"""What the front end may use from below the register: errors, read models' vocabulary, enums,
money formatting and the input parsers the forms share.

The front end (pos.app) imports only ``pos.register`` (this module, ``views``, ``service``, the
collaborators' modules and ``startup``), ``pos.i18n``, ``pos.names``, ``pos.config`` and
``pos.crash_report`` (and the standalone ``printer`` library); an import-linter contract in
pyproject.toml and tests/test_app_facade.py keep it so. A type or a pure
helper the screens need is re-exported here; work on the store goes through RegisterService.
Each name is imported from its home when first used (see :data:`_HOMES`).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_HOMES = {
    "FollowUpView": "pos.domain.members.follow_up_tasks",
    "outcome_name": "pos.domain.members.follow_up_tasks",
    "reason_name": "pos.domain.members.follow_up_tasks",
    "owes": "pos.domain.members.loyalty",
    "tier_name": "pos.domain.members.loyalty",
    "DuplicatePhone": "pos.domain.members.members",
    "MemberForm": "pos.domain.members.members",
    "segment_name": "pos.domain.members.segments",
    "PrescriptionForm": "pos.domain.pharmacy.safety",
    "PrinterStatus": "pos.domain.printing.print_queue",
    "PromoRule": "pos.domain.promotions.promotions",
    "RefundPlan": "pos.domain.returns.returns",
    "ReturnRequest": "pos.domain.returns.returns",
    "ReturnableSale": "pos.domain.returns.returns",
    "is_sale_number": "pos.domain.returns.returns",
    "InputError": "pos.domain.sales.codes",
    "TRACE_CODE": "pos.domain.sales.codes",
    "ascii_digits": "pos.domain.sales.codes",
    "parse_quantity": "pos.domain.sales.codes",
    "whole_number": "pos.domain.sales.codes",
    "Tendering": "pos.domain.sales.tendering",
    "tender_name": "pos.domain.sales.tendering",
    "DENOMINATIONS_FEN": "pos.domain.shifts.shifts",
    "Suggestion": "pos.domain.suggestions.suggestions",
    "DrugClass": "pos.enums",
    "Tender": "pos.enums",
    "MoneyError": "pos.money",
    "format_fen": "pos.money",
    "parse_yuan": "pos.money",
    "report_renderable": "pos.report_tables",
    "service_renderable": "pos.report_tables",
    "SyncStatus": "pos.sync.runner",
}
"""Where each name lives: imported on first use, so that a screen painted before the register
is built (pos.app.boot) takes the light ones (money formatting, enums, the input parsers)
without the models and the store behind the others."""


def __getattr__(name: str) -> object:
    """``name`` from its home module (PEP 562), imported now if it was not yet."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)


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
