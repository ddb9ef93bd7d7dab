"""What the cashier typed or scanned: quantities, barcodes and their check digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos.enums import BarcodeKind
from pos.i18n import _

MAX_QTY = 9999
INTERNAL_PREFIX = "int:"
_MULTIPLY = re.compile(r"^\s*(?P<qty>[^*×]*?)\s*[*×]\s*(?P<code>.*?)\s*$")
TRACE_CODE = re.compile(r"^8\d{19}$")


class InputError(ValueError):
    """Input the register cannot use; ``str(error)`` is the message for the cashier."""


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


MAX_DIGITS = 24
"""More digits than any code or number the register takes (a traceability code has 20)."""


def ascii_digits(text: str) -> str | None:
    """``text`` (trimmed, full-width digits made ASCII) when it is only the digits 0–9.

    Anything else that Python calls a digit (``²``, ``①``, Arabic-Indic …), or more than
    :data:`MAX_DIGITS` digits, gives None: every field that takes a number reads it here.
    """
    cleaned = text.strip().translate(_FULL_WIDTH_DIGITS)
    if 0 < len(cleaned) <= MAX_DIGITS and cleaned.isascii() and cleaned.isdigit():
        return cleaned
    return None


def whole_number(text: str, most: int) -> int | None:
    """The whole number from 0 to ``most`` typed in ``text`` (read by :func:`ascii_digits`),
    or None; thousands of digits are refused, never handed to ``int()`` (it stops at 4300)."""
    cleaned = ascii_digits(text)
    if cleaned is None:
        return None
    digits = cleaned.lstrip("0") or "0"
    if len(digits) > len(str(most)):
        return None
    value = int(digits)
    return value if value <= most else None


def shortened(text: str, most: int = 12) -> str:
    """``text`` as a message quotes it: a paste of thousands of characters is cut, with …"""
    return text if len(text) <= most else text[:most] + "…"


@dataclass(frozen=True)
class ScanRequest:
    """A scan: ``qty`` of the product with ``code``."""

    qty: int
    code: str


def parse_quantity(text: str) -> int:
    """A quantity from 1 to 9999, or :class:`InputError` saying what is wrong."""
    cleaned = ascii_digits(text)
    if cleaned is None:
        raise InputError(
            _("Quantity must be a whole number from 1 to 9999: {text}").format(
                text=shortened(text.strip()) or "''"
            )
        )
    digits = cleaned.lstrip("0") or "0"
    if len(digits) > len(str(MAX_QTY)):
        raise InputError(
            _("Quantity must be from 1 to 9999, not {qty}").format(qty=shortened(digits))
        )
    qty = int(digits)
    if qty < 1 or qty > MAX_QTY:
        raise InputError(_("Quantity must be from 1 to 9999, not {qty}").format(qty=qty))
    return qty


def parse_scan(text: str) -> ScanRequest:
    """Split ``N*CODE`` (or a bare code) into a quantity and a code."""
    match = _MULTIPLY.match(text)
    if match is None:
        return ScanRequest(1, text.strip())
    code = match["code"].strip()
    if not code:
        raise InputError(_("Nothing to add after '*': type N*barcode"))
    return ScanRequest(parse_quantity(match["qty"]), code)


def classify_barcode(code: str) -> BarcodeKind:
    """The kind of a numeric barcode, checking its length and check digit."""
    if not code.isdigit() or not code.isascii():
        raise InputError(_("Not a barcode: {code}").format(code=code))
    kinds = {13: BarcodeKind.EAN13, 8: BarcodeKind.EAN8, 12: BarcodeKind.UPCA}
    kind = kinds.get(len(code))
    if kind is None:
        raise InputError(
            _("A barcode has 8, 12 or 13 digits; {code} has {n}").format(code=code, n=len(code))
        )
    if not check_digit_ok(code):
        raise InputError(_("Wrong check digit in barcode {code}: scan it again").format(code=code))
    return kind


def check_digit_ok(code: str) -> bool:
    """The last of an EAN-13, EAN-8 or UPC-A code's ASCII digits is its check digit: the
    digits weighted 3 and 1 in turn from the right (the check digit 1) make a multiple of 10.

    What ``stdnum.ean.is_valid`` checks of such a code, at a fifth of its cost (an import
    of a chain's catalogue checks 55,000 codes).
    """
    digits = [ord(digit) - 48 for digit in code]
    return (3 * sum(digits[-2::-2]) + sum(digits[-1::-2])) % 10 == 0


def parse_barcode_field(value: str) -> tuple[str, BarcodeKind]:
    """A barcode as written in a catalogue file: digits, or ``int:CODE`` for an internal code."""
    value = value.strip()
    if value.startswith(INTERNAL_PREFIX):
        code = value.removeprefix(INTERNAL_PREFIX).strip()
        if not code or len(code) > 32 or not code.isprintable() or " " in code:
            raise InputError(_("Bad internal code {code!r}").format(code=value))
        return code, BarcodeKind.INTERNAL
    kind = classify_barcode(value)
    if kind is BarcodeKind.EAN13 and value.startswith("0"):
        return value[1:], BarcodeKind.UPCA  # a UPC-A written as EAN-13: one code, not two
    return value, kind


def lookup_candidates(code: str) -> list[str]:
    """Codes to look a scanned code up by: itself, and UPC-A read as EAN-13 with a 0."""
    candidates = [code]
    if len(code) == 13 and code.startswith("0"):
        candidates.append(code[1:])
    elif len(code) == 12 and code.isdigit():
        candidates.append("0" + code)
    return candidates
