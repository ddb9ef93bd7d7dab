"""Members' health data only where the member visits (PIPL: minimum necessary).

Allergies and conditions are sensitive personal data, kept with their own consent
(``consent_health``). Head office keeps them apart from the member's row, in
``hq_member_health``; the member's own ``allergies`` and ``conditions`` there stay empty
(a trigger moves whatever is written into them). ``hq_member_store`` records each
store a member visited: a sale there (a trigger on ``hq_sale``, whose rows a register's
role can only write under its own store), a health edit made there, or an attach at
the counter that fetched the notes (:class:`HealthFetch`).

PostgreSQL enforces it, not only the pull's query: row-level security lets a
register's role (``pos hq grant``) read a member's row of ``hq_member_health`` only
when ``hq_member_store`` has a visit of that member at the role's own store. The
pull carries ``consent_health`` for every member, the notes only for members who
visited the register's store; a withdrawn consent (or an erasure) carries empty notes,
which erases them at every register that had them.

At the counter, attaching a member whose notes this register does not have asks
head office (``pos_member_health(uid, store)``, a ``SECURITY DEFINER`` function that
records the visit first, so that store's later pulls bring the notes too); they are
kept here only with the member's consent. Offline, nothing is kept and the member
panel says that the notes are not on this register.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import exists, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import column, table

from pos.config import Settings
from pos.models import Member, OutboxItem
from pos.sync.asking import HqQuestions, Unanswered
from pos.sync.outbox import suppressed

HEALTH_COLUMNS = ("allergies", "conditions")
"""The notes that travel only where the member visits (``consent_health`` travels always)."""

VISITS = table("hq_member_store", column("member_id"), column("store_code"))
NOTES = table("hq_member_health", column("member_id"), *(column(c) for c in HEALTH_COLUMNS))
ROLE_STORE: Any = literal_column("hq_visitor_store()")

_VISITOR_STORE = """CREATE OR REPLACE FUNCTION hq_visitor_store() RETURNS varchar
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ SELECT hq_role_store() $$"""

_SEEN = """CREATE OR REPLACE FUNCTION hq_seen(p_ids integer[], p_store varchar,
    p_at timestamptz) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF p_store IS NULL OR p_store = '' THEN
        RETURN;
    END IF;
    WITH seen AS (
        INSERT INTO hq_member_store AS v (member_id, store_code, first_seen, last_seen)
        SELECT m.id, p_store, p_at, p_at FROM member AS m WHERE m.id = ANY (p_ids)
        ON CONFLICT (member_id, store_code)
            DO UPDATE SET last_seen = GREATEST(v.last_seen, EXCLUDED.last_seen)
        RETURNING v.member_id, (v.xmax = 0) AS first
    )
    -- a first visit: the member goes down the feed again, with the notes for that store
    UPDATE member SET change_seq = NULL WHERE id IN (SELECT member_id FROM seen WHERE first);
END $$"""

_APART = """CREATE OR REPLACE FUNCTION hq_member_health_apart() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NOT NEW.consent_health OR NEW.erased_at IS NOT NULL THEN
        IF TG_OP = 'UPDATE' AND (OLD.consent_health OR OLD.erased_at IS NULL) THEN
            DELETE FROM hq_member_health WHERE member_id = NEW.id;
        END IF;
    ELSIF NEW.allergies <> '' OR NEW.conditions <> '' THEN
        INSERT INTO hq_member_health AS h (member_id, allergies, conditions, changed_at)
        VALUES (NEW.id, NEW.allergies, NEW.conditions, now())
        ON CONFLICT (member_id) DO UPDATE SET allergies = EXCLUDED.allergies,
            conditions = EXCLUDED.conditions, changed_at = EXCLUDED.changed_at;
    END IF;
    NEW.allergies := '';
    NEW.conditions := '';
    RETURN NEW;
END $$"""

_PUT = """CREATE OR REPLACE FUNCTION hq_put_member_health(p_member integer,
    p_allergies varchar, p_conditions varchar, p_store varchar, p_at timestamptz)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM hq_seen(ARRAY[p_member], COALESCE(hq_role_store(), p_store), p_at);
    IF p_allergies = '' AND p_conditions = '' THEN
        DELETE FROM hq_member_health WHERE member_id = p_member;
    ELSE
        INSERT INTO hq_member_health AS h (member_id, allergies, conditions, changed_at)
        VALUES (p_member, p_allergies, p_conditions, now())
        ON CONFLICT (member_id) DO UPDATE SET allergies = EXCLUDED.allergies,
            conditions = EXCLUDED.conditions, changed_at = EXCLUDED.changed_at;
    END IF;
END $$"""

_FETCH = """CREATE OR REPLACE FUNCTION pos_member_health(p_uid varchar, p_store varchar)
    RETURNS TABLE (consent_health boolean, allergies varchar, conditions varchar)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    found integer;
BEGIN
    found := COALESCE((SELECT a.member_id FROM hq_member_alias AS a WHERE a.uid = p_uid),
        (SELECT m.id FROM member AS m WHERE m.uid = p_uid));
    IF found IS NULL THEN
        RETURN;
    END IF;
    PERFORM hq_seen(ARRAY[found], COALESCE(hq_role_store(), p_store), now());
    RETURN QUERY SELECT m.consent_health AND m.erased_at IS NULL,
        CAST(CASE WHEN m.consent_health THEN COALESCE(h.allergies, '') ELSE '' END AS varchar),
        CAST(CASE WHEN m.consent_health THEN COALESCE(h.conditions, '') ELSE '' END AS varchar)
    FROM member AS m LEFT JOIN hq_member_health AS h ON h.member_id = m.id
    WHERE m.id = found;
END $$"""

_SALE_VISITS = """CREATE OR REPLACE FUNCTION hq_sale_visits() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM hq_seen(array_agg(DISTINCT m.id), s.store_code, max(s.completed_at))
    FROM added AS s JOIN member AS m ON m.uid = s.member_uid
    GROUP BY s.store_code;
    RETURN NULL;
END $$"""

REGISTER_FUNCTIONS = (
    "hq_visitor_store()",
    "hq_put_member_health(integer, varchar, varchar, varchar, timestamptz)",
    "pos_member_health(varchar, varchar)",
)
"""Head office's health functions a register's role may call (``pos hq grant``): its
policies' store, a health edit pushed, the notes fetched at an attach."""
FUNCTIONS = ("hq_seen(integer[], varchar, timestamptz)", *REGISTER_FUNCTIONS)
"""All of them (none for ``PUBLIC``)."""


def hq_schema() -> list[str]:
    """Head office's DDL for health data apart and visits (each statement safe to run again)."""
    return [
        """CREATE TABLE IF NOT EXISTS hq_member_store (
            member_id integer NOT NULL,
            store_code varchar(8) NOT NULL,
            first_seen timestamptz NOT NULL,
            last_seen timestamptz NOT NULL,
            PRIMARY KEY (member_id, store_code)
        )""",
        "CREATE INDEX IF NOT EXISTS ix_hq_member_store_store "
        "ON hq_member_store (store_code, member_id)",
        """CREATE TABLE IF NOT EXISTS hq_member_health (
            member_id integer PRIMARY KEY,
            allergies varchar(200) NOT NULL DEFAULT '',
            conditions varchar(200) NOT NULL DEFAULT '',
            changed_at timestamptz NOT NULL
        )""",
        # A register's role sees its own store's visits, and the notes of those members only.
        # (No foreign keys, and the policies call a function of their own: the migrations'
        # tables and hq_role_store() can still be dropped by a downgrade.)
        _VISITOR_STORE,
        "ALTER TABLE hq_member_store ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS own_store ON hq_member_store",
        "CREATE POLICY own_store ON hq_member_store FOR SELECT "
        "USING (store_code = hq_visitor_store())",
        "ALTER TABLE hq_member_health ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS visited ON hq_member_health",
        "CREATE POLICY visited ON hq_member_health FOR SELECT USING (EXISTS ("
        "SELECT 1 FROM hq_member_store AS v WHERE v.member_id = hq_member_health.member_id"
        " AND v.store_code = hq_visitor_store()))",
        _SEEN,
        _APART,
        _PUT,
        _FETCH,
        _SALE_VISITS,
        *(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC" for function in FUNCTIONS),
        "CREATE OR REPLACE TRIGGER member_health_apart BEFORE INSERT OR UPDATE ON member "
        "FOR EACH ROW EXECUTE FUNCTION hq_member_health_apart()",
        "CREATE OR REPLACE TRIGGER hq_sale_visits AFTER INSERT ON hq_sale "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hq_sale_visits()",
        # what head office had before: the notes moved apart, the visits of its sales
        "UPDATE member SET allergies = allergies WHERE allergies <> '' OR conditions <> ''",
        """DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM hq_member_store) THEN
                PERFORM hq_seen(array_agg(DISTINCT m.id), s.store_code, max(s.completed_at))
                FROM hq_sale AS s JOIN member AS m ON m.uid = s.member_uid
                GROUP BY s.store_code;
            END IF;
        END $$""",
    ]


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# -- head office: a push's health edit, the pull's notes -------------------------------


def received(
    session: Session, member: Member, values: dict[str, Any], store: str, at: datetime
) -> None:
    """A health edit pushed by a register of ``store``: the notes kept apart (a visit there).

    A head office on SQLite (one store, no roles) keeps them on the member's row."""
    if not _postgresql(session):
        return
    consent = bool(values.get("consent_health"))
    notes = {c: str(values.get(c) or "") if consent else "" for c in HEALTH_COLUMNS}
    session.execute(
        text("SELECT hq_put_member_health(:member, :allergies, :conditions, :store, :at)"),
        {"member": member.id, **notes, "store": store, "at": at},
    )


def current(session: Session, member_id: int) -> dict[str, str]:
    """The member's notes at head office as this login may see them (none: an empty dict)."""
    if not _postgresql(session):
        return {}
    row = session.execute(select(NOTES).where(NOTES.c.member_id == member_id)).first()
    return {c: getattr(row, c) for c in HEALTH_COLUMNS} if row is not None else {}


def pulled_columns() -> tuple[Any, Any, Any]:
    """For the pull's query (outer-joined on :data:`NOTES`): whether the member visited
    the puller's store, and the notes (which row-level security hides otherwise)."""
    visited = exists().where(VISITS.c.member_id == Member.id, VISITS.c.store_code == ROLE_STORE)
    return visited, NOTES.c.allergies, NOTES.c.conditions


def pulled(
    consent: bool, visited: bool, allergies: str | None, conditions: str | None
) -> dict[str, Any]:
    """The ``health`` group a register pulls: the notes only where the member visited."""
    if not consent:
        return {"consent_health": False, "allergies": "", "conditions": ""}
    if not visited:
        return {"consent_health": True}
    return {"consent_health": True, "allergies": allergies or "", "conditions": conditions or ""}


# -- the register: notes fetched when a member is attached online -----------------------


@dataclass(frozen=True)
class HealthNotes:
    """A member's health notes at head office (empty without consent)."""

    consent_health: bool
    allergies: str
    conditions: str


class HealthSource(Protocol):
    """Where the register asks for a member's notes (head office; a fake in tests)."""

    def fetch(self, uid: str) -> HealthNotes | None:
        """The member's notes; None when head office does not know the member."""
        ...


class HealthUnavailable(Unanswered):
    """Head office did not answer in time (the register is offline)."""


class HealthFetch:
    """Asks head office for an attached member's notes, within the counter's short timeout."""

    def __init__(
        self,
        hq_url: str,
        store_code: str,
        timeout_seconds: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store_code = store_code
        self._hq = HqQuestions(hq_url, timeout_seconds, "pos-health", clock)

    def fetch(self, uid: str) -> HealthNotes | None:
        """The member's notes at head office (recording the visit); :class:`HealthUnavailable`
        when head office cannot be asked (then not again for a minute)."""
        try:
            row = self._hq.ask(
                lambda hq: hq.execute(
                    text("SELECT * FROM pos_member_health(:uid, :store)"),
                    {"uid": uid, "store": self.store_code},
                ).first()
            )
        except Unanswered as exc:
            raise HealthUnavailable(str(exc)) from exc
        if row is None:
            return None
        return HealthNotes(bool(row.consent_health), row.allergies or "", row.conditions or "")

    def close(self) -> None:
        """Let the connection go (and forget the last failure)."""
        self._hq.close()


def health_fetch(settings: Settings) -> HealthFetch | None:
    """The register's fetch, when it belongs to a chain (``[sync] hq_url`` set)."""
    sync = settings.sync
    if not sync.hq_url:
        return None
    return HealthFetch(sync.hq_url, settings.store.code, sync.redeem_timeout_seconds)


def keep(session: Session, member: Member, notes: HealthNotes) -> bool:
    """Keep head office's notes on this register, only with the member's consent and unless
    an edit of the member made here still waits to be sent; whether they were kept.

    Not sent back: they came from head office."""
    if not notes.consent_health or not (notes.allergies or notes.conditions):
        return False
    waiting = session.scalar(
        select(func.count(OutboxItem.id)).where(
            OutboxItem.kind == "member", OutboxItem.key == member.uid, OutboxItem.sent_at.is_(None)
        )
    )
    if waiting:
        return False
    with suppressed(session):
        member.consent_health = True
        member.allergies = notes.allergies[:200]
        member.conditions = notes.conditions[:200]
        session.flush()
    return True
