"""A cart as JSON: saved as it changes (a crash or power cut resumes it) and for held sales.

Everything the cart holds is kept: lines with their guidance state and
traceability codes, the member, acknowledged warnings, the reviewed
prescription, the restricted-sale buyer and the suggestions shown.
"""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import date, datetime
from typing import Any

from pos.domain.pharmacy.safety import Buyer, CleanPrescription, Reviewed
from pos.domain.sales.cart import Cart, CartLine
from pos.domain.views import GuidanceView
from pos.enums import DrugClass

VERSION = 1
_LINE_FIELDS = tuple(field.name for field in fields(CartLine))


def dump(cart: Cart, member_id: int | None, invited: bool) -> dict[str, Any]:
    """``cart`` (and who it is for) as plain JSON data."""
    lines = []
    for line in cart.lines:
        # What dataclasses.asdict makes of a line, without its deep copies (a saved cart
        # is written on every scan): the only nested values are the guidance and lists.
        data = {name: getattr(line, name) for name in _LINE_FIELDS}
        for name in ("guidance", "guidance_en"):
            guidance = getattr(line, name)
            data[name] = asdict(guidance) if guidance is not None else None
        data["trace_codes"] = list(line.trace_codes)
        data["drug_class"] = line.drug_class.value
        data["next_expiry"] = line.next_expiry.isoformat() if line.next_expiry else None
        lines.append(data)
    prescription = None
    if cart.prescription is not None:
        clean = cart.prescription.prescription
        prescription = {
            "number": clean.number,
            "prescriber": clean.prescriber,
            "issued_on": clean.issued_on.isoformat(),
            "patient_name": clean.patient_name,
            "pharmacist_id": cart.prescription.pharmacist_id,
            "reviewed_at": cart.prescription.reviewed_at.isoformat(),
        }
    return {
        "version": VERSION,
        "lines": lines,
        "last_index": cart.last_index,
        "member_priced": cart.member_priced,
        "acknowledged": dict(cart.acknowledged),
        "prescription": prescription,
        "buyer": asdict(cart.buyer) if cart.buyer else None,
        "shown": dict(cart.shown),
        "member_id": member_id,
        "invited": invited,
    }


def _split_gift(line: CartLine) -> tuple[CartLine, CartLine | None]:
    """A gift line is one free unit: units saved into it (an older register merged
    scanned units into the gift) come back as a paid line of their own."""
    if line.gift_of is None or line.qty <= 1:
        return line, None
    paid = replace(
        line,
        qty=line.qty - 1,
        gift_of=None,
        promotion_id=None,
        promo_label="",
        trace_codes=line.trace_codes[1:],
    )
    return replace(line, qty=1, trace_codes=line.trace_codes[:1]), paid


def load(data: dict[str, Any]) -> tuple[Cart, int | None, bool]:
    """The cart, member id and invitation flag saved by :func:`dump`."""
    known = {field.name for field in fields(CartLine)}
    lines: list[CartLine] = []
    paid: list[CartLine] = []  # after the saved lines, so that their indices stay
    for item in data.get("lines", []):
        values = {key: value for key, value in item.items() if key in known}
        values["drug_class"] = DrugClass(values["drug_class"])
        expiry = values.get("next_expiry")
        values["next_expiry"] = date.fromisoformat(expiry) if expiry else None
        for name in ("guidance", "guidance_en"):  # a cart saved before has no English
            guidance = values.get(name)
            if guidance is not None:
                guidance["contraindications"] = tuple(guidance["contraindications"])
                values[name] = GuidanceView(**guidance)
        values["ingredients"] = tuple(values.get("ingredients", ()))
        values["trace_codes"] = list(values.get("trace_codes", []))
        line, bought = _split_gift(CartLine(**values))
        lines.append(line)
        paid.extend([bought] if bought is not None else [])
    lines += paid
    cart = Cart(
        lines=lines,
        last_index=data.get("last_index"),
        member_priced=bool(data.get("member_priced")),
        acknowledged=dict(data.get("acknowledged", {})),
        shown=dict(data.get("shown", {})),
    )
    prescription = data.get("prescription")
    if prescription:
        cart.prescription = Reviewed(
            CleanPrescription(
                prescription["number"],
                prescription["prescriber"],
                date.fromisoformat(prescription["issued_on"]),
                prescription["patient_name"],
            ),
            prescription["pharmacist_id"],
            datetime.fromisoformat(prescription["reviewed_at"]),
        )
    buyer = data.get("buyer")
    if buyer:
        cart.buyer = Buyer(buyer["name"], buyer["id_number"])
    return cart, data.get("member_id"), bool(data.get("invited"))
