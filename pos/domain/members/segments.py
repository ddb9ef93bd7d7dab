"""Customer files classified (顾客档案分类): a member's segment from their purchases.

RFM-style, from how recently and how often the member bought: *new* (enrolled
lately, at most one visit), *regular* (many visits, recently), *active*
(recently), *at risk* (not lately) and *lapsed* (long gone). The segment is
computed when read, from the visit count and last visit kept on the member, so
it moves with the calendar without anything rewriting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pos.i18n import N_, _

SEGMENTS = ("new", "active", "regular", "at_risk", "lapsed")
_NAMES = {
    "new": N_("new member"),
    "active": N_("active member"),
    "regular": N_("regular"),
    "at_risk": N_("at risk"),
    "lapsed": N_("lapsed"),
}


@dataclass(frozen=True)
class SegmentRules:
    """The thresholds (``[service]`` in the settings)."""

    new_days: int = 30
    """A member enrolled this many days ago or less, with at most one visit, is new."""
    regular_visits: int = 6
    """A member with this many visits or more, not at risk, is a regular."""
    at_risk_days: int = 90
    """No visit for more than this many days: at risk."""
    lapsed_days: int = 180
    """No visit for more than this many days: lapsed."""


def segment(
    enrolled_on: date, visits: int, last_visit: date | None, today: date, rules: SegmentRules
) -> str:
    """The member's segment on ``today``."""
    since = (today - (last_visit or enrolled_on)).days
    if since > rules.lapsed_days:
        return "lapsed"
    if since > rules.at_risk_days:
        return "at_risk"
    if (today - enrolled_on).days <= rules.new_days and visits <= 1:
        return "new"
    if visits >= rules.regular_visits:
        return "regular"
    return "active"


def segment_name(code: str) -> str:
    """The segment in the UI language."""
    return _(_NAMES[code]) if code in _NAMES else code
