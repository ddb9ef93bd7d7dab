"""Suspected adverse drug reactions (不良反应), and their export for the national report form.

A record is clinical data: it is never part of member exports or marketing data,
and its description goes into no log (the audit event names product and severity).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.catalogue import catalogue
from pos.domain.members import members
from pos.domain.sales.codes import InputError
from pos.domain.staff import audit
from pos.i18n import N_, _
from pos.models import AdverseReaction, Member, Product

SEVERITIES = {
    "mild": N_("mild"),
    "moderate": N_("moderate"),
    "severe": N_("severe"),
    "serious": N_("serious (hospital, disability, life-threatening)"),
}
OUTCOMES = {
    "recovered": N_("recovered"),
    "improving": N_("improving"),
    "not_recovered": N_("not recovered"),
    "sequelae": N_("recovered with sequelae"),
    "death": N_("death"),
    "unknown": N_("unknown"),
}
REPORT_TYPES = {"general": N_("general"), "new": N_("new"), "serious": N_("serious")}
OCCUPATIONS = {"pharmacist": N_("pharmacist"), "doctor": N_("doctor"), "other": N_("other")}

ADR_CSV_COLUMNS = (
    "id", "report_type", "report_date", "patient_sex", "patient_age", "patient_weight_kg",
    "member", "generic_name", "spec", "approval_number", "manufacturer", "lot", "dose", "route",
    "started_on", "stopped_on", "reaction", "onset_on", "description", "severity", "outcome",
    "reporter", "reporter_occupation",
)  # fmt: skip
"""Columns of ``pos export adr`` (README), the fields of 《药品不良反应/事件报告表》."""


@dataclass(frozen=True)
class AdverseForm:
    """A suspected reaction as entered. ``product`` is a SKU or a barcode."""

    product: str
    reaction: str
    onset_on: date
    severity: str
    outcome: str
    description: str = ""
    lot: str = ""
    member_card: str = ""
    dose: str = ""
    route: str = ""
    started_on: date | None = None
    stopped_on: date | None = None
    patient_sex: str = ""
    patient_age: int | None = None
    patient_weight_kg: int | None = None
    report_type: str = ""
    """``general``, ``new`` or ``serious``; empty: ``serious`` for a serious reaction, else
    ``general``."""
    occupation: str = "pharmacist"


def _choice(value: str, known: dict[str, str], what: str) -> str:
    cleaned = value.strip().lower()
    if not cleaned:
        raise InputError(_("Give the {what}").format(what=what))
    if cleaned not in known:
        raise InputError(
            _("Unknown {what} {value}: choose one of {choices}").format(
                what=what, value=value, choices=", ".join(known)
            )
        )
    return cleaned


def _product_id(session: Session, code: str) -> int:
    code = code.strip()
    row = catalogue.find_by_sku(session, code)
    if row is None:
        found = catalogue.find_by_code(session, code) if code else None
        row = found[0] if found else None
    if row is None:
        raise InputError(_("No product with code {code}").format(code=code))
    return row.id


def age_on(birthday: date, day: date) -> int:
    """Whole years from ``birthday`` to ``day``."""
    return day.year - birthday.year - ((day.month, day.day) < (birthday.month, birthday.day))


def record(
    session: Session, form: AdverseForm, *, at: datetime, by: str | None, today: date
) -> AdverseReaction:
    """Store a suspected reaction (the caller commits); InputError for bad input."""
    severity = _choice(form.severity, SEVERITIES, _("severity"))
    outcome = _choice(form.outcome, OUTCOMES, _("outcome"))
    occupation = _choice(form.occupation or "pharmacist", OCCUPATIONS, _("occupation"))
    default_type = "serious" if severity == "serious" else "general"
    report_type = _choice(form.report_type or default_type, REPORT_TYPES, _("report type"))
    reaction = " ".join(form.reaction.split())
    if not reaction:
        raise InputError(_("Give the reaction (what the patient had)"))
    if len(reaction) > 200 or len(form.description) > 2000:
        raise InputError(_("The reaction or description is too long"))
    if form.onset_on > today:
        raise InputError(_("The onset date is in the future"))
    if form.started_on and form.stopped_on and form.stopped_on < form.started_on:
        raise InputError(_("The drug was stopped before it was started"))
    for value, limit in ((form.patient_age, 130), (form.patient_weight_kg, 400)):
        if value is not None and not 0 <= value <= limit:
            raise InputError(_("Age or weight out of range"))
    sex = form.patient_sex.strip().upper()[:1]
    if sex not in ("", "M", "F"):
        raise InputError(_("Sex is M or F"))
    product_id = _product_id(session, form.product)
    member: Member | None = None
    if form.member_card.strip():
        member = members.by_card(session, form.member_card.strip())
        if member is None:
            raise InputError(_("No member with card {card}").format(card=form.member_card))
    age = form.patient_age
    if member is not None:
        sex = sex or (member.gender or "")
        if age is None and member.birthday is not None:
            age = age_on(member.birthday, form.onset_on)
    entry = AdverseReaction(
        recorded_at=at,
        reporter=by,
        reporter_occupation=occupation,
        member_id=member.id if member else None,
        patient_sex=sex,
        patient_age=age,
        patient_weight_kg=form.patient_weight_kg,
        product_id=product_id,
        lot_number=form.lot.strip(),
        dose=form.dose.strip(),
        route=form.route.strip(),
        started_on=form.started_on,
        stopped_on=form.stopped_on,
        reaction=reaction,
        onset_on=form.onset_on,
        description=form.description.strip(),
        severity=severity,
        outcome=outcome,
        report_type=report_type,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        "adr.record",
        at=at,
        actor=by,
        subject=f"adr:{entry.id}",
        detail={"product_id": product_id, "severity": severity, "report_type": report_type},
    )
    return entry


def rows(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "Asia/Shanghai",
) -> Iterator[dict[str, str]]:
    """The records (oldest first) as report-form rows, keyed by :data:`ADR_CSV_COLUMNS`;
    the report date is the store's local date of the record."""
    zone = ZoneInfo(timezone)
    statement = (
        select(AdverseReaction, Product, Member.card_no)
        .join(Product, Product.id == AdverseReaction.product_id)
        .outerjoin(Member, Member.id == AdverseReaction.member_id)
        .order_by(AdverseReaction.recorded_at, AdverseReaction.id)
    )
    if since is not None:
        statement = statement.where(AdverseReaction.recorded_at >= since)
    if until is not None:
        statement = statement.where(AdverseReaction.recorded_at < until)
    for entry, product, card in session.execute(statement):
        yield {
            "id": str(entry.id),
            "report_type": entry.report_type,
            "report_date": entry.recorded_at.astimezone(zone).date().isoformat(),
            "patient_sex": entry.patient_sex,
            "patient_age": "" if entry.patient_age is None else str(entry.patient_age),
            "patient_weight_kg": ""
            if entry.patient_weight_kg is None
            else str(entry.patient_weight_kg),
            "member": card or "",
            "generic_name": product.name,
            "spec": product.spec,
            "approval_number": "",
            "manufacturer": product.manufacturer,
            "lot": entry.lot_number,
            "dose": entry.dose,
            "route": entry.route,
            "started_on": entry.started_on.isoformat() if entry.started_on else "",
            "stopped_on": entry.stopped_on.isoformat() if entry.stopped_on else "",
            "reaction": entry.reaction,
            "onset_on": entry.onset_on.isoformat(),
            "description": entry.description,
            "severity": entry.severity,
            "outcome": entry.outcome,
            "reporter": entry.reporter or "",
            "reporter_occupation": entry.reporter_occupation,
        }


def export_csv(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "Asia/Shanghai",
) -> Iterator[str]:
    """``pos export adr``: a header, then one row per record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ADR_CSV_COLUMNS)
    for row in rows(session, since, until, timezone):
        writer.writerow([row[column] for column in ADR_CSV_COLUMNS])
    yield buffer.getvalue()
