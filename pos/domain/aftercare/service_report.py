"""The service report (``pos report service``): the figures a chain manages stores by.

The report is a list of sections, each a list of figures, built by the functions
in :data:`SECTIONS` in order: adding a figure or a section is adding a builder.

Definitions (over the business days ``first``..``last``):

- *visits*: completed sales; a *member visit* has a member attached.
- *average ticket*: total paid per visit, in fen, rounded half up.
- *repeat rate*: of the members who visited, the share who visited at least twice.
- *90-day retention*: of the members who visited in the 90 days before ``first``, the
  share who visited again in the period.
- *satisfaction*: the ratings of the period's sales: count, mean, share of 4 and 5.
- *complaints*: opened in the period, by category, with the median hours from opening to
  the first response and to closing (over those that had one).
- *adverse reactions*: recorded in the period, and how many of them serious.
- *follow-ups*: due in the period (by their due day), done in the period, and of those
  done the ones whose member was reached (a call's outcome, not one closed by another
  task's "do not call again"), by reason.
- *referrals*: members enrolled in the period with a referrer, of them those who bought
  by the period's end, and the referral points credited in the period.
- *birthday gifts*: given in the period, by kind.
- *segments*: members (not erased) per segment on ``today`` (now), from their visits.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.aftercare.complaints import CATEGORIES, category_name
from pos.domain.members.follow_up_tasks import REASONS, reason_name
from pos.domain.members.segments import SEGMENTS, SegmentRules, segment, segment_name
from pos.i18n import _
from pos.models import (
    AdverseReaction,
    Complaint,
    FollowUpTask,
    Member,
    MemberGift,
    PointsEntry,
    Sale,
    SaleRating,
)
from pos.money import format_fen

SERVICE_CSV_COLUMNS = ("section", "key", "name", "value")
"""Columns of ``pos report service --format csv`` (README)."""
RETENTION_DAYS = 90


@dataclass(frozen=True)
class Period:
    """The business days reported, with the same span as UTC moments; ``today`` (default
    ``last``) and ``segment_rules`` classify the customer files as they are now."""

    first: date
    last: date
    timezone: str
    today: date | None = None
    segment_rules: SegmentRules = field(default_factory=SegmentRules)

    @property
    def as_of(self) -> date:
        """The day the segments are computed for."""
        return self.today or self.last

    @property
    def start(self) -> datetime:
        """The start of ``first`` in the store's time zone."""
        return datetime.combine(self.first, time(), tzinfo=ZoneInfo(self.timezone))

    @property
    def end(self) -> datetime:
        """The start of the day after ``last`` (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(), ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Figure:
    """One figure: a stable key, its name, its value (None when there is nothing to
    measure) and how it reads."""

    key: str
    name: str
    value: int | float | None
    text: str


@dataclass(frozen=True)
class ServiceSection:
    """A titled list of figures."""

    key: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class ServiceReport:
    """Every section of the service report over ``first``..``last``."""

    first: date
    last: date
    sections: list[ServiceSection]

    def figure(self, section: str, key: str) -> Figure:
        """The figure ``key`` of section ``section`` (KeyError when there is none)."""
        for each in self.sections:
            if each.key == section:
                for figure in each.figures:
                    if figure.key == key:
                        return figure
        raise KeyError(f"{section}.{key}")

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "figures": [
                        {"key": f.key, "name": f.name, "value": f.value} for f in section.figures
                    ],
                }
                for section in self.sections
            ],
        }


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to 4 places, None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def mean_fen(total: int, count: int) -> int | None:
    """``total / count`` in whole fen, rounded half up; None when ``count`` is 0."""
    return (2 * total + count) // (2 * count) if count else None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _fen(value: int | None) -> str:
    return "—" if value is None else f"¥{format_fen(value)}"


def _hours(value: float | None) -> str:
    return "—" if value is None else _("{hours} h").format(hours=f"{value:.1f}")


def _count(key: str, name: str, value: int) -> Figure:
    return Figure(key, name, value, str(value))


def visits(session: Session, period: Period) -> ServiceSection:
    """Member share of visits and the average ticket, members and not."""
    rows = session.execute(
        select(
            Sale.member_id.is_not(None), func.count(), func.coalesce(func.sum(Sale.total_fen), 0)
        )
        .where(Sale.business_date.between(period.first, period.last))
        .group_by(Sale.member_id.is_not(None))
    ).all()
    by_kind = {bool(is_member): (int(count), int(total)) for is_member, count, total in rows}
    member_count, member_total = by_kind.get(True, (0, 0))
    other_count, other_total = by_kind.get(False, (0, 0))
    share = rate(member_count, member_count + other_count)
    member_ticket = mean_fen(member_total, member_count)
    other_ticket = mean_fen(other_total, other_count)
    return ServiceSection(
        "visits",
        _("Visits"),
        [
            _count("visits", _("Visits (sales)"), member_count + other_count),
            _count("member_visits", _("Member visits"), member_count),
            Figure("member_share", _("Member share of visits"), share, _pct(share)),
            Figure(
                "member_ticket_fen",
                _("Average ticket, members"),
                member_ticket,
                _fen(member_ticket),
            ),
            Figure(
                "other_ticket_fen",
                _("Average ticket, non-members"),
                other_ticket,
                _fen(other_ticket),
            ),
        ],
    )


def loyalty(session: Session, period: Period) -> ServiceSection:
    """Repeat rate and 90-day retention of members."""
    counts = Counter(
        session.scalars(
            select(Sale.member_id).where(
                Sale.member_id.is_not(None), Sale.business_date.between(period.first, period.last)
            )
        )
    )
    repeat = sum(1 for n in counts.values() if n >= 2)
    cohort = set(
        session.scalars(
            select(Sale.member_id)
            .where(
                Sale.member_id.is_not(None),
                Sale.business_date.between(
                    period.first - timedelta(days=RETENTION_DAYS), period.first - timedelta(days=1)
                ),
            )
            .distinct()
        )
    )
    retained = len(cohort & set(counts))
    repeat_rate = rate(repeat, len(counts))
    retention = rate(retained, len(cohort))
    return ServiceSection(
        "members",
        _("Members"),
        [
            _count("members_visiting", _("Members who visited"), len(counts)),
            _count("repeat_members", _("Members who visited twice or more"), repeat),
            Figure("repeat_rate", _("Repeat rate"), repeat_rate, _pct(repeat_rate)),
            _count("retention_cohort", _("Members of the 90 days before"), len(cohort)),
            _count("retained", _("Of them, back in the period"), retained),
            Figure("retention_90", _("90-day retention"), retention, _pct(retention)),
        ],
    )


def satisfaction(session: Session, period: Period) -> ServiceSection:
    """The ratings of the period's sales: count, mean and share of 4–5."""
    given = list(
        session.scalars(
            select(SaleRating.rating)
            .join(Sale, Sale.id == SaleRating.sale_id)
            .where(Sale.business_date.between(period.first, period.last))
        )
    )
    mean = round(statistics.fmean(given), 2) if given else None
    top = rate(sum(1 for r in given if r >= 4), len(given))
    return ServiceSection(
        "satisfaction",
        _("Satisfaction"),
        [
            _count("ratings", _("Ratings given"), len(given)),
            Figure("mean", _("Mean rating (1–5)"), mean, "—" if mean is None else f"{mean:.2f}"),
            Figure("share_4_5", _("Share rated 4 or 5"), top, _pct(top)),
        ],
    )


def _median_hours(spans: list[timedelta]) -> float | None:
    if not spans:
        return None
    return round(statistics.median(span.total_seconds() / 3600 for span in spans), 2)


def complaints(session: Session, period: Period) -> ServiceSection:
    """Complaints opened in the period by category, with median hours to respond and close."""
    found = session.execute(
        select(
            Complaint.category,
            Complaint.opened_at,
            Complaint.first_response_at,
            Complaint.closed_at,
        ).where(Complaint.opened_at >= period.start, Complaint.opened_at < period.end)
    ).all()
    figures = [_count("complaints", _("Complaints opened"), len(found))]
    for key in CATEGORIES:
        figures.append(
            _count(f"category.{key}", category_name(key), sum(1 for r in found if r[0] == key))
        )
    respond = _median_hours([r[2] - r[1] for r in found if r[2] is not None])
    close = _median_hours([r[3] - r[1] for r in found if r[3] is not None])
    figures.append(
        Figure(
            "median_first_response_h", _("Median time to first response"), respond, _hours(respond)
        )
    )
    figures.append(Figure("median_close_h", _("Median time to close"), close, _hours(close)))
    return ServiceSection("complaints", _("Complaints"), figures)


def adverse(session: Session, period: Period) -> ServiceSection:
    """Suspected adverse drug reactions recorded in the period."""
    found = list(
        session.scalars(
            select(AdverseReaction.report_type).where(
                AdverseReaction.recorded_at >= period.start,
                AdverseReaction.recorded_at < period.end,
            )
        )
    )
    return ServiceSection(
        "adverse",
        _("Adverse drug reactions"),
        [
            _count("recorded", _("Reactions recorded"), len(found)),
            _count("serious", _("Of them serious"), sum(1 for t in found if t == "serious")),
        ],
    )


def follow_ups(session: Session, period: Period) -> ServiceSection:
    """Follow-up calls due and done in the period, and members reached, by reason."""
    due = session.scalar(
        select(func.count())
        .select_from(FollowUpTask)
        .where(FollowUpTask.due_on.between(period.first, period.last))
    )
    done = session.execute(
        select(FollowUpTask.reason, FollowUpTask.outcome, FollowUpTask.attempts).where(
            FollowUpTask.status == "done",
            FollowUpTask.done_at >= period.start,
            FollowUpTask.done_at < period.end,
        )
    ).all()
    reached = [
        reason for reason, outcome, attempts in done if attempts > 0 and outcome != "not_reached"
    ]
    figures = [
        _count("due", _("Follow-ups due"), int(due or 0)),
        _count("done", _("Follow-ups done"), len(done)),
        _count("reached", _("Members reached"), len(reached)),
    ]
    by_reason = Counter(reached)
    for key in REASONS:
        figures.append(
            _count(
                f"reached.{key}",
                _("Reached, {reason}").format(reason=reason_name(key)),
                by_reason[key],
            )
        )
    return ServiceSection("follow_ups", _("Follow-ups"), figures)


def referrals(session: Session, period: Period) -> ServiceSection:
    """Members referred in the period, those of them who bought, the points credited."""
    referred = list(
        session.scalars(
            select(Member.id).where(
                Member.referrer_id.is_not(None),
                Member.enrolled_at >= period.start,
                Member.enrolled_at < period.end,
            )
        )
    )
    bought = set(
        session.scalars(
            select(Sale.member_id)
            .where(Sale.member_id.in_(referred), Sale.business_date <= period.last)
            .distinct()
        )
    )
    points = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.reason == "referral",
            PointsEntry.created_at >= period.start,
            PointsEntry.created_at < period.end,
        )
    )
    return ServiceSection(
        "referrals",
        _("Referrals"),
        [
            _count("referred", _("Members referred"), len(referred)),
            _count("first_purchase", _("Of them with a first purchase"), len(bought)),
            _count("points_credited", _("Referral points credited"), int(points or 0)),
        ],
    )


def birthday_gifts(session: Session, period: Period) -> ServiceSection:
    """Birthday gifts given in the period, by kind."""
    kinds = Counter(
        session.scalars(
            select(MemberGift.kind).where(
                MemberGift.given_at >= period.start, MemberGift.given_at < period.end
            )
        )
    )
    return ServiceSection(
        "birthday",
        _("Birthday gifts"),
        [
            _count("given", _("Birthday gifts given"), sum(kinds.values())),
            _count("kind.product", _("Of them products"), kinds["product"]),
            _count("kind.points", _("Of them points"), kinds["points"]),
        ],
    )


def segments(session: Session, period: Period) -> ServiceSection:
    """Members per segment now (on ``period.as_of``)."""
    zone = ZoneInfo(period.timezone)
    counts: Counter[str] = Counter()
    rows = session.execute(
        select(Member.enrolled_at, Member.visits, Member.last_visit_at).where(
            Member.erased_at.is_(None)
        )
    )
    for enrolled_at, visit_count, last_visit_at in rows:
        last = last_visit_at.astimezone(zone).date() if last_visit_at else None
        enrolled = enrolled_at.astimezone(zone).date()
        counts[segment(enrolled, visit_count, last, period.as_of, period.segment_rules)] += 1
    return ServiceSection(
        "segments",
        _("Customer files on {day}").format(day=period.as_of.isoformat()),
        [_count(key, segment_name(key), counts[key]) for key in SEGMENTS],
    )


SECTIONS: list[Callable[[Session, Period], ServiceSection]] = [
    visits,
    loyalty,
    satisfaction,
    complaints,
    adverse,
    follow_ups,
    referrals,
    birthday_gifts,
    segments,
]
"""The builders of the report's sections, in the order it shows them."""


def service_report(
    session: Session,
    first: date,
    last: date,
    timezone: str,
    *,
    today: date | None = None,
    segment_rules: SegmentRules | None = None,
) -> ServiceReport:
    """The service report over business days ``first``..``last``; the segments as on
    ``today`` (default ``last``) by ``segment_rules`` (default thresholds)."""
    period = Period(first, last, timezone, today, segment_rules or SegmentRules())
    return ServiceReport(first, last, [build(session, period) for build in SECTIONS])


def report_csv(report: ServiceReport) -> str:
    """One row per figure: :data:`SERVICE_CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SERVICE_CSV_COLUMNS)
    for section in report.sections:
        for figure in section.figures:
            writer.writerow(
                [section.key, figure.key, figure.name, "" if figure.value is None else figure.value]
            )
    return buffer.getvalue()


def report_text(report: ServiceReport) -> list[str]:
    """The report as plain lines (titles, then ``name  value``)."""
    lines = [_("Service report {first} to {last}").format(first=report.first, last=report.last)]
    for section in report.sections:
        lines.append("")
        lines.append(section.title)
        lines.extend(f"  {figure.name}: {figure.text}" for figure in section.figures)
    return lines
