"""Importing members from CSV (contract in the README, "Members CSV").

The rules are those of the product import: every row is checked first, and any
bad row stops the whole import unless ``skip_bad`` is set. A row whose card
number is on file updates that member; its points are set through the ledger.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache, partial
from pathlib import Path
from time import time_ns
from typing import Any, Literal, NamedTuple, cast
from zoneinfo import ZoneInfo

import phonenumbers
from pypinyin.constants import PHRASES_DICT as _PHRASES
from pypinyin.constants import PINYIN_DICT as _READINGS
from sqlalchemy import Table, func, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session
from stdnum import ean

from pos.domain.catalogue import pinyin
from pos.domain.members import members, points_ledger
from pos.domain.members.loyalty import FLOOR_BY_IMPORT, LoyaltyRules, TierFloor
from pos.domain.members.members import CARD_PREFIX
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Base, Member, OutboxItem, PointsEntry
from pos.sync import outbox
from pos.transfer.import_common import (
    PARTS,
    QUIET_CHUNK_SECONDS,
    UNCHUNKED,
    WAL_PAGES,
    Children,
    Chunks,
    CsvPart,
    FieldError,
    ImportReport,
    Progress,
    RowError,
    Source,
    csv_header,
    defaulted_columns,
    indexes_dropped,
    next_csv_record,
    part_bounds,
    read_rows,
    row_error,
    write_cache,
)

MEMBER_COLUMNS = (
    "card_no", "phone", "name", "gender", "birthday", "tier", "points", "enrolled_at",
)  # fmt: skip
MEMBER_OPTIONAL_COLUMNS = (
    "health_consent", "allergies", "conditions", "tier_until", "referrer", "segment",
)  # fmt: skip
"""``referrer``: the card number of the member who recommended this one (on file or in
the same file); ``segment`` (of the export) is computed, and ignored on import."""
MAX_POINTS = 100_000_000
MAX_HEALTH_TEXT = 200
_BATCH = 1000
"""Rows written (and looked up on file) at a time."""
PART_BYTES = 8 * 1024 * 1024
"""The fewest bytes of a part of the file checked at once (:func:`_parts`): a smaller
file is checked in one."""
FIRST_SHARE = 1.0
"""The first part's length, as a share of each other's: its rows cost as much as theirs."""


class MemberRow(NamedTuple):
    """A checked row of a members file (``card_no`` None: a new card is issued). A named
    tuple: made for each of a million rows, in a third of a frozen dataclass's time."""

    line: int
    card_no: str | None
    phone: str
    name: str
    gender: str
    birthday: str
    tier: str
    points: int
    enrolled_at: datetime | None
    health: HealthData | None = None
    """None: the file says nothing about health data (a member's stays as it is)."""
    floor: TierFloor | None = None
    """The tier kept as a floor (until ``tier_until``); None for the first tier."""
    referrer: str | None = None
    """The referrer's card number (on file or in the same file), None: none given."""


@dataclass(frozen=True)
class HealthData:
    """The health-data consent and, with it, allergies and conditions (comma-separated)."""

    consent: bool
    allergies: str = ""
    conditions: str = ""


def _health_items(value: str, column: str) -> str:
    items = [item.strip() for item in value.split("|") if item.strip()]
    if any("," in item or "，" in item for item in items):
        raise InputError(_("{column}: separate the names with |").format(column=column))
    text = ",".join(dict.fromkeys(items))
    if len(text) > MAX_HEALTH_TEXT:
        raise InputError(_("Keep allergies and conditions under 200 characters"))
    return text


def check_health(row: dict[str, str]) -> HealthData | None:
    """The optional ``health_consent``, ``allergies`` and ``conditions`` columns of a row.

    ``yes`` gives the consent with the listed (``|``-separated) allergies and
    conditions; ``no`` withdraws it and empties them; empty (or no such column)
    leaves them as they are. Allergies or conditions need ``yes``.
    """
    if not (row.get("health_consent") or row.get("allergies") or row.get("conditions")):
        return None  # nothing said (the common case)
    consent = row.get("health_consent", "").strip().lower()
    allergies = _health_items(row.get("allergies", ""), "allergies")
    conditions = _health_items(row.get("conditions", ""), "conditions")
    if consent not in ("yes", "no", ""):
        raise InputError(
            _("health_consent must be yes, no or empty, not {value!r}").format(
                value=row["health_consent"]
            )
        )
    if (allergies or conditions) and consent != "yes":
        raise InputError(_("allergies and conditions are kept only with health_consent = yes"))
    if not consent:
        return None
    return HealthData(consent == "yes", allergies, conditions)


def parse_moment(text: str, timezone: str) -> datetime:
    """An ISO 8601 date (start of that day in the store) or date-time, in UTC.

    A date-time without a zone is read in the store's time zone too.
    """
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(), ZoneInfo(timezone))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            _("enrolled_at is not an ISO 8601 date or time: {value!r}").format(value=text)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
"""A phone written as 11 plain digits, as nearly every row of a members file has it."""


def _mobile_pattern() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata is not None and metadata.mobile is not None
    pattern = metadata.mobile.national_number_pattern
    assert pattern is not None
    return re.compile(pattern)


_CN_MOBILE = _mobile_pattern()
"""The numbering plan's own pattern of mainland mobiles (python-phonenumbers' metadata)."""


def _phone(text: str) -> str:
    """:func:`members.normalize_phone`, without its parse for a plain mainland mobile.

    For 11 digits starting 13–19, the plan's other number types (fixed lines, shared
    cost, premium, toll free) never match and no national prefix is stripped, so the
    number is a mobile exactly when the mobile pattern matches; anything else (spaces,
    +86, a bad number) goes the whole way, which also gives the exact message.
    """
    if _PLAIN_MOBILE.fullmatch(text) and _CN_MOBILE.fullmatch(text):
        return text
    return members.normalize_phone(text)


def _is_card_no(code: str) -> bool:
    """:func:`members.is_card_no`, its EAN-13 check digit summed here for plain digits."""
    if len(code) == 13 and code.isascii() and code.isdigit() and code.startswith(CARD_PREFIX):
        # the digits' bytes summed, less the 7 + 3 × 6 zeros' ("0" is byte 48)
        return (sum(code[::2].encode()) + 3 * sum(code[1::2].encode()) - 48 * 25) % 10 == 0
    return members.is_card_no(code)


@lru_cache(maxsize=4096)
def _moment(text: str, timezone: str) -> datetime:
    """:func:`parse_moment`, once per text (a file's enrolment days repeat)."""
    return parse_moment(text, timezone)


@lru_cache(maxsize=65_536)
def _birthday(text: str, today: date) -> date | None:
    """:func:`members.parse_birthday`, once per text (birthdays repeat)."""
    return members.parse_birthday(text, today)


@lru_cache(maxsize=16)
def _today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


@lru_cache(maxsize=262_144)
def _initials(name: str) -> str:
    """A name's pinyin initials (:func:`pinyin.initials`), a character at a time when
    that spells it alike: each character has a reading of its own and no two or more
    of them make a word of the phrase dictionary (which would choose their reading)."""
    if len(name) > 1 and all(ord(char) in _READINGS for char in name):
        words = (
            name[start:end] for start in range(len(name)) for end in range(start + 2, len(name) + 1)
        )
        if not any(word in _PHRASES for word in words):
            return "".join(_char_initial(char) for char in name)
    return pinyin.initials(name)


@cache
def _char_initial(char: str) -> str:
    return pinyin.initials(char)


def check_member(
    line: int,
    row: dict[str, str],
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
) -> MemberRow:
    """Validate one members row; raise :class:`InputError` with the first problem."""
    today = _today(now, timezone)
    card_no = row["card_no"] or None
    if card_no is not None and not _is_card_no(card_no):
        raise FieldError(
            _("card_no {value!r} is not a member card (13 digits, prefix 29, check digit)").format(
                value=card_no
            ),
            "card_no",
            card_no,
        )
    field = "phone"  # what is being checked: an InputError is about it
    try:
        phone = _phone(row["phone"])
        field = "name"
        name = members.clean_name(row["name"])
        field = "gender"
        gender = members.parse_gender(row["gender"]) or ""
        field = "birthday"
        birthday = _birthday(row["birthday"], today)
        tier = row["tier"] or tiers[0]
        if tier not in tiers:
            raise FieldError(
                _("tier must be one of {tiers}, not {value!r}").format(
                    tiers=", ".join(tiers), value=tier
                ),
                "tier",
                tier,
            )
        field = "tier_until"
        floor = check_floor(tier, row.get("tier_until", "").strip(), tiers)
        points_text = row["points"] or "0"
        if not points_text.isascii() or not points_text.isdigit() or int(points_text) > MAX_POINTS:
            raise FieldError(
                _("points must be a whole number, 0 or more: {value!r}").format(
                    value=row["points"]
                ),
                "points",
                row["points"],
            )
        field = "enrolled_at"
        enrolled_at = _moment(row["enrolled_at"], timezone) if row["enrolled_at"] else None
        if enrolled_at is not None and enrolled_at > now:
            raise InputError(
                _("enrolled_at {value} is in the future").format(value=row["enrolled_at"])
            )
        field = "health_consent"
        health = check_health(row)
    except FieldError:
        raise
    except InputError as exc:
        value, mask = _SHOWN[field]
        raise FieldError(str(exc), field, mask(value(row))) from None
    referrer = row.get("referrer", "").strip() or None
    if referrer is not None and not _is_card_no(referrer):
        raise FieldError(
            _("referrer {value!r} is not a member card (13 digits, prefix 29, check digit)").format(
                value=referrer
            ),
            "referrer",
            referrer,
        )
    if referrer is not None and referrer == card_no:
        raise FieldError(
            _("referrer {card} is the member's own card: no self-referral").format(card=referrer),
            "referrer",
            referrer,
        )
    return MemberRow(
        line=line,
        card_no=card_no,
        phone=phone,
        name=name,
        gender=gender,
        birthday=birthday.isoformat() if birthday else "",
        tier=tier,
        points=int(points_text),
        enrolled_at=enrolled_at,
        health=health,
        floor=floor,
        referrer=referrer,
    )


def _shown(column: str) -> Callable[[dict[str, str]], str]:
    return lambda row: row.get(column, "")


def _as_is(text: str) -> str:
    return text


_SHOWN: dict[str, tuple[Callable[[dict[str, str]], str], Callable[[str], str]]] = {
    "phone": (_shown("phone"), lambda text: _mask_phone(text)),
    "name": (_shown("name"), members.mask_name),
    "gender": (_shown("gender"), _as_is),
    "birthday": (_shown("birthday"), lambda text: _mask_all(text)),
    "tier_until": (_shown("tier_until"), _as_is),
    "enrolled_at": (_shown("enrolled_at"), _as_is),
    "health_consent": (lambda _row: "", lambda text: _mask_all(text)),  # health data: never shown
}
"""Per field of a row checked in :func:`check_member`: its value as a bad row's error
names it, and how that is masked (personal data never shows)."""


def _table(model: type[Base]) -> Table:
    """The model's table, for Core statements."""
    return cast(Table, model.__table__)


def _mask_phone(text: str) -> str:
    digits = members.phone_digits(text)
    return members.mask_phone(digits) if digits and len(digits) == 11 else "****"


def _mask_all(_text: str) -> str:
    return "****"


def check_floor(tier: str, until_text: str, tiers: Sequence[str]) -> TierFloor | None:
    """The imported tier as a floor, kept until ``tier_until`` (empty: no end).

    The first tier needs no floor (every member has it), so it takes no date.
    """
    until: date | None = None
    if until_text:
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            raise InputError(
                _("tier_until is not a date (YYYY-MM-DD): {value!r}").format(value=until_text)
            ) from None
    if tier == tiers[0]:
        if until is not None:
            raise InputError(_("tier_until needs a tier above {tier}").format(tier=tiers[0]))
        return None
    return TierFloor(tier, until, FLOOR_BY_IMPORT)


def import_members(
    session: Session,
    data: Source,
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
    store_code: str = "",
    skip_bad: bool = False,
    chunks: Chunks = UNCHUNKED,
    rules: LoyaltyRules | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update (by card number) members from a members CSV, committed in ``chunks``.

    A row's tier is kept as a floor (until ``tier_until``); with ``rules``, the
    tier is settled at once (raised to what the member's spend reaches).

    The file is streamed: each checked row goes to a scratch database (:class:`Stage`),
    which, once the file is read, finds every repeated card or phone; then the rows are
    checked against the members on file, and only when none is bad (or ``skip_bad``)
    are they written: new members in bulk, members on file one by one.
    """
    report = ImportReport()
    with Stage() as stage:
        _check_file(stage, data, tiers, now, timezone, report, progress)
        _check_store(session, stage, report, chunks)
        _check_referrers(session, stage, report)
        report.errors.sort(key=lambda error: error.line)
        if report.errors and not skip_bad:
            return report
        if progress is not None:
            progress.start(_("Importing"), stage.count())
        today = now.astimezone(ZoneInfo(timezone)).date()
        writer = _Writer(session, stage, now, today, store_code, rules)
        writer.prepare()
        chunks.stretch(QUIET_CHUNK_SECONDS)
        dropped = _DEFERRED if stage.new_count() > _on_file(session) else ()
        ranges = list(stage.ranges())
        with (
            write_cache(session, _CACHE_KB, _WAL_PAGES),
            indexes_dropped(session, chunks, dropped),
            _Ahead(stage, ranges, writer, grouped=chunks.commits_itself) as ahead,
        ):

            def committed() -> None:  # nothing attached while a register writes
                stage.detach()
                ahead.detach()

            for first, last, count in ranges:
                report.created += writer.create(first, last, ahead)
                report.updated += writer.update(stage.rows_on_file(first, last))
                chunks.checkpoint(committed)
                if progress is not None:
                    progress.advance(count)
            writer.link_referrers()
    report.applied = True
    session.flush()
    return report


_DEFERRED = ("ix_member_name", "ix_member_name_initials", "ix_member_phone_last4_last_visit_at")
"""The member indexes on random keys, and not unique (no check relies on them), that an
import of more new members than there are on file drops while it writes and builds again
at its end (:func:`~pos.transfer.import_common.indexes_dropped`)."""


def _on_file(session: Session) -> int:
    """How many members are on file."""
    return int(session.execute(select(func.count()).select_from(_table(Member))).scalar_one())


_CACHE_KB = 128 * 1024
"""SQLite's page cache while an import writes (the member indexes' pages stay in memory)."""
_WAL_PAGES = 4 * WAL_PAGES
"""The log's pages (256 MB) between two checkpoints while this import writes: four times
the other imports' (:data:`~pos.transfer.import_common.WAL_PAGES`, whose note says why),
for the member table's six indexes on random keys."""


def _check_file(
    stage: Stage,
    data: Source,
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Check every row of the file and stage the good ones (a repeated card or phone is bad).

    A big file is checked in parts at once (:func:`_parts`): the first here, each other one
    in a child process of its own (:func:`_check_part`), sent only its byte range and the
    header's columns, that stages its good rows in a scratch file beside; those are then
    appended here in file order (:meth:`Stage.append`), before the repeated cards and
    phones are looked for.
    """
    if progress is not None:
        progress.start(_("Checking"), None)
    spans = _parts(data)
    header = csv_header(data) if len(spans) > 1 else None
    jobs = [
        (data, CsvPart(start, end, header), tiers, now, timezone, stage.path.with_name(f"{n}.db"))
        for n, (start, end) in enumerate(spans[1:], 2)
    ]
    with Children(_check_part, jobs) as children:
        first = CsvPart(0, spans[0][1])
        rows = read_rows(data, MEMBER_COLUMNS, report, MEMBER_OPTIONAL_COLUMNS, first)
        _check_rows(stage, rows, tiers, now, timezone, report, progress)
        for job, (errors, count) in zip(jobs, children.results(), strict=True):
            stage.append(job[-1])
            report.errors += errors
            if progress is not None:
                progress.advance(count)
    report.errors += [row_error(line, exc) for line, exc in stage.done()]


def _parts(data: Source) -> list[tuple[int, int]]:
    """The byte ranges ``[start, end)`` the file is checked in, each starting a record
    (:func:`~pos.transfer.import_common.part_bounds`); a file's bytes in one."""
    if not isinstance(data, Path):
        return [(0, len(data))]
    return part_bounds(data, PARTS, PART_BYTES, FIRST_SHARE, next_csv_record)


def _check_part(
    data: Source,
    part: CsvPart,
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
    path: Path,
) -> tuple[list[RowError], int]:
    """In a child process: check the rows of ``part``, staging the good ones in a scratch
    file of their own at ``path``; the bad rows and how many rows were read."""
    report = ImportReport()
    with Stage(path) as stage:
        rows = read_rows(data, MEMBER_COLUMNS, report, MEMBER_OPTIONAL_COLUMNS, part)
        count = _check_rows(stage, rows, tiers, now, timezone, report, None)
        stage.finish()
    return report.errors, count


def _check_rows(
    stage: Stage,
    rows: Iterator[tuple[int, dict[str, str]]],
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
    report: ImportReport,
    progress: Progress | None,
) -> int:
    """Check ``rows``, staging the good ones; how many there were."""
    count = 0
    for count, (line, raw) in enumerate(rows, 1):
        try:
            stage.add(check_member(line, raw, tiers, now, timezone))
        except InputError as exc:
            report.errors.append(row_error(line, exc))
        if progress is not None and count % 1000 == 0:
            progress.advance(1000)
    return count


def _check_store(session: Session, stage: Stage, report: ImportReport, chunks: Chunks) -> None:
    """Mark the staged rows whose card is on file; a phone of another member's is bad.

    The smaller side is read a batch at a time and looked up in the other's unique
    indexes: the staged rows in the store (a file as big as the store, or bigger), or the
    members on file among the staged rows (a big file into a small store: into a new
    store, nothing to read). Each batch is one plain query (no statement built per batch).
    """
    if _on_file(session) < stage.count():
        batches = _store_batches(session, stage)
    else:
        batches = _stage_batches(session, stage)
    for cards, owners in batches:
        stage.on_file(cards)
        for phone, card in owners:
            line = stage.line_of_phone(phone)
            if stage.card_of_line(line) != card:
                stage.drop(line)
                report.errors.append(
                    RowError(
                        line,
                        _("phone {phone} belongs to another member ({card})").format(
                            phone=members.mask_phone(phone), card=card
                        ),
                        field="phone",
                        value=members.mask_phone(phone),
                    )
                )
        chunks.checkpoint()  # reading holds the lock too: a register gets its turn


_Owners = list[tuple[str, str]]
"""(phone, card) of members on file whose phone a staged row has."""


def _stage_batches(session: Session, stage: Stage) -> Iterator[tuple[list[str], _Owners]]:
    """A batch of staged rows at a time: the cards of theirs on file, and the members on
    file with a phone of theirs."""
    for cards, phones in stage.keys_batches():
        cursor = _cursor(session)
        try:
            found = cursor.execute(_ON_FILE.format(marks=_marks(len(cards))), cards)
            on_file = [card for (card,) in found]
            owners = cursor.execute(_OWNERS.format(marks=_marks(len(phones))), phones).fetchall()
        finally:
            cursor.close()
        yield on_file, owners


def _store_batches(session: Session, stage: Stage) -> Iterator[tuple[list[str], _Owners]]:
    """A batch of members on file at a time (in the order of their ids): those of their
    cards that staged rows have, and those of them with a phone a staged row has."""
    last = 0
    while True:
        cursor = _cursor(session)
        try:
            batch = cursor.execute(_MEMBERS_AFTER, (last, _BATCH)).fetchall()
        finally:
            cursor.close()
        if not batch:
            return
        last = batch[-1][0]
        cards = stage.among("card_no", [card for _id, card, _phone in batch if card])
        phones = stage.among("phone", [phone for _id, _card, phone in batch if phone])
        yield (
            [card for _id, card, _phone in batch if card in cards],
            [(phone, card) for _id, card, phone in batch if phone in phones],
        )


_ON_FILE = "SELECT card_no FROM main.member WHERE card_no IN ({marks})"
_OWNERS = "SELECT phone, card_no FROM main.member WHERE phone IN ({marks})"
"""The cards on file among a batch's, and the members whose phone is among a batch's."""
_MEMBERS_AFTER = "SELECT id, card_no, phone FROM main.member WHERE id > ? ORDER BY id LIMIT ?"
"""A batch of members on file, after the last one read."""


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _check_referrers(session: Session, stage: Stage, report: ImportReport) -> None:
    """A referrer must be a member on file or of a good row of the file; a member on file
    keeps the referrer they have (one per member). A bad row is left out, and so, in turn,
    a row whose referrer was on it."""
    member = Member.__table__
    referrer = Member.__table__.alias("referrer")
    while wanted := stage.referrers_outside():
        cards = sorted({card for _line, card in wanted})
        known: set[str] = set()
        for start in range(0, len(cards), _BATCH):
            known.update(
                session.execute(
                    select(member.c.card_no).where(
                        member.c.card_no.in_(cards[start : start + _BATCH])
                    )
                ).scalars()
            )
        unknown = [(line, card) for line, card in wanted if card not in known]
        if not unknown:
            break
        for line, card in unknown:
            stage.drop(line)
            report.errors.append(
                RowError(
                    line,
                    _("referrer {card} is not a member on file or in this file").format(card=card),
                    field="referrer",
                    value=card,
                )
            )
    for line, card, current in stage.referrers_on_file():
        had = session.execute(
            select(referrer.c.card_no)
            .select_from(member.join(referrer, member.c.referrer_id == referrer.c.id))
            .where(member.c.card_no == card)
        ).scalar()
        if had is not None and had != current:
            stage.drop(line)
            report.errors.append(
                RowError(
                    line,
                    _("member {card} already has the referrer {had}").format(card=card, had=had),
                    field="referrer",
                    value=current,
                )
            )


class Stage:
    """A scratch SQLite database of the checked rows, in a temporary file.

    A row repeating a card or a phone of an earlier good row is found (with that row's
    line) once the file is read (:meth:`done`), without holding the file in memory;
    then the card and phone columns are indexed, unique. Each row also
    keeps what a new member's columns need beyond the row (the name's initials, the
    enrolment time as the store keeps it), so new members are written from here by
    ``INSERT … SELECT`` with the file attached to the store's connection. A later part of
    a big file is staged by its child process at a ``path`` given (kept at the end), and
    appended to the first part's (:meth:`append`).
    """

    _COLUMNS = (
        "line", "card_no", "phone", "name", "gender", "birthday", "tier", "points",
        "enrolled_at", "consent", "allergies", "conditions", "floor_tier", "floor_until",
        "referrer",
    )  # fmt: skip
    ALIAS = "pos_members_"
    """The start of the scratch file's name when attached to the store's connection."""

    def __init__(self, path: Path | None = None) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._folder = tempfile.TemporaryDirectory(prefix="pos-import-")
            path = Path(self._folder.name) / "stage.db"
        self._path = path
        self.alias = f"{self.ALIAS}{next(_STAGES)}"
        self._attached: list[sqlite3.Connection] = []
        self._db = sqlite3.connect(self._path, isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -65536;
            CREATE TABLE row (
                line INTEGER PRIMARY KEY, card_no TEXT, phone TEXT, name TEXT,
                gender TEXT, birthday TEXT, tier TEXT, points INTEGER, enrolled_at TEXT,
                consent INTEGER, allergies TEXT, conditions TEXT, floor_tier TEXT,
                floor_until TEXT, referrer TEXT, initials TEXT, enrolled_db TEXT,
                on_file INTEGER NOT NULL DEFAULT 0
            );
            BEGIN;
            """
        )
        columns = (*self._COLUMNS, "initials", "enrolled_db")
        self._pending: list[tuple[Any, ...]] = []
        self._insert = (
            f"INSERT INTO row ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.detach()
        self._db.close()
        if self._folder is not None:
            self._folder.cleanup()

    @property
    def path(self) -> Path:
        """The scratch file (in a private folder, removed at the end, unless given)."""
        return self._path

    def finish(self) -> None:
        """Commit the rows staged (of a later part: the first's :meth:`append` reads them)."""
        self._flush()
        self._db.execute("COMMIT")

    def append(self, path: Path) -> None:
        """Append the rows staged in the scratch file at ``path`` (of a later part of the
        file, after its :meth:`finish`), in file order."""
        self._flush()
        self._db.execute("COMMIT")
        self._db.execute(f"ATTACH DATABASE ? AS {_PART}", (str(path),))
        try:
            self._db.execute(f"INSERT INTO row SELECT * FROM {_PART}.row ORDER BY line")
        finally:
            self._db.execute(f"DETACH DATABASE {_PART}")
        self._db.execute("BEGIN")

    def add(self, row: MemberRow) -> None:
        """Stage ``row`` (a repeated card or phone is found by :meth:`done`)."""
        health, floor = row.health, row.floor
        self._pending.append((
            row.line, row.card_no, row.phone, row.name, row.gender, row.birthday, row.tier,
            row.points, _iso(row.enrolled_at),
            None if health is None else health.consent,
            health.allergies if health else "", health.conditions if health else "",
            floor.tier if floor else None,
            floor.until.isoformat() if floor and floor.until else None, row.referrer,
            _initials(row.name), _stored_moment(row.enrolled_at),
        ))  # fmt: skip
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self._db.executemany(self._insert, self._pending)
        self._pending.clear()

    def done(self) -> list[tuple[int, FieldError]]:
        """The file is read: each row repeating the card or phone of an earlier good row
        is left out, and returned with its line and why (the card first, as with one row
        at a time); then the card and phone columns are indexed (unique).

        Building each index once, sorted, is much faster than keeping it up to date row
        after row. The unique indexes are built first: in a file without a repeated card
        or phone (the common case) that is all. Else the rows are looked at: a row is good
        unless its card or phone is an earlier good row's, so only rows whose card or phone
        appears more than once, in file order; then the indexes are built.
        """
        self._flush()
        self._db.execute("COMMIT")
        self._db.execute("PRAGMA journal_mode = MEMORY")  # a failing statement is undone
        # (without a journal, a failed index stays half made in the schema)
        self._db.execute("BEGIN")
        repeats: list[tuple[int, FieldError]] = []
        try:
            self._index()
        except sqlite3.IntegrityError:  # a card or a phone is repeated
            repeats = self._repeats()
            self._index()
        self._db.execute("COMMIT")
        self._db.execute("PRAGMA journal_mode = OFF")  # no journal of the later updates
        return repeats

    def _index(self) -> None:
        self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS row_card_no ON row (card_no)")
        self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS row_phone ON row (phone)")

    def _repeats(self) -> list[tuple[int, FieldError]]:
        """Each row repeating the card or phone of an earlier good row, left out (with its
        line and why)."""
        repeats: list[tuple[int, FieldError]] = []
        cards: dict[str, int] = {}
        phones: dict[str, int] = {}
        for line, card, phone in self._db.execute(_REPEATED).fetchall():
            if card is not None and card in cards:
                error = FieldError(
                    _("card_no {card} already on line {line}").format(card=card, line=cards[card]),
                    "card_no",
                    card,
                )
            elif phone in phones:
                error = FieldError(
                    _("phone {phone} already on line {line}").format(
                        phone=members.mask_phone(phone), line=phones[phone]
                    ),
                    "phone",
                    members.mask_phone(phone),
                )
            else:
                if card is not None:
                    cards[card] = line
                phones[phone] = line
                continue
            repeats.append((line, error))
            self.drop(line)
        return repeats

    def count(self) -> int:
        """How many rows are staged (and not dropped)."""
        return int(self._one("SELECT count(*) FROM row"))

    def new_count(self) -> int:
        """How many staged rows are of new members (not on file)."""
        return int(self._one("SELECT count(*) FROM row WHERE on_file = 0"))

    def _one(self, sql: str, *values: object) -> Any:
        found = self._db.execute(sql, values).fetchone()
        return None if found is None else found[0]

    def among(self, column: Literal["card_no", "phone"], values: list[str]) -> set[str]:
        """Those of ``values`` that a staged row has in ``column`` (one query)."""
        if not values:
            return set()
        sql = f"SELECT {column} FROM row WHERE {column} IN ({_marks(len(values))})"
        return {value for (value,) in self._db.execute(sql, values)}

    def cards_among(self, cards: set[str]) -> set[str]:
        """Those of ``cards`` that a staged row has."""
        return {card for card in cards if self._one("SELECT 1 FROM row WHERE card_no = ?", card)}

    def line_of_phone(self, phone: str) -> int:
        """The line of the staged row with this phone."""
        return int(self._one("SELECT line FROM row WHERE phone = ?", phone))

    def card_of_line(self, line: int) -> str | None:
        """The card number of the staged row at ``line``."""
        card: str | None = self._one("SELECT card_no FROM row WHERE line = ?", line)
        return card

    def drop(self, line: int) -> None:
        """Leave the row at ``line`` out."""
        self._db.execute("DELETE FROM row WHERE line = ?", (line,))

    def on_file(self, cards: list[str]) -> None:
        """Mark the rows of these cards as members on file (updated, not created)."""
        self._db.executemany("UPDATE row SET on_file = 1 WHERE card_no = ?", [(c,) for c in cards])

    def referrers_outside(self) -> list[tuple[int, str]]:
        """The lines and referrers of the rows whose referrer is no card of a staged row."""
        return list(
            self._db.execute(
                "SELECT line, referrer FROM row WHERE referrer IS NOT NULL AND referrer NOT IN "
                "(SELECT card_no FROM row WHERE card_no IS NOT NULL) ORDER BY line"
            )
        )

    def referrers_on_file(self) -> list[tuple[int, str, str]]:
        """Line, card and referrer of the staged rows of members on file that name one."""
        return list(
            self._db.execute(
                "SELECT line, card_no, referrer FROM row "
                "WHERE on_file = 1 AND referrer IS NOT NULL ORDER BY line"
            )
        )

    def referrals(self) -> Iterator[list[tuple[str, str]]]:
        """(card, referrer) of the staged rows naming a referrer, a batch at a time."""
        yield from self._chunks(
            "SELECT card_no, referrer FROM row WHERE referrer IS NOT NULL ORDER BY line"
        )

    def set_card(self, line: int, card_no: str) -> None:
        """The card issued to the (new) member of the row at ``line``."""
        self._db.execute("UPDATE row SET card_no = ? WHERE line = ?", (card_no, line))

    def without_card(self) -> Iterator[list[int]]:
        """The lines of the new members' rows that give no card number, a batch at a time
        (each batch read anew: the caller sets their cards before the next)."""
        sql = "SELECT line FROM row WHERE card_no IS NULL ORDER BY line LIMIT ?"
        while batch := self._db.execute(sql, (_BATCH,)).fetchall():
            yield [line for (line,) in batch]

    def floors(self) -> list[tuple[str, str | None, str | None]]:
        """Each tier, floor and floor's end that new members' rows have."""
        return list(
            self._db.execute(
                "SELECT DISTINCT tier, floor_tier, floor_until FROM row WHERE on_file = 0"
            )
        )

    def settle(
        self, was: tuple[str, str | None, str | None], settled: tuple[str, str | None, str | None]
    ) -> None:
        """The tier and floor of the new members' rows that have ``was``: ``settled``."""
        self._db.execute(
            "UPDATE row SET tier = ?, floor_tier = ?, floor_until = ? WHERE on_file = 0 "
            "AND tier = ? AND floor_tier IS ? AND floor_until IS ?",
            (*settled, *was),
        )

    def keys_batches(self) -> Iterator[tuple[list[str], list[str]]]:
        """The staged card numbers and phones, a batch at a time."""
        for batch in self._chunks("SELECT card_no, phone FROM row ORDER BY line"):
            yield [card for card, _phone in batch if card], [phone for _card, phone in batch]

    def ranges(self) -> Iterator[tuple[int, int, int]]:
        """The staged rows in file order, a batch at a time: its first and last line, and
        how many rows it has."""
        for batch in self._chunks("SELECT line FROM row ORDER BY line"):
            yield batch[0][0], batch[-1][0], len(batch)

    def rows_on_file(self, first: int, last: int) -> list[MemberRow]:
        """The rows from line ``first`` to ``last`` of members on file, in file order."""
        columns = ", ".join(self._COLUMNS)
        return [
            _row(values)
            for values in self._db.execute(
                f"SELECT {columns} FROM row WHERE line BETWEEN ? AND ? AND on_file = 1 "
                "ORDER BY line",
                (first, last),
            )
        ]

    def attach(self, cursor: sqlite3.Cursor) -> None:
        """Attach the scratch file to ``cursor``'s connection (unless it is); scratch files
        left attached by earlier imports are detached if their transaction is over."""
        connection = cursor.connection
        if connection in self._attached:
            return
        for _seq, name, _file in cursor.execute("PRAGMA database_list").fetchall():
            if name.startswith(self.ALIAS):
                _detach(connection, name)
        cursor.execute(f"ATTACH DATABASE ? AS {self.alias}", (str(self._path),))
        self._attached.append(connection)

    def detach(self) -> None:
        """Detach the scratch file from the store's connections whose transaction is over
        (in a caller's open transaction it stays attached until the next import)."""
        for connection in self._attached:
            _detach(connection, self.alias)
        self._attached.clear()

    def _chunks(self, sql: str) -> Iterator[list[Any]]:
        cursor = self._db.execute(sql)
        while batch := cursor.fetchmany(_BATCH):
            yield batch


_REPEATED = (
    "SELECT line, card_no, phone FROM row WHERE card_no IN (SELECT card_no FROM row "
    "WHERE card_no IS NOT NULL GROUP BY card_no HAVING count(*) > 1) OR phone IN "
    "(SELECT phone FROM row GROUP BY phone HAVING count(*) > 1) ORDER BY line"
)
"""The staged rows whose card or phone another staged row has too, in file order."""

_PART = "pos_part"
"""A later part's scratch file, attached to the first's (:meth:`Stage.append`)."""

_STAGES = itertools.count(1)
"""Numbers the scratch files of a process (each attached under a name of its own)."""


def _detach(connection: sqlite3.Connection, name: str) -> None:
    """Detach ``name`` from ``connection`` unless an open transaction still uses it."""
    with contextlib.suppress(sqlite3.OperationalError):  # "database … is locked": in use
        connection.execute(f"DETACH DATABASE {name}")


@lru_cache(maxsize=4096)
def _iso(moment: datetime | None) -> str | None:
    """A time in ISO 8601 (a file's enrolment days repeat)."""
    return None if moment is None else moment.isoformat()


@lru_cache(maxsize=4096)
def _stored_moment(moment: datetime | None) -> Any:
    """A time as the store keeps it (the member table's ``enrolled_at`` column's type)."""
    return None if moment is None else _bind(_table(Member).c.enrolled_at)(moment)


def _bind(column: Any) -> Callable[[Any], Any]:
    """How SQLAlchemy writes a value of ``column`` into SQLite."""
    dialect = sqlite_dialect.dialect()
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return cast(Callable[[Any], Any], processor or _as_is)


def _row(values: Sequence[Any]) -> MemberRow:
    (line, card_no, phone, name, gender, birthday, tier, points, enrolled_at, consent,
     allergies, conditions, floor_tier, floor_until, referrer) = values  # fmt: skip
    return MemberRow(
        line=line,
        card_no=card_no,
        phone=phone,
        name=name,
        gender=gender,
        birthday=birthday,
        tier=tier,
        points=points,
        enrolled_at=datetime.fromisoformat(enrolled_at) if enrolled_at else None,
        health=None if consent is None else HealthData(bool(consent), allergies, conditions),
        floor=None
        if floor_tier is None
        else TierFloor(
            floor_tier, date.fromisoformat(floor_until) if floor_until else None, FLOOR_BY_IMPORT
        ),
        referrer=referrer,
    )


_VARYING = (
    "uid", "card_no", "phone", "phone_last4", "name", "name_initials", "gender", "birthday",
    "tier", "tier_floor", "tier_until", "tier_floor_by", "enrolled_at", "consent_health",
    "consents_at", "allergies", "conditions",
)  # fmt: skip
"""The columns that differ between the new members of an import (the rest: ``_Writer._same``)."""
_NEW = (
    "SELECT row_number() OVER (ORDER BY line) - 1 AS k, * FROM {stage}.row "
    "WHERE line BETWEEN :first_line AND :last_line AND on_file = 0"
)
"""The staged rows of new members of a batch, ``k`` counting them from 0 in file order."""
_NEW_UIDS = (
    "SELECT row_number() OVER (ORDER BY r.line) - 1 AS k, r.*, a.uid AS member_uid "
    "FROM {stage}.row AS r JOIN {ahead}.member AS a ON a.line = r.line "
    "WHERE r.line BETWEEN :first_line AND :last_line AND r.on_file = 0"
)
"""The same, with the uid the look-ahead spelled for each (in a table of their own: the
items' table would be read through, payloads and all)."""
_MEMBER_SQL = {
    "id": ":first_id + k",
    "uid": "member_uid",  # spelled by the look-ahead (:class:`_Ahead`)
    "card_no": "card_no",
    "phone": "phone",
    "phone_last4": "substr(phone, -4)",
    "name": "name",
    "name_initials": "initials",
    "gender": "nullif(gender, '')",
    "birthday": "nullif(birthday, '')",
    "tier": "tier",
    "tier_floor": "floor_tier",
    "tier_until": "floor_until",
    "tier_floor_by": "CASE WHEN floor_tier IS NULL THEN NULL ELSE :floor_by END",
    "enrolled_at": "coalesce(enrolled_db, :now)",
    "consent_health": "coalesce(consent, 0)",
    "consents_at": "coalesce(enrolled_db, :now)",
    "allergies": "CASE WHEN consent THEN allergies ELSE '' END",
    "conditions": "CASE WHEN consent THEN conditions ELSE '' END",
}
"""A new member's columns from its staged row (the rest: ``_Writer._same`` or defaults)."""
_AHEAD_JSON = {
    "uid": "json_quote(member_uid)",
    "member_uid": "json_quote(member_uid)",
    "enrolled_at": "json_quote(coalesce(enrolled_at, :now_iso))",
    "consents_at": "json_quote(coalesce(enrolled_at, :now_iso))",
    "consent_health": "CASE WHEN coalesce(consent, 0) THEN 'true' ELSE 'false' END",
    "delta": "points",
}
"""A payload value's JSON from a staged row and its uid; any other member column: the JSON
of its value as written (:data:`_MEMBER_SQL`)."""


def _ahead_json(name: str) -> str:
    return _AHEAD_JSON.get(name) or f"json_quote({_MEMBER_SQL[name]})"


_AHEAD_STAGE = "stage"
"""The scratch file's name on the look-ahead's connection."""


def _uid_sql(count: str) -> str:
    """:meth:`_Uids.next` in SQL, for the counter value ``count`` (an SQL expression)."""
    return (
        f"printf('%s%03x%x%07x%08x', :prefix, ({count}) >> 30, 8 | ((({count}) >> 28) & 3), "
        f"({count}) & {0xFFFFFFF}, random() & {0xFFFFFFFF})"
    )


_AHEAD_UIDS = (
    "INSERT INTO temp.uid (line, member_uid, item_uid, points_uid) "
    f"SELECT line, {_uid_sql(':first_uid + k')}, "
    f"CASE WHEN :outbox THEN {_uid_sql(':first_item + k')} END, "
    f"CASE WHEN :outbox AND points > 0 THEN {_uid_sql(':first_points + j')} END "
    "FROM (SELECT row_number() OVER (ORDER BY line) - 1 AS k, "
    "sum(points > 0) OVER (ORDER BY line) - 1 AS j, line, points "
    f"FROM {_AHEAD_STAGE}.row WHERE line BETWEEN :first_line AND :last_line AND on_file = 0)"
)
"""A batch's uids, each spelled once (their random part would differ if spelled again):
its new members', their enrolments' and their points items' (:meth:`_Uids.next`)."""
_AHEAD_COUNTS = (
    f"SELECT count(*), coalesce(sum(points > 0), 0) FROM {_AHEAD_STAGE}.row "
    "WHERE line BETWEEN :first_line AND :last_line AND on_file = 0"
)
"""A batch's new members, and those of them with points."""
_AHEAD_ITEMS = (
    "INSERT INTO ahead.item (line, member_uid, item_uid, points_uid, enrolment, points) "
    "SELECT line, member_uid, item_uid, points_uid, "
    "CASE WHEN item_uid IS NOT NULL THEN {enrolment} END, "
    "CASE WHEN points_uid IS NOT NULL THEN {points} END "
    "FROM temp.uid CROSS JOIN {stage}.row USING (line) ORDER BY line"  # the batch's rows only
)
"""A batch's uids and outbox items' payloads, into its look-ahead file."""
_AHEAD_MEMBERS = "INSERT INTO ahead.member (line, uid) SELECT line, member_uid FROM temp.uid"
"""A batch's new members' uids, into its look-ahead file."""
_ITEMS = (
    "INSERT INTO main.outbox (uid, kind, key, payload, created_at) "
    "SELECT {uid}, '{kind}', member_uid, {payload}, :now FROM {ahead}.item "
    "WHERE line BETWEEN :first_line AND :last_line AND {uid} IS NOT NULL ORDER BY line"
)
"""A batch's outbox items of a kind, from its look-ahead file."""
_AHEAD_GROUP = 64
"""The batches one look-ahead file holds (when the import commits in chunks)."""
_AHEAD_FILES = 3
"""How many groups the look-ahead may be ahead of the writer (their files, some 80 MB each,
are in the temporary folder beside the staged rows)."""


class _Ahead:
    """New members' uids and outbox items, spelled ahead of the writer in a thread of
    their own: SQLite lets go of Python's lock while it works, so the second processor,
    idle while the store is written, spells them while the first writes.

    A group of batches' are in a scratch file of their own (beside the staged rows),
    attached to the store's connection once the thread has finished it, detached and
    removed after the commit that read it last (:meth:`detach`). The writer never reads
    a file still being written: a transaction sees an attached file as it was at its
    first read there. With a caller that commits once, one file holds every batch.
    """

    def __init__(
        self,
        stage: Stage,
        ranges: list[tuple[int, int, int]],
        writer: _Writer,
        grouped: bool,
    ) -> None:
        size = _AHEAD_GROUP if grouped else max(len(ranges), 1)
        self._groups = [ranges[start : start + size] for start in range(0, len(ranges), size)]
        self._group_of = {
            first: index for index, group in enumerate(self._groups) for first, _, _ in group
        }
        self._stage = stage
        self._sql = writer.ahead_sql
        self._values = writer.ahead_values
        self._uids = writer.uids
        self._done = 0
        """How many groups are spelled."""
        self._failure: BaseException | None = None
        self._stopped = False
        self._changed = threading.Condition()
        self._attached: dict[int, sqlite3.Connection] = {}
        self._reading = 0
        """The group the writer reads now (those before it are written and removed)."""
        self._thread = threading.Thread(target=self._run, name="pos-import-ahead", daemon=True)
        self._thread.start()

    def __enter__(self) -> _Ahead:
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        self._thread.join()
        self.detach()

    def _path(self, group: int) -> Path:
        return self._stage.path.with_name(f"ahead-{group}.db")

    def _alias(self, group: int) -> str:
        return f"{self._stage.alias}_ahead_{group}"

    def attach(self, cursor: sqlite3.Cursor, first_line: int) -> str:
        """The name of the look-ahead file of the batch from ``first_line``, attached to
        ``cursor``'s connection (once the thread has spelled it)."""
        group = self._group_of[first_line]
        with self._changed:
            while self._done <= group and self._failure is None:
                self._changed.wait()
            if self._failure is not None:
                raise RuntimeError("the import's look-ahead failed") from self._failure
        with self._changed:
            self._reading = group
            self._changed.notify_all()
        if group not in self._attached:
            cursor.execute(f"ATTACH DATABASE ? AS {self._alias(group)}", (str(self._path(group)),))
            self._attached[group] = cursor.connection
        return self._alias(group)

    def detach(self) -> None:
        """After a commit: detach the files attached (unless a caller's transaction still
        uses them), and remove those the writer has gone past."""
        for group, connection in list(self._attached.items()):
            with contextlib.suppress(sqlite3.OperationalError):  # in a caller's transaction
                connection.execute(f"DETACH DATABASE {self._alias(group)}")
                del self._attached[group]
        for group in range(self._reading):
            if group not in self._attached:
                self._path(group).unlink(missing_ok=True)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(
                ":memory:", isolation_level=None, check_same_thread=False, uri=True
            )
            try:
                stage = f"{self._stage.path.as_uri()}?mode=ro"
                db.execute(f"ATTACH DATABASE ? AS {_AHEAD_STAGE}", (stage,))
                db.execute(
                    "CREATE TEMP TABLE uid (line INTEGER PRIMARY KEY, member_uid TEXT, "
                    "item_uid TEXT, points_uid TEXT)"
                )
                for group, batches in enumerate(self._groups):
                    with self._changed:  # files of a few groups at most: the scratch disk
                        while group - self._reading >= _AHEAD_FILES and not self._stopped:
                            self._changed.wait()
                        if self._stopped:
                            return
                    self._spell(db, group, batches)
                    with self._changed:
                        self._done = group + 1
                        self._changed.notify_all()
            finally:
                db.close()
        except BaseException as exc:  # the writer raises it (a thread's own would be lost)
            with self._changed:
                self._failure = exc
                self._changed.notify_all()

    def _spell(
        self, db: sqlite3.Connection, group: int, batches: list[tuple[int, int, int]]
    ) -> None:
        db.execute("ATTACH DATABASE ? AS ahead", (str(self._path(group)),))
        try:
            db.execute("PRAGMA ahead.journal_mode = OFF")
            db.execute("PRAGMA ahead.synchronous = OFF")
            db.execute(
                "CREATE TABLE ahead.item (line INTEGER PRIMARY KEY, member_uid TEXT NOT NULL, "
                "item_uid TEXT, points_uid TEXT, enrolment TEXT, points TEXT)"
            )
            db.execute("CREATE TABLE ahead.member (line INTEGER PRIMARY KEY, uid TEXT NOT NULL)")
            db.execute("BEGIN")
            for first, last, _count in batches:
                lines = {"first_line": first, "last_line": last}
                created, entries = db.execute(_AHEAD_COUNTS, lines).fetchone()
                values = self._values | lines | {"first_uid": self._uids.block(created)}
                if self._values["outbox"] and created:
                    values["first_item"] = self._uids.block(created)
                    values["first_points"] = self._uids.block(entries)
                else:
                    values["first_item"] = values["first_points"] = 0
                db.execute(_AHEAD_UIDS, values)
                db.execute(_AHEAD_MEMBERS)
                db.execute(self._sql, values)
                db.execute("DELETE FROM temp.uid")
            db.execute("COMMIT")
        finally:
            db.execute("DETACH DATABASE ahead")


class _Uids:
    """Unique ids as the import writes them: 32 hex digits of an RFC 9562 UUID version 7
    (the import's start in milliseconds, a 42-bit counter from a random start, 32 random
    bits), each greater than the one before.

    A uuid4 lands on a random leaf of its unique index; at a million members and their
    outbox items, nearly every row dirtied a page of its own in each of them, written to
    the log and checkpointed again at every chunk. In increasing order they fill the
    index's last page. Still unique between stores and imports (time, random counter
    start, random tail), as head office needs. A bulk insert takes a block of counter
    values (:meth:`block`) and spells each id in SQL (:func:`_uid_sql`) as :meth:`next`
    does.
    """

    def __init__(self) -> None:
        self.prefix = f"{time_ns() // 1_000_000 & (1 << 48) - 1:012x}7"
        self._count = secrets.randbelow(1 << 41)

    def next(self) -> str:
        """The next id."""
        count = self._count = self._count + 1
        return (
            f"{self.prefix}{count >> 30:03x}{8 | count >> 28 & 3:x}"
            f"{count & 0xFFFFFFF:07x}{secrets.randbits(32):08x}"
        )

    def block(self, size: int) -> int:
        """The first of the next ``size`` counter values (taken: :meth:`next` goes on after)."""
        first = self._count + 1
        self._count += size
        return first


class _Writer:
    """Writes checked rows: new members in bulk, from the scratch file inside SQLite
    (``INSERT … SELECT``: no Python per row), members on file through the ORM."""

    def __init__(
        self,
        session: Session,
        stage: Stage,
        now: datetime,
        today: date,
        store_code: str,
        rules: LoyaltyRules | None,
    ) -> None:
        self._session = session
        self._stage = stage
        self._now = now
        self._today = today
        self._rules = rules
        self._outbox = not outbox.is_suppressed(session)
        self._uids = _Uids()
        same: dict[str, Any] = {
            "enrolled_store": store_code, "enrolled_by": None, "consent_terms": True,
            "consent_marketing": False, "last_visit_at": None, "updated_at": now,
            "erased_at": None, "referral_code": None, "referrer_id": None,
            "referral_credited_at": None,
        }  # fmt: skip
        """The values every new member of the import has alike."""
        self._values: dict[str, Any] = {
            "now": _stored_moment(now), "floor_by": FLOOR_BY_IMPORT,
        }  # fmt: skip
        self._same = same
        self._sql: dict[str, tuple[str, str, str, str]] = {}
        """The writer's statements by look-ahead file (attached under a name of its own)."""
        self._values |= {
            f"same_{name}": _bind(_table(Member).c[name])(value) for name, value in same.items()
        }
        self._values |= {
            f"same_{column.name}": _bind(column)(getattr(column.default, "arg", None))
            for column in defaulted_columns(_table(Member), {*_MEMBER_SQL, *same})
        }
        entries = _table(PointsEntry)
        self._entry_sql = {
            "member_id": ":first_id + k", "sale_id": "NULL", "delta": "points",
            "reason": "'import'", "balance_after": "points", "created_at": ":now",
        }  # fmt: skip
        self._values |= {
            f"same_{column.name}": _bind(column)(getattr(column.default, "arg", None))
            for column in defaulted_columns(entries, set(self._entry_sql))
        }
        if defaulted_columns(_table(OutboxItem), set(_ITEM_COLUMNS)):
            raise ValueError("outbox: a column with a default is not written")
        enrolments = outbox.PayloadTexts(
            partial(outbox.enrolment_payload, referrer_uid=None), same.__getitem__, _VARYING
        )
        points = outbox.PayloadTexts(
            outbox.points_payload,
            {"reason": "import", "sale_number": None, "created_at": now}.__getitem__,
            ("member_uid", "delta"),
        )
        self.ahead_sql = _AHEAD_ITEMS.format(
            stage=_AHEAD_STAGE,
            enrolment=enrolments.sql(_ahead_json),
            points=points.sql(_ahead_json),
        )
        """What the look-ahead writes for a batch (:class:`_Ahead`)."""
        self.ahead_values = {
            "prefix": self._uids.prefix, "now_iso": now.isoformat(), "floor_by": FLOOR_BY_IMPORT,
            "outbox": self._outbox,
        }  # fmt: skip
        self.uids = self._uids
        """The counter of the uids the look-ahead spells (it alone takes from it)."""

    def _statements(self, ahead: str) -> tuple[str, str, str, str]:
        """The members, points entries, enrolments and points items statements, reading
        the look-ahead file attached as ``ahead``."""
        if ahead not in self._sql:
            new = _NEW.format(stage=self._stage.alias)
            with_uids = _NEW_UIDS.format(stage=self._stage.alias, ahead=ahead)
            self._sql[ahead] = (
                _insert_sql(_table(Member), _MEMBER_SQL, self._same, with_uids),
                _insert_sql(_table(PointsEntry), self._entry_sql, {}, new, "points > 0"),
                _ITEMS.format(ahead=ahead, uid="item_uid", kind="member", payload="enrolment"),
                _ITEMS.format(ahead=ahead, uid="points_uid", kind="points", payload="points"),
            )
        return self._sql[ahead]

    def prepare(self) -> None:
        """Before the first batch: a card for each new member's row without one, and, with
        loyalty rules, each new member's tier settled (no sales yet: a running floor's)."""
        for lines in self._stage.without_card():
            for line, card in zip(lines, self._cards(len(lines)), strict=True):
                self._stage.set_card(line, card)
        if self._rules is None:
            return
        for tier, floor_tier, floor_until in self._stage.floors():
            floor = None
            if floor_tier is not None:
                until = date.fromisoformat(floor_until) if floor_until else None
                floor = TierFloor(floor_tier, until, FLOOR_BY_IMPORT)
                if not floor.runs(self._today):
                    floor = None
            settled = self._rules.settled_tier(0, floor, self._today)
            kept = (floor.tier, floor_until) if floor is not None else (None, None)
            if (settled, *kept) != (tier, floor_tier, floor_until):  # each change reads all rows
                self._stage.settle((tier, floor_tier, floor_until), (settled, *kept))

    def create(self, first_line: int, last_line: int, ahead: _Ahead) -> int:
        """Enrol the new members of the rows from ``first_line`` to ``last_line``, with
        their points and outbox items: a few ``INSERT … SELECT`` from the scratch file and
        the look-ahead's (their uids and items spelled there)."""
        cursor = _cursor(self._session)
        try:
            self._stage.attach(cursor)
            members_sql, entries_sql, enrolments_sql, points_sql = self._statements(
                ahead.attach(cursor, first_line)
            )
            found = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM main.member").fetchone()
            values = self._values | {
                "first_line": first_line, "last_line": last_line, "first_id": int(found[0]),
            }  # fmt: skip
            created = cursor.execute(members_sql, values).rowcount
            if not created:
                return 0
            cursor.execute(entries_sql, values)
            if self._outbox:
                cursor.execute(enrolments_sql, values)
                cursor.execute(points_sql, values)
            return created
        finally:
            cursor.close()

    def _cards(self, count: int) -> list[str]:
        """``count`` new card numbers (no member's yet, nor a staged row's)."""
        cards = [""] * count
        while missing := [index for index, card in enumerate(cards) if not card]:
            for index in missing:
                body = CARD_PREFIX + f"{secrets.randbelow(10**10):010d}"
                cards[index] = body + ean.calc_check_digit(body)
            fresh = {cards[index] for index in missing}
            taken = set(
                self._session.scalars(select(Member.card_no).where(Member.card_no.in_(fresh)))
            )
            taken |= self._stage.cards_among(fresh)
            repeated = {card for card in fresh if cards.count(card) > 1}
            for index in missing:
                if cards[index] in taken or cards[index] in repeated:
                    cards[index] = ""
        return cards

    def link_referrers(self) -> None:
        """Once every row is written: each member's referrer by card (through the ORM, so the
        change goes to head office). A referral brought by an import is not credited later
        (the purchases it would be for were made before): it counts as credited."""
        for batch in self._stage.referrals():
            cards = {card for pair in batch for card in pair}
            by_card = {
                m.card_no: m
                for m in self._session.scalars(select(Member).where(Member.card_no.in_(cards)))
            }
            for card, referrer_card in batch:
                member, referrer = by_card[card], by_card[referrer_card]
                if member.referrer_id == referrer.id:
                    continue
                member.referrer_id = referrer.id
                if member.referral_credited_at is None:
                    member.referral_credited_at = self._now
            self._session.flush()

    def update(self, rows: list[MemberRow]) -> int:
        """Update the members on file of ``rows`` one by one, as a cashier's edit would."""
        if not rows:
            return 0
        cards = [row.card_no for row in rows if row.card_no]
        by_card = {
            m.card_no: m
            for m in self._session.scalars(select(Member).where(Member.card_no.in_(cards)))
        }
        for row in rows:
            member = by_card[row.card_no or ""]
            _update(self._session, member, row, self._now, self._today)
            if self._rules is not None:
                members.settle_tier(self._session, member, self._rules, self._now, self._today)
            delta = row.points - points_ledger.balance(self._session, member.id)
            if delta:
                points_ledger.post_points(self._session, member.id, delta, "import", self._now)
        return len(rows)


def _insert_sql(
    table: Table, expressions: dict[str, str], same: dict[str, Any], source: str, where: str = ""
) -> str:
    """``INSERT … SELECT`` of ``table``'s rows from ``source`` (rows with their ``k``): each
    column's SQL from ``expressions``, else the parameter ``same_<column>`` (the values
    every row has alike, and the columns' defaults)."""
    named = {*expressions, *same}
    columns = [name for name in expressions] + [name for name in same]
    columns += [column.name for column in defaulted_columns(table, named)]
    values = [expressions.get(name, f":same_{name}") for name in columns]
    return (
        f"INSERT INTO main.{table.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM ({source}){f' WHERE {where}' if where else ''} ORDER BY k"
    )


_ITEM_COLUMNS = ("uid", "kind", "key", "payload", "created_at")


def _cursor(session: Session) -> sqlite3.Cursor:
    """A DBAPI cursor on the session's connection, in its transaction (begun if need be)."""
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.cursor()


def _form(row: MemberRow, member: Member | None = None) -> members.MemberForm:
    """The row as a form; an existing member keeps their marketing consent, and their
    health data unless the row gives it."""
    health = row.health
    if health is None and member is not None:
        health = HealthData(member.consent_health, member.allergies, member.conditions)
    return members.MemberForm(
        phone=row.phone,
        name=row.name,
        birthday=row.birthday,
        gender=row.gender,
        consent_terms=True,
        consent_marketing=member.consent_marketing if member else False,
        consent_health=health.consent if health else False,
        allergies=health.allergies if health else "",
        conditions=health.conditions if health else "",
    )


def _update(session: Session, member: Member, row: MemberRow, now: datetime, today: date) -> None:
    members.update(session, member, _form(row, member), now, today)
    _set_tier(member, row)
    if row.enrolled_at is not None:
        member.enrolled_at = row.enrolled_at


def _set_tier(member: Member, row: MemberRow) -> None:
    """The row's tier, kept as a floor: recomputation after a sale only raises it."""
    member.tier = row.tier
    members.set_tier_floor(member, row.floor)
