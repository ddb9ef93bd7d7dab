"""Head office: the central database, the outbox items it applies and the changes it hands out.

The central database is PostgreSQL (``postgresql://user:password@host/db``),
built by the register's own migrations, so it has the same tables (catalogue,
members, promotions) plus head office's: ``hq_event`` (every item applied, once),
``hq_sale``, ``hq_points_entry`` (the chain's points ledger), ``hq_stock_movement``,
``hq_member_field`` (when each member field last changed) and ``hq_member_alias``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    create_engine,
    event,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from pos.models import (
    HqEvent,
    HqMemberAlias,
    HqMemberConflict,
    HqMemberField,
    HqPointsDebt,
    HqPointsEntry,
    HqSale,
    HqStockMovement,
    Member,
    utcnow,
)
from pos.sync import health, points
from pos.sync.outbox import MEMBER_GROUPS, member_fields

CONNECT_TIMEOUT = 5
"""Seconds to wait for head office before the register counts itself offline."""

KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
"""TCP keepalives toward head office: a dead peer is noticed within about 25 s."""

FEED_TABLES = ("member", "product", "promotion")
"""Head-office tables registers pull, each numbered by the change feed."""


@dataclass(frozen=True)
class LinkSettings:
    """How long a register waits on head office (``[sync]`` settings, in seconds)."""

    statement_timeout: int = 30
    lock_timeout: int = 10
    idle_in_transaction: int = 60
    stall: int = 30
    """0 for a timeout: none (PostgreSQL's meaning); 0 for ``stall``: no watchdog."""


ADMIN_LINK = LinkSettings(statement_timeout=0, stall=0)
"""``pos hq init``: its migrations and back-fills may run long; it still gives up on a
lock it cannot get within ``lock_timeout`` (rather than queue every register behind it)."""


class HqUrlError(ValueError):
    """The head-office URL cannot be used (the message never shows the password)."""


def engine_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named (``postgresql://`` is accepted as is)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise HqUrlError(_url_problem(exc)) from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        if parsed.port is not None and not 0 < parsed.port < 65536:
            raise HqUrlError(f"not a database URL: port {parsed.port} is out of range")
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername == "sqlite":
        return url
    raise HqUrlError(f"head office must be postgresql://…, not {parsed.drivername}")


def _url_problem(exc: Exception) -> str:
    """Why a URL does not parse, without repeating the URL (it may hold a password)."""
    if isinstance(exc, ValueError) and "int()" in str(exc):
        return "not a database URL: the port must be a number"
    return "not a database URL (expected postgresql://USER:PASSWORD@HOST:PORT/DB)"


def make_hq_engine(url: str, link: LinkSettings | None = None) -> Engine:
    """An engine on head office whose every session is bounded in time.

    PostgreSQL cancels a statement, a lock wait or an idle transaction after the
    ``link`` timeouts; TCP keepalives notice a dead peer; and a :class:`Watchdog`
    cuts a connection that got no answer for ``link.stall`` seconds (a link that
    silently stops forwarding answers nothing, not even an error).
    """
    link = link or LinkSettings()
    full = engine_url(url)
    if full.startswith("sqlite"):
        return create_engine(full)
    options = " ".join(
        (
            f"-c statement_timeout={link.statement_timeout * 1000}",
            f"-c lock_timeout={link.lock_timeout * 1000}",
            f"-c idle_in_transaction_session_timeout={link.idle_in_transaction * 1000}",
        )
    )
    engine = create_engine(
        full,
        pool_pre_ping=link.stall <= 0,  # otherwise the watchdog pings, under its clock
        connect_args={
            "connect_timeout": min(CONNECT_TIMEOUT, link.stall or CONNECT_TIMEOUT),
            "application_name": "pos-sync",
            "options": options,
            "prepare_threshold": None,  # no server-side prepared statements (PgBouncer)
            **KEEPALIVE,
        },
    )
    if link.stall <= 0:
        return engine
    watchdog = Watchdog(link.stall, engine.dialect.do_ping)
    event.listen(engine.pool, "connect", watchdog.connected)
    event.listen(engine.pool, "checkout", watchdog.armed)
    event.listen(engine.pool, "checkin", watchdog.disarmed)
    event.listen(engine, "after_cursor_execute", watchdog.progressed)
    _WATCHDOGS[engine] = watchdog
    return engine


class Watchdog:
    """Cuts a head-office connection that made no progress for ``seconds``.

    Progress is a round trip completed (a statement answered); the clock starts
    when the connection leaves the pool. Cutting shuts the socket down under the
    driver, so a call blocked on it fails at once with a connection error
    instead of waiting forever. A connection is pinged as it leaves the pool,
    under the clock (the pool's own pre-ping would run before it starts): one
    that fails is replaced.
    """

    def __init__(self, seconds: float, ping: Callable[[Any], bool]) -> None:
        self.seconds = seconds
        self.ping = ping
        self.cuts = 0
        self._held: dict[int, tuple[Any, float]] = {}
        self._lock = threading.Lock()
        self._monitor: threading.Thread | None = None

    def connected(self, _dbapi_connection: Any, record: Any) -> None:
        """A new connection: no need to ping it on its first checkout."""
        record.info["fresh"] = True

    def armed(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        """Start the clock on a connection taken from the pool (and ping it if not new)."""
        with self._lock:
            self._held[id(dbapi_connection)] = (dbapi_connection, time.monotonic())
            if self._monitor is None:
                self._monitor = threading.Thread(
                    target=self._watch, name="pos-hq-watchdog", daemon=True
                )
                self._monitor.start()
        if record.info.pop("fresh", False):
            return
        try:
            self.ping(dbapi_connection)
        except Exception as exc:
            self.disarmed(dbapi_connection, None)
            raise DisconnectionError(str(exc)) from exc

    def progressed(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        """A statement was answered: the link is alive."""
        key = id(cursor.connection)
        with self._lock:
            if key in self._held:
                self._held[key] = (self._held[key][0], time.monotonic())

    def disarmed(self, dbapi_connection: Any, _record: Any) -> None:
        """Stop the clock on a connection given back."""
        with self._lock:
            self._held.pop(id(dbapi_connection), None)

    def cut_all(self) -> None:
        """Cut every connection in use now (the register is closing)."""
        with self._lock:
            held = [connection for connection, _since in self._held.values()]
            self._held.clear()
        for connection in held:
            _shut(connection)

    def _watch(self) -> None:
        step = min(0.25, self.seconds / 4)
        while True:
            time.sleep(step)
            now = time.monotonic()
            with self._lock:
                stalled = [
                    key for key, (_c, since) in self._held.items() if now - since > self.seconds
                ]
                cut = [self._held.pop(key)[0] for key in stalled]
                self.cuts += len(cut)
            for connection in cut:
                _shut(connection)


def _shut(dbapi_connection: Any) -> None:
    with contextlib.suppress(Exception):
        fd = dbapi_connection.pgconn.socket
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


_WATCHDOGS: weakref.WeakKeyDictionary[Engine, Watchdog] = weakref.WeakKeyDictionary()


def watchdog(engine: Engine) -> Watchdog | None:
    """The watchdog of an engine made by :func:`make_hq_engine` (None on SQLite)."""
    return _WATCHDOGS.get(engine)


def hq_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions on head office (not tracked: nothing there goes to an outbox)."""
    return sessionmaker(engine, expire_on_commit=False)


def init_hq(engine: Engine) -> str | None:
    """Create or upgrade the central database; return the revision it was at before.

    Besides the migrations (the register's tables), head office gets its change
    feed (idempotent, so an existing head office is upgraded in place).
    """
    from alembic import command
    from alembic.migration import MigrationContext

    from pos.store.db import alembic_config

    with engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.dialect.name == "postgresql":
            for statement in _hq_schema():
                connection.execute(text(statement))
            for statement in points.hold_schema():
                connection.execute(text(statement))
    return before


HQ_OWN_TABLES = frozenset(
    {
        "hq_register",
        "hq_sale_line",
        "hq_return",
        "hq_return_line",
        "hq_member_store",
        "hq_member_health",
        "hq_points_hold",
    }
)
"""Head-office tables :func:`init_hq` makes itself (not the registers' migrations)."""
HQ_OWN_COLUMNS = frozenset({"change_seq", "change_xid"})
"""Head-office columns :func:`init_hq` adds to the migrations' tables (the change feed)."""


def hq_own(name: str | None, type_: str) -> bool:
    """Whether a schema object of this name and type is head office's own, not a model's
    (an ``include_object`` test for comparing head office with the models)."""
    if type_ == "table":
        return name in HQ_OWN_TABLES
    if type_ == "column":
        return name in HQ_OWN_COLUMNS
    if type_ == "index" and name is not None:
        return name.endswith("_change") or name.startswith(
            ("ix_hq_sale_line_", "ix_hq_return_", "ix_hq_member_store_", "ix_hq_points_hold_")
        )
    return False


def _hq_schema() -> list[str]:
    """Head office's own DDL, each statement safe to run again."""
    statements = [
        "CREATE SEQUENCE IF NOT EXISTS hq_change_seq",
        """CREATE OR REPLACE FUNCTION hq_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.change_seq := nextval('hq_change_seq');
            NEW.change_xid := pg_current_xact_id()::text::bigint;
            RETURN NEW;
        END $$""",
        """CREATE OR REPLACE FUNCTION hq_touch_members() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
        BEGIN
            UPDATE member SET change_seq = NULL
            WHERE id IN (SELECT DISTINCT member_id FROM added);
            RETURN NULL;
        END $$""",
    ]
    for table in FEED_TABLES:
        statements += [
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS change_seq bigint",
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS change_xid bigint",
            f"CREATE OR REPLACE TRIGGER {table}_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hq_stamp_change()",
            f"UPDATE {table} SET change_seq = NULL WHERE change_seq IS NULL",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_change ON {table} (change_xid, change_seq)",
        ]
    statements += [
        """CREATE TABLE IF NOT EXISTS hq_register (
            store_code varchar(8) NOT NULL,
            register_id varchar(4) NOT NULL,
            version varchar(32) NOT NULL DEFAULT '',
            last_push_at timestamptz,
            last_pull_at timestamptz,
            waiting integer NOT NULL DEFAULT 0,
            clock_skew_seconds double precision NOT NULL DEFAULT 0,
            reported_at timestamptz NOT NULL,
            PRIMARY KEY (store_code, register_id)
        )""",
        *_SALES_AND_RETURNS,
        # a points entry changes its member's balance: the member goes down the feed again
        "CREATE OR REPLACE TRIGGER hq_points_entry_change AFTER INSERT ON hq_points_entry "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hq_touch_members()",
        # members' health data apart, readable by a store's role only for its visitors
        *health.hq_schema(),
    ]
    return statements


_SALE_LINES = """INSERT INTO hq_sale_line
    SELECT s.number, s.store_code, s.register_id, s.business_date, (l->>'line_no')::int,
        l->>'sku', l->>'name', (l->>'qty')::int, (l->>'unit_price_fen')::bigint,
        (l->>'discount_fen')::bigint, (l->>'total_fen')::bigint, (l->>'promotion_id')::int
    FROM {source} AS s, jsonb_array_elements(s.payload::jsonb -> 'lines') AS l
    ON CONFLICT DO NOTHING"""

_RETURNS = """INSERT INTO hq_return
    SELECT e.payload::jsonb->>'number', e.payload::jsonb->>'original', e.store_code,
        e.register_id, (e.payload::jsonb->>'completed_at')::timestamptz,
        e.payload::jsonb->>'cashier', e.payload::jsonb->>'approved_by',
        e.payload::jsonb->>'reason', (e.payload::jsonb->>'total_fen')::bigint,
        COALESCE((e.payload::jsonb->>'points_reversed')::int, 0),
        COALESCE((e.payload::jsonb->>'points_restored')::int, 0), e.received_at
    FROM {source} AS e WHERE e.kind = 'return'
    ON CONFLICT DO NOTHING"""

_RETURN_LINES = """INSERT INTO hq_return_line
    SELECT e.payload::jsonb->>'number', (l->>'line_no')::int, l->>'sku', l->>'name',
        (l->>'qty')::int, (l->>'unit_price_fen')::bigint, (l->>'total_fen')::bigint,
        COALESCE((l->>'restocked')::boolean, false)
    FROM {source} AS e, jsonb_array_elements(e.payload::jsonb -> 'lines') AS l
    WHERE e.kind = 'return'
    ON CONFLICT DO NOTHING"""

_SALES_AND_RETURNS = (
    """CREATE TABLE IF NOT EXISTS hq_sale_line (
        sale_number varchar(80) NOT NULL,
        store_code varchar(8) NOT NULL,
        register_id varchar(4) NOT NULL,
        business_date date NOT NULL,
        line_no integer NOT NULL,
        sku varchar(64) NOT NULL,
        name text NOT NULL,
        qty integer NOT NULL,
        unit_price_fen bigint NOT NULL,
        discount_fen bigint NOT NULL,
        total_fen bigint NOT NULL,
        promotion_id integer,
        PRIMARY KEY (sale_number, line_no)
    )""",
    "CREATE INDEX IF NOT EXISTS ix_hq_sale_line_store_date "
    "ON hq_sale_line (store_code, business_date)",
    "CREATE INDEX IF NOT EXISTS ix_hq_sale_line_sku_date ON hq_sale_line (sku, business_date)",
    """CREATE TABLE IF NOT EXISTS hq_return (
        number varchar(80) PRIMARY KEY,
        original_number varchar(80) NOT NULL,
        store_code varchar(8) NOT NULL,
        register_id varchar(4) NOT NULL,
        completed_at timestamptz NOT NULL,
        cashier varchar(64),
        approved_by varchar(64),
        reason text,
        total_fen bigint NOT NULL,
        points_reversed integer NOT NULL,
        points_restored integer NOT NULL,
        received_at timestamptz NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ix_hq_return_store_completed "
    "ON hq_return (store_code, completed_at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_return_original ON hq_return (original_number)",
    """CREATE TABLE IF NOT EXISTS hq_return_line (
        return_number varchar(80) NOT NULL,
        line_no integer NOT NULL,
        sku varchar(64) NOT NULL,
        name text NOT NULL,
        qty integer NOT NULL,
        unit_price_fen bigint NOT NULL,
        total_fen bigint NOT NULL,
        restocked boolean NOT NULL,
        PRIMARY KEY (return_number, line_no)
    )""",
    f"""CREATE OR REPLACE FUNCTION hq_sale_lines() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        {_SALE_LINES.format(source="added")};
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION hq_returns() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        {_RETURNS.format(source="added")};
        {_RETURN_LINES.format(source="added")};
        RETURN NULL;
    END $$""",
    "CREATE OR REPLACE TRIGGER hq_sale_lines AFTER INSERT ON hq_sale "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hq_sale_lines()",
    "CREATE OR REPLACE TRIGGER hq_returns AFTER INSERT ON hq_event "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hq_returns()",
    # what head office received before these tables existed
    _SALE_LINES.format(source="hq_sale"),
    _RETURNS.format(source="hq_event"),
    _RETURN_LINES.format(source="hq_event"),
)
"""Head office's sales lines and returns as tables (filled from the items registers push,
by triggers, whatever code applies them)."""


# -- the registers of the chain ---------------------------------------------------------


@dataclass(frozen=True)
class RegisterReport:
    """What a register tells head office about itself at the end of a sync."""

    store_code: str
    register_id: str
    version: str
    pushed: bool
    waiting: int
    clock: datetime
    """The register's clock (UTC) when it reports."""


@dataclass(frozen=True)
class RegisterRow:
    """One register as head office last heard of it."""

    store_code: str
    register_id: str
    version: str
    last_push_at: datetime | None
    last_pull_at: datetime | None
    waiting: int
    clock_skew_seconds: float
    reported_at: datetime


def report_register(session: Session, report: RegisterReport) -> None:
    """Record a register's state (its clock compared with head office's own, now)."""
    session.execute(
        text(
            "INSERT INTO hq_register AS r (store_code, register_id, version, last_push_at,"
            " last_pull_at, waiting, clock_skew_seconds, reported_at)"
            " VALUES (:store, :register, :version,"
            " CASE WHEN :pushed THEN clock_timestamp() END, clock_timestamp(), :waiting,"
            " EXTRACT(EPOCH FROM (CAST(:clock AS timestamptz) - clock_timestamp())),"
            " clock_timestamp())"
            " ON CONFLICT (store_code, register_id) DO UPDATE SET"
            " version = EXCLUDED.version,"
            " last_push_at = COALESCE(EXCLUDED.last_push_at, r.last_push_at),"
            " last_pull_at = EXCLUDED.last_pull_at, waiting = EXCLUDED.waiting,"
            " clock_skew_seconds = EXCLUDED.clock_skew_seconds,"
            " reported_at = EXCLUDED.reported_at"
        ),
        {
            "store": report.store_code,
            "register": report.register_id,
            "version": report.version[:32],
            "pushed": report.pushed,
            "waiting": report.waiting,
            "clock": report.clock,
        },
    )


def registers(session: Session) -> list[RegisterRow]:
    """Every register that ever reported, by store and register."""
    rows = session.execute(
        text(
            "SELECT store_code, register_id, version, last_push_at, last_pull_at, waiting,"
            " clock_skew_seconds, reported_at FROM hq_register ORDER BY store_code, register_id"
        )
    )
    return [RegisterRow(*row) for row in rows]


# -- the change feed ---------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FeedMark:
    """A place in head office's change feed: after the change (``xid``, ``seq``).

    Every write at head office stamps its rows with its transaction id and a
    number from one sequence. A transaction id below the horizon (the oldest
    transaction still running) is final: its rows are all visible and no later
    write can take a lower place. So a register that pulled every change below a
    horizon, in (xid, seq) order, has missed none, whatever order transactions
    commit in.
    """

    xid: int = 0
    seq: int = 0

    def __str__(self) -> str:
        return f"{self.xid}:{self.seq}"

    @classmethod
    def parse(cls, value: str | None) -> FeedMark:
        """The mark stored as ``xid:seq`` (the start for nothing or a bad value)."""
        try:
            xid, seq = (value or "").split(":")
            return cls(int(xid), int(seq))
        except ValueError:
            return cls()


def feed_horizon(session: Session) -> int:
    """The oldest transaction id still running at head office: changes below it are final."""
    horizon = session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
    return int(horizon or 0)


def _feed_columns(table: str) -> tuple[Any, Any]:
    return literal_column(f"{table}.change_xid"), literal_column(f"{table}.change_seq")


def feed_filter(table: str, after: FeedMark, horizon: int) -> Any:
    """Rows of ``table`` changed after ``after`` and below ``horizon``."""
    xid, seq = _feed_columns(table)
    return and_(tuple_(xid, seq) > tuple_(literal(after.xid), literal(after.seq)), xid < horizon)


def feed_order(table: str) -> tuple[Any, Any]:
    """The feed's order."""
    return _feed_columns(table)


def feed_backlog(session: Session, table: str, after: FeedMark, horizon: int) -> int:
    """How many rows of ``table`` wait in the feed after ``after`` (for progress)."""
    query = select(func.count()).select_from(text(table)).where(feed_filter(table, after, horizon))
    return int(session.scalar(query) or 0)


# -- receiving outbox items --------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One outbox item as a register sends it."""

    uid: str
    kind: str
    key: str
    payload: dict[str, Any]
    created_at: datetime


def receive(
    session: Session, store_code: str, register_id: str, items: list[Sent], now: datetime
) -> int:
    """Apply the items not applied before; return how many were new.

    Set-based, a few statements per batch whatever its size: one claims the batch's
    ids (``hq_event``), one locks every member the batch touches, in the order of
    their ids (two stores pushing at once never wait on each other in a circle);
    then member items are applied in their order, and sales, points and stock
    movements each with a few multi-row statements.
    """
    fresh = _claim(session, store_code, register_id, items, now)
    if not fresh:
        return 0
    batch = Batch(store_code, register_id, now)
    for item in fresh:
        batch.kinds.setdefault(item.kind, []).append(item)
    _lock_members(session, batch.uids(("points", "member_uid"), ("member", "uid")))
    for kind, apply in HANDLERS.items():  # members first: a sale's member may be new
        if kind in batch.kinds:
            apply(session, batch, batch.kinds[kind])
    return len(fresh)


@dataclass
class Batch:
    """The new items of one push, by kind, and what their handlers share."""

    store: str
    register: str
    now: datetime
    kinds: dict[str, list[Sent]] = field(default_factory=dict)
    _members: dict[str, Member] | None = None

    def uids(self, *where: tuple[str, str]) -> list[str | None]:
        """The member uids in the payloads of (kind, field)."""
        return [item.payload.get(name) for kind, name in where for item in self.kinds.get(kind, [])]

    def members(self, session: Session) -> dict[str, Member]:
        """The members the batch's sales and points name, looked up once (after the
        member items are applied: an enrolment of the batch counts)."""
        if self._members is None:
            uids = self.uids(("sale", "member_uid"), ("points", "member_uid"))
            self._members = members_by_uid(session, uids)
        return self._members


def _insert(session: Session, model: type[Any]) -> Any:
    """An ``INSERT`` with ``ON CONFLICT`` for the head office's dialect."""
    # Imported here: the PostgreSQL dialect alone adds a tenth of a second to the
    # register's cold start, and a register without a head office never needs it.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


def _claim(
    session: Session, store: str, register: str, items: list[Sent], now: datetime
) -> list[Sent]:
    """Record the items' ids (one statement); the items head office had not applied yet."""
    unique = list({item.uid: item for item in items}.values())
    if not unique:
        return []
    rows = [
        {
            "uid": item.uid,
            "kind": item.kind,
            "key": item.key,
            "store_code": store,
            "register_id": register,
            "payload": json.dumps(item.payload, ensure_ascii=False, sort_keys=True),
            "created_at": item.created_at,
            "received_at": now,
        }
        for item in unique
    ]
    statement = (
        _insert(session, HqEvent).values(rows).on_conflict_do_nothing(index_elements=["uid"])
    )
    claimed = set(session.scalars(statement.returning(HqEvent.uid)))
    return [item for item in unique if item.uid in claimed]


def _lock_members(session: Session, uids: list[str | None]) -> None:
    """Lock the members with these uids (or merged into under them), lowest id first."""
    wanted = sorted({uid for uid in uids if uid})
    if not wanted or session.get_bind().dialect.name != "postgresql":
        return
    aliased = select(HqMemberAlias.member_id).where(HqMemberAlias.uid.in_(wanted))
    session.execute(
        select(Member.id)
        .where(Member.uid.in_(wanted) | Member.id.in_(aliased))
        .order_by(Member.id)
        .with_for_update()
    )


def members_by_uid(session: Session, uids: list[str | None]) -> dict[str, Member]:
    """The member each uid names: the one it was merged into, else itself (one statement)."""
    wanted = sorted({uid for uid in uids if uid})
    if not wanted:
        return {}
    direct = select(
        Member.uid.label("key"), Member.id.label("member_id"), literal(1).label("rank")
    ).where(Member.uid.in_(wanted))
    merged = select(
        HqMemberAlias.uid.label("key"), HqMemberAlias.member_id, literal(0).label("rank")
    ).where(HqMemberAlias.uid.in_(wanted))
    both = union_all(direct, merged).subquery()
    rows = session.execute(
        select(both.c.key, Member)
        .join(Member, Member.id == both.c.member_id)
        .order_by(both.c.key, both.c.rank)
    )
    found: dict[str, Member] = {}
    for key, member in rows:
        found.setdefault(key, member)  # a merge (rank 0) before the uid's own row
    return found


def _sales(session: Session, batch: Batch, items: list[Sent]) -> None:
    members = batch.members(session)
    rows = []
    for item in items:
        data = item.payload
        member = members.get(data.get("member_uid") or "")
        rows.append(
            {
                "number": data["number"],
                "store_code": data.get("store_code", batch.store),
                "register_id": data.get("register_id", batch.register),
                "business_date": date.fromisoformat(data["business_date"]),
                "completed_at": datetime.fromisoformat(data["completed_at"]),
                "member_uid": member.uid if member is not None else data.get("member_uid"),
                "total_fen": int(data["total_fen"]),
                "payload": json.dumps(data, ensure_ascii=False, sort_keys=True),
                "received_at": batch.now,
            }
        )
    statement = _insert(session, HqSale).on_conflict_do_nothing(index_elements=["number"])
    stored = set(session.scalars(statement.values(rows).returning(HqSale.number)))
    taken = []
    for row in rows:  # the first row of a number stored was stored (a batch may repeat one)
        if row["number"] in stored:
            stored.discard(row["number"])
        else:
            taken.append(row)
    if not taken:
        return
    # A number head office has (or this batch repeats): the same sale sent again, or
    # another sale under that number (a register restored from an old backup numbers
    # its next sales again), kept too under ``number#uid``, never dropped.
    numbers = sorted({row["number"] for row in taken})
    known = {
        number: payload
        for number, payload in session.execute(
            select(HqSale.number, HqSale.payload).where(HqSale.number.in_(numbers))
        )
    }
    uid_of = {id(row): item.uid for row, item in zip(rows, items, strict=True)}
    again = [
        row | {"number": f"{row['number']}#{uid_of[id(row)][:8]}"}
        for row in taken
        if known.get(row["number"]) != row["payload"]
    ]
    if again:
        session.execute(
            _insert(session, HqSale).values(again).on_conflict_do_nothing(index_elements=["number"])
        )


def _points(session: Session, batch: Batch, items: list[Sent]) -> None:
    members = batch.members(session)
    entries = []
    # The holds head office placed confirming these redemptions: the entries now count.
    points.release_holds(session, [item.payload.get("hold") for item in items])
    for item in items:
        data = item.payload
        member = members.get(data.get("member_uid") or "")
        if member is None:
            continue
        entries.append(
            HqPointsEntry(
                uid=item.uid,
                member_id=member.id,
                delta=int(data["delta"]),
                reason=str(data["reason"])[:20],
                sale_number=data.get("sale_number"),
                store_code=batch.store,
                created_at=datetime.fromisoformat(data["created_at"]),
            )
        )
    if not entries:
        return
    # A balance that goes below zero stays visible.
    debts = points.debts(session, entries, batch.register, batch.now)
    session.execute(
        insert(HqPointsEntry),
        [{c: getattr(e, c) for c in POINTS_COLUMNS} for e in entries],
    )
    if debts:
        session.execute(insert(HqPointsDebt), debts)
    touched = sorted({entry.member_id for entry in entries})
    session.execute(  # registers pull the new balances
        update(Member).where(Member.id.in_(touched)).values(updated_at=batch.now)
    )


POINTS_COLUMNS = ("uid", "member_id", "delta", "reason", "sale_number", "store_code", "created_at")


def _stock(session: Session, batch: Batch, items: list[Sent]) -> None:
    session.execute(
        insert(HqStockMovement),
        [
            {
                "uid": item.uid,
                "store_code": batch.store,
                "register_id": batch.register,
                "sku": item.payload["sku"],
                "lot_number": item.payload["lot_number"],
                "delta": int(item.payload["delta"]),
                "reason": str(item.payload["reason"])[:20],
                "sale_number": item.payload.get("sale_number"),
                "created_at": datetime.fromisoformat(item.payload["created_at"]),
            }
            for item in items
        ],
    )


def _members(session: Session, batch: Batch, items: list[Sent]) -> None:
    for item in items:  # in their order: an edit may follow the enrolment
        _member(session, batch.store, batch.register, item, batch.now)


def _member(session: Session, store: str, register: str, item: Sent, now: datetime) -> None:
    data = item.payload
    changed_at = datetime.fromisoformat(data["changed_at"])
    member = member_by_uid(session, data["uid"], lock=True)
    if data["op"] == "enrol" and member is None:
        member = _enrol(session, store, data, now)
        if member is None:
            return
    if member is None:
        return
    if data["op"] == "erase":
        erase(member, changed_at, now)
        return
    if member.erased_at is not None:
        return
    session.flush()
    seen = data.get("seen")
    edit = Edit(store, register, changed_at, now, datetime.fromisoformat(seen) if seen else None)
    for group, values in data.get("fields", {}).items():
        if group not in MEMBER_GROUPS:
            continue
        if group == "phone" and values.get("phone"):
            other = session.scalar(select(Member.id).where(Member.phone == values["phone"]))
            if other is not None and other != member.id:
                # That phone is someone else's at head office (reused by another person,
                # or a second enrolment not merged): not applied, and kept visible.
                _conflict(session, member, group, values, "phone", edit, other)
                continue
        if group == "last_visit_at" and not _later_visit(member, values):
            continue  # a visit is a fact: the latest stays, whichever arrives last
        stamp = session.get(HqMemberField, (member.id, group))
        if stamp is not None and group in PERSONAL_GROUPS and _concurrent(stamp, edit):
            # Head office's order of arrival decides (never a register's clock): this edit
            # wins; the value it replaces, another register's, is kept as the loser.
            lost = member_fields(member, {group})[group]
            if group == "health":  # the notes are kept apart at head office
                lost |= health.current(session, member.id)
            loser = Edit(
                stamp.store_code or "",
                stamp.register_id or "",
                stamp.changed_at,
                stamp.received_at or now,
            )
            if lost != {k: _json(v) for k, v in values.items()}:
                _conflict(session, member, group, lost, "edit", loser)
        for column in MEMBER_GROUPS[group]:
            setattr(member, column, from_json(column, values.get(column)))
        if group == "health":  # kept apart, readable where the member visits
            health.received(session, member, values, store, now)
        if stamp is None:
            stamp = HqMemberField(member_id=member.id, field=group)
            session.add(stamp)
        stamp.changed_at = changed_at
        stamp.store_code, stamp.register_id, stamp.received_at = store, register, now
    if "referral" in data:
        apply_referral(session, member, data["referral"])
    member.updated_at = now
    session.flush()


def apply_referral(session: Session, member: Member, data: dict[str, Any]) -> None:
    """A member's referral as sent (or pulled): the first code, referrer and credit stay.

    The referrer is found by uid (or the member it was merged into); one unknown here, or
    the member themself, is left out."""
    if member.referral_code is None and data.get("code"):
        member.referral_code = data["code"]
    if member.referrer_id is None and data.get("referrer_uid"):
        referrer = member_by_uid(session, data["referrer_uid"])
        if referrer is not None and referrer.id != member.id:
            member.referrer_id = referrer.id
    if member.referral_credited_at is None and data.get("credited_at"):
        member.referral_credited_at = datetime.fromisoformat(data["credited_at"])


CONFLICT_WINDOW = timedelta(days=1)
"""For an edit that does not say what its register had seen (an older version): two
registers' edits of the same field arriving within this time (head office's clock) are
taken as concurrent."""


PERSONAL_GROUPS = frozenset(
    {"phone", "name", "gender", "birthday", "health", "consent_terms", "consent_marketing"}
)
"""The field groups a person's edit sets (a losing value of these is kept as a conflict)."""


def _later_visit(member: Member, values: dict[str, Any]) -> bool:
    incoming = values.get("last_visit_at")
    if incoming is None or member.last_visit_at is None:
        return incoming is not None
    return _aware(datetime.fromisoformat(incoming)) > _aware(member.last_visit_at)


@dataclass(frozen=True)
class Edit:
    """Who made a member edit, when (their clock), and when head office applied it."""

    store: str
    register: str
    changed_at: datetime
    received_at: datetime
    seen: datetime | None = None
    """Head office's clock at the editing register's last pull: values that arrived at
    head office after it were not seen by whoever made the edit."""


def _concurrent(stamp: HqMemberField, edit: Edit) -> bool:
    """True when the edit replaces another register's value its maker had not seen."""
    if (stamp.store_code, stamp.register_id) == (edit.store, edit.register):
        return False  # a register's own later edit
    if stamp.received_at is None:
        return False  # set before head office kept who set it
    arrived = _aware(stamp.received_at)
    if edit.seen is not None:
        return arrived > _aware(edit.seen)
    return edit.received_at - arrived <= CONFLICT_WINDOW  # a register of an older version


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _conflict(
    session: Session,
    member: Member,
    group: str,
    lost: dict[str, Any],
    reason: str,
    edit: Edit,
    other: int | None = None,
) -> None:
    session.add(
        HqMemberConflict(
            member_id=member.id,
            field=group,
            reason=reason,
            lost=json.dumps(
                {k: _json(v) for k, v in lost.items()}, ensure_ascii=False, sort_keys=True
            ),
            store_code=edit.store,
            register_id=edit.register,
            changed_at=edit.changed_at,
            other_member_id=other,
            recorded_at=edit.received_at,
        )
    )


def same_person(name: str | None, birthday: Any, other: Member) -> bool:
    """True when an enrolment under a member's phone is otherwise consistent with that
    member: the same name, and no different birthday."""
    if (name or "").strip() != (other.name or "").strip():
        return False
    if birthday is None or other.birthday is None:
        return True
    return str(birthday) == other.birthday.isoformat()


def _enrol(session: Session, store: str, data: dict[str, Any], now: datetime) -> Member | None:
    """A new member at head office, or the one with the same phone when it is the same
    person (merged: an alias). Someone else under that phone (a phone given up and
    enrolled again by another person) stays a member of their own, without the phone,
    and the phone is recorded as a conflict."""
    fields = data.get("fields", {})
    phone = fields.get("phone", {}).get("phone")
    if phone:
        same = session.scalar(
            select(Member).where(Member.phone == phone, Member.erased_at.is_(None))
        )
        name = fields.get("name", {}).get("name")
        birthday = fields.get("birthday", {}).get("birthday")
        if same is not None and same_person(name, birthday, same):
            session.add(HqMemberAlias(uid=data["uid"], member_id=same.id, card_no=data["card_no"]))
            session.flush()
            return same
    card_no = data["card_no"]
    if session.scalar(select(Member.id).where(Member.card_no == card_no)) is not None:
        card_no = data["uid"][:32]
    member = Member(
        uid=data["uid"],
        card_no=card_no,
        tier="normal",
        enrolled_at=datetime.fromisoformat(data["enrolled_at"]),
        enrolled_store=data.get("enrolled_store") or store,
        enrolled_by=data.get("enrolled_by"),
        consent_terms=True,
        consents_at=datetime.fromisoformat(data["changed_at"]),
        updated_at=now,
    )
    session.add(member)
    session.flush()
    return member


def erase(member: Member, at: datetime, now: datetime) -> None:
    """Erase a member's personal data at head office (an erasure is final)."""
    if member.erased_at is not None:
        return
    member.card_no = f"X{member.id:012d}"
    for column in ("phone", "phone_last4", "name", "name_initials", "gender", "birthday"):
        setattr(member, column, None)
    member.allergies = ""
    member.conditions = ""
    member.consent_terms = member.consent_marketing = member.consent_health = False
    member.consents_at = at
    member.erased_at = at
    member.updated_at = now


Handler = Callable[[Session, Batch, list[Sent]], None]

HANDLERS: dict[str, Handler] = {
    "member": _members,
    "sale": _sales,
    "points": _points,
    "stock": _stock,
}
"""How head office applies each kind of item, in this order: ``handler(session, batch,
items)`` with the batch's new items of that kind (each id once). A kind without a
handler (``return``, until returns get theirs) is kept in ``hq_event`` only, still
exactly once."""


def member_by_uid(session: Session, uid: str | None, lock: bool = False) -> Member | None:
    """The member with this uid, or the one it was merged into (a merge comes first: a
    member a manager merged into another keeps its row, for ``unmerge``)."""
    if not uid:
        return None
    alias = session.get(HqMemberAlias, uid)
    query = select(Member).where(
        Member.id == alias.member_id if alias is not None else Member.uid == uid
    )
    return session.scalar(query.with_for_update() if lock else query)


def resolve_uid(session: Session, uid: str | None) -> str | None:
    """The uid a member is known by at head office (after a merge, the surviving one)."""
    member = member_by_uid(session, uid)
    return member.uid if member is not None else uid


def from_json(column: str, value: Any) -> Any:
    """A member field's value from its JSON form."""
    if value is None:
        return None
    if column in ("birthday", "tier_until"):
        return date.fromisoformat(value)
    if column in ("consents_at", "last_visit_at"):
        return datetime.fromisoformat(value)
    return value


BALANCE_CHUNK = 1000
"""Member ids per query when summing balances (never one unbounded ``IN``)."""


def balances(session: Session, member_ids: list[int]) -> dict[int, int]:
    """The points of each member: the sum of the chain's ledger."""
    found: dict[int, int] = {}
    for first in range(0, len(member_ids), BALANCE_CHUNK):
        rows = session.execute(
            select(HqPointsEntry.member_id, func.sum(HqPointsEntry.delta))
            .where(HqPointsEntry.member_id.in_(member_ids[first : first + BALANCE_CHUNK]))
            .group_by(HqPointsEntry.member_id)
        )
        found |= {member_id: int(total or 0) for member_id, total in rows}
    return found


def balance_of(member_id: Any) -> Any:
    """The points of the member ``member_id`` (a column) as a scalar subquery."""
    return (
        select(func.coalesce(func.sum(HqPointsEntry.delta), 0))
        .where(HqPointsEntry.member_id == member_id)
        .scalar_subquery()
    )


def hq_now(session: Session) -> datetime:
    """Head office's clock (what it stamps is in its own time, never a register's)."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(select(func.now()))
        if isinstance(value, datetime):
            return value
    return utcnow()
