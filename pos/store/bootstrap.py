"""Opening a store database: create, upgrade, and seed the demo store."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pos.config import Settings
from pos.domain.staff.users import bind_key
from pos.i18n import _
from pos.store.db import make_engine, make_session_factory, open_database, upgrade
from pos.store.store_key import ensure_key, read_key


def open_store(
    settings: Settings, *, autocheckpoint: bool = True
) -> tuple[Engine, sessionmaker[Session]]:
    """Open the configured database, applying migrations; its sessions hash PINs and sign
    audit events with the store's key when there is one.

    The key file (``register.key_file``) is made by ``pos init`` and the register's
    start (:func:`ensure_store`); other commands do not make one. ``autocheckpoint=False``
    is the register's (:func:`pos.store.db.make_engine`).
    """
    from pos.domain.staff import audit

    engine, sessions = open_database(settings.database_path, autocheckpoint=autocheckpoint)
    key = read_key(settings.key_path)
    if key is not None:
        bind_key(sessions, key)
        audit.keyed(sessions, key)
    return engine, sessions


def init_store(settings: Settings, demo: bool) -> str:
    """Create or upgrade the database; with ``demo``, load the demo store into an empty one."""
    path = settings.database_path
    existed = path.exists()
    key = ensure_key(settings.key_path)
    engine = make_engine(path)
    migrated = upgrade(engine)
    sessions = make_session_factory(engine)
    bind_key(sessions, key)
    if not existed:
        message = _("Database created: {path}").format(path=path)
    elif migrated:
        message = _("Database upgraded: {path}").format(path=path)
    else:
        message = _("Database is up to date: {path}").format(path=path)
    if demo:
        # imported here: the importers are not needed to open an existing store
        from pos.store.demo import catalogue_is_empty, load_demo

        with sessions.begin() as session:
            if not catalogue_is_empty(session):
                return message + "\n" + _("The catalogue is not empty: demo store not loaded")
            store = settings.store
            now = datetime.now(UTC)
            today = now.astimezone(ZoneInfo(store.timezone)).date()
            loaded = load_demo(session, today, now, store.timezone, store.code)
        message += "\n" + _(
            "Demo store loaded: {products} products, {lots} lots, {members} members, "
            "{guidance} guidance texts, {users} users, {pairings} pairings, "
            "{promotions} promotions"
        ).format(
            products=loaded.products.created,
            lots=loaded.stock.created,
            members=loaded.members.created,
            guidance=loaded.guidance.created,
            users=loaded.users,
            pairings=loaded.pairings.created,
            promotions=loaded.promotions.created,
        )
    return message


def ensure_store(settings: Settings) -> tuple[Engine, sessionmaker[Session], str | None]:
    """Open the database for the register; a machine with none gets the demo store. Its
    commits leave the log's checkpoints to a worker (:func:`pos.store.db.checkpoint`)."""
    message = None
    if not settings.database_path.exists():
        message = init_store(settings, demo=True)
    ensure_key(settings.key_path)  # a store from before the key gets one at its first start
    engine, sessions = open_store(settings, autocheckpoint=False)
    return engine, sessions, message
