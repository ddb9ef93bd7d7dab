"""``pos hq init|publish|registers|report|members|grant``: head office's database
(docs/chain.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy import Engine

NAME = "hq"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos hq init|publish|registers|report|members|grant``."""
    hq = commands.add_parser(NAME, help="head office's central PostgreSQL database")
    what = hq.add_subparsers(dest="what", metavar="WHAT", required=True)
    init = what.add_parser(
        "init", parents=[common], help="create or upgrade the central database (migrations)"
    )
    publish = what.add_parser(
        "publish",
        parents=[common],
        help="send the catalogue, prices and promotions of a store database (--db) "
        "to head office, for every register to fetch",
    )
    registers = what.add_parser(
        "registers",
        parents=[common],
        help="every register of the chain: version, last push, last pull, items waiting, "
        "clock skew; a warning for any register silent too long",
    )
    registers.add_argument(
        "--silent-minutes",
        type=int,
        metavar="N",
        help="warn about registers not heard of for N minutes (default: [sync] "
        "silent_warning_minutes)",
    )
    extra = (_add_report(what, common), *_add_members(what, common), _add_grant(what, common))
    for sub in (init, publish, registers, *extra):
        sub.add_argument("--url", metavar="URL", help="postgresql://USER:PASSWORD@HOST/DB")


PASSWORD_VARIABLE = "POS_HQ_GRANT_PASSWORD"


def _add_grant(what: Commands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``pos hq grant STORE REGISTER``."""
    grant = what.add_parser(
        "grant",
        parents=[common],
        help="create or update the PostgreSQL role of one register: only what sync needs, "
        "its own store's rows only (password from POS_HQ_GRANT_PASSWORD, or a new one "
        "shown once)",
    )
    grant.add_argument("store", metavar="STORE", help="the register's store code")
    grant.add_argument("register", metavar="REGISTER", help="the register's id")
    return grant


def _add_members(
    what: Commands, common: argparse.ArgumentParser
) -> tuple[argparse.ArgumentParser, ...]:
    """``pos hq members conflicts|merge|unmerge|resolve``."""
    members = what.add_parser("members", help="the chain's members at head office")
    which = members.add_subparsers(dest="members", metavar="WHAT", required=True)
    conflicts = which.add_parser(
        "conflicts",
        parents=[common],
        help="member values that lost: edits overwritten by a later-arriving one, phones "
        "that belong to another member (not merged)",
    )
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    merge = which.add_parser(
        "merge",
        parents=[common],
        help="merge member CARD_B into member CARD_A (the same person): B's points, sales "
        "and later items count for A",
    )
    merge.add_argument("card_a", metavar="CARD_A", help="the member who stays")
    merge.add_argument("card_b", metavar="CARD_B", help="the member merged into CARD_A")
    unmerge = which.add_parser(
        "unmerge",
        parents=[common],
        help="take member CARD apart from the member it was merged into (by merge, or at "
        "its enrolment under the same phone)",
    )
    unmerge.add_argument("card", metavar="CARD", help="the merged member's card")
    resolve = which.add_parser(
        "resolve",
        parents=[common],
        help="mark member conflict ID resolved (a manager; head office keeps who and when): "
        "keep the member's value, or apply the one that lost (it reaches every register)",
    )
    resolve.add_argument("conflict_id", type=int, metavar="ID", help="the conflict's number")
    resolve.add_argument(
        "--keep",
        choices=("mine", "theirs"),
        default="mine",
        help="mine (default): the member's value stays; theirs: the value that lost is applied",
    )
    resolve.add_argument("--by", required=True, metavar="USER", help="who resolves it")
    return (conflicts, merge, unmerge, resolve)


def _add_report(what: Commands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``pos hq report negative-balances``."""
    report = what.add_parser("report", help="head office's reports of the chain")
    which = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    negative = which.add_parser(
        "negative-balances",
        parents=[common],
        help="members whose points went below zero at head office (spent twice offline), "
        "with the redemptions that did it",
    )
    negative.add_argument(
        "--open", action="store_true", help="only members still below zero (not paid off)"
    )
    return negative


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos hq …``."""
    from sqlalchemy.exc import SQLAlchemyError

    from pos.migrations import HEAD_REVISION
    from pos.sync import central
    from pos.sync.background import link_of

    url = getattr(args, "url", None) or settings.sync.hq_url
    if not url:
        print(_("No head office: give --url URL or set [sync] hq_url"), file=sys.stderr)
        return EXIT_USAGE
    try:
        admin = args.what in ("init", "grant")  # long statements, no watchdog
        engine = central.make_hq_engine(
            url, central.ADMIN_LINK if admin else link_of(settings.sync)
        )
    except central.HqUrlError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.what == "init":
            before = central.init_hq(engine)
            print(
                _("Head office database at revision {head} (was {before})").format(
                    head=HEAD_REVISION, before=before or _("empty")
                )
            )
            return EXIT_OK
        if args.what == "registers":
            minutes = args.silent_minutes or settings.sync.silent_warning_minutes
            return _registers(engine, minutes)
        if args.what == "grant":
            return _grant(engine, args.store, args.register)
        if args.what == "members" and args.members == "conflicts":
            return _conflicts(engine, args.all, settings.store.timezone)
        if args.what == "members":
            return _merge(engine, args)
        if args.what == "report":
            return _negative_balances(engine, args.open, settings.store.timezone)
        return _publish(settings, engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(_("Head office unreachable: {error}").format(error=reason), file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()


def _publish(settings: Settings, engine: Engine) -> int:
    from pos.sync import catalogue, central

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    with sessions() as session:
        products = catalogue.product_rows(session, None)
        promotions = catalogue.promotion_rows(session, None)
    with central.hq_sessions(engine).begin() as hq:
        now = central.hq_now(hq)  # head office's clock, never this PC's
        changed = catalogue.apply_products(hq, products, now)
        offers = catalogue.apply_promotions(hq, promotions, now)
    print(
        _("Published {products} changed product(s) and {promotions} promotion(s)").format(
            products=changed, promotions=offers
        )
    )
    return EXIT_OK


def _negative_balances(engine: Engine, open_only: bool, timezone: str) -> int:
    from zoneinfo import ZoneInfo

    from pos.sync import central, points

    zone = ZoneInfo(timezone)

    with central.hq_sessions(engine)() as hq:
        found = points.negative_balances(hq, open_only)
    if not found:
        print(_("No member's points went below zero"))
        return EXIT_OK
    for row in found:
        state = _("still below zero") if row.balance < 0 else _("paid off")
        print(
            _("Card {card}  phone {phone}  balance {balance} (lowest {lowest}, {state})").format(
                card=row.card_no,
                phone=row.phone or "-",
                balance=row.balance,
                lowest=row.lowest,
                state=state,
            )
        )
        for spent in row.redemptions:
            print(
                "  "
                + _("{at}  store {store} register {register}  {reason} {points}  {sale}")
                .format(
                    at=spent.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    store=spent.store_code,
                    register=spent.register_id or "-",
                    reason=spent.reason,
                    points=spent.points,
                    sale=spent.sale_number or "",
                )
                .rstrip()
            )
    return EXIT_OK


def _conflicts(engine: Engine, include_resolved: bool, timezone: str) -> int:
    from zoneinfo import ZoneInfo

    from pos.sync import central, identity

    zone = ZoneInfo(timezone)
    with central.hq_sessions(engine)() as hq:
        found = identity.conflicts(hq, include_resolved)
    if not found:
        print(_("No member conflicts"))
        return EXIT_OK
    for row in found:
        resolved = ""
        if row.resolved_at is not None:
            kept = _RESOLUTIONS.get(row.resolution or "")
            resolved = "  " + _("resolved {at} by {by}: {kept}").format(
                at=row.resolved_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                by=row.resolved_by or "-",
                kept=_(kept) if kept else "-",
            )
        print(
            _(
                "#{id} card {card} ({phone})  {field}: {lost} lost ({reason}), "
                "from store {store} register {register} at {at}"
            ).format(
                id=row.id,
                card=row.card_no,
                phone=row.phone or "-",
                field=row.field,
                lost=row.lost or "-",
                reason=_("another member has it: card {card}").format(card=row.other_card_no)
                if row.other_card_no
                else _("replaced by a later-arriving edit"),
                store=row.store_code or "-",
                register=row.register_id or "-",
                at=row.changed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )
            + resolved
        )
    return EXIT_OK


_RESOLUTIONS = {
    "mine": N_("the member's value kept"),
    "theirs": N_("the lost value applied"),
    "merged": N_("the two members merged"),
}


def _grant(engine: Engine, store: str, register: str) -> int:
    import os

    from pos.sync import central, roles

    given = os.environ.get(PASSWORD_VARIABLE, "")
    password = given or roles.new_password()
    try:
        with central.hq_sessions(engine).begin() as hq:
            name = roles.grant(hq, store, register, password, central.hq_now(hq))
    except roles.GrantError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    print(
        _("Role {role}: store {store} register {register}, only what sync needs").format(
            role=name, store=store, register=register
        )
    )
    if not given:
        print(
            _(
                "Its password (shown once; put it in that register's POS_SYNC__HQ_URL): {password}"
            ).format(password=password)
        )
    return EXIT_OK


def _merge(engine: Engine, args: argparse.Namespace) -> int:
    from pos.sync import central, identity

    try:
        with central.hq_sessions(engine).begin() as hq:
            now = central.hq_now(hq)
            if args.members == "merge":
                identity.merge(hq, args.card_a, args.card_b, now)
                done = _("Member {b} merged into {a}").format(a=args.card_a, b=args.card_b)
            elif args.members == "resolve":
                card = identity.resolve(hq, args.conflict_id, args.keep, args.by, now)
                done = _(_RESOLVED[args.keep]).format(id=args.conflict_id, card=card)
            else:
                card = identity.unmerge(hq, args.card, now)
                done = _("Member {card} is a member of their own again").format(card=card)
    except identity.MergeError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    print(done)
    return EXIT_OK


_RESOLVED = {
    "mine": N_("Conflict #{id} resolved: card {card} keeps its value"),
    "theirs": N_("Conflict #{id} resolved: card {card} takes the value that lost"),
}


SKEW_WARNING_SECONDS = 120
"""A register whose clock is off by more than this is pointed out (NTP, docs/chain.md)."""


def _registers(engine: Engine, silent_minutes: int) -> int:
    from datetime import timedelta

    from pos.sync import central

    with central.hq_sessions(engine)() as hq:
        now = central.hq_now(hq)
        rows = central.registers(hq)
    if not rows:
        print(_("No register has reported to head office yet"))
        return EXIT_OK
    print(
        f"{_('Store'):<8} {_('Register'):<8} {_('Version'):<10} {_('Last push'):<17} "
        f"{_('Last pull'):<17} {_('Waiting'):>7} {_('Clock skew'):>10}"
    )
    silent = 0
    for row in rows:
        line = (
            f"{row.store_code:<8} {row.register_id:<8} {row.version:<10} "
            f"{_when(row.last_push_at):<17} {_when(row.last_pull_at):<17} "
            f"{row.waiting:>7} {row.clock_skew_seconds:>+9.0f}s"
        )
        notes = []
        if now - row.reported_at > timedelta(minutes=silent_minutes):
            silent += 1
            notes.append(
                _("silent for {minutes} min").format(
                    minutes=int((now - row.reported_at).total_seconds() // 60)
                )
            )
        if abs(row.clock_skew_seconds) > SKEW_WARNING_SECONDS:
            notes.append(_("clock off"))
        print(line + ("  " + _("WARNING: {notes}").format(notes=", ".join(notes)) if notes else ""))
    if silent:
        print(
            _("{n} register(s) silent for more than {minutes} min").format(
                n=silent, minutes=silent_minutes
            ),
            file=sys.stderr,
        )
    return EXIT_OK


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"
