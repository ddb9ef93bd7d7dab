"""Migrations build the schema the models describe, and start-up applies them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from pos.migrations import HEAD_REVISION
from pos.models import Base
from pos.store.db import alembic_config, current_revision, make_engine, open_database, upgrade


def test_head_revision_constant_names_the_newest_migration() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == HEAD_REVISION


def test_upgrade_on_an_empty_file_matches_the_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "empty.db")
    assert current_revision(engine) is None
    assert upgrade(engine) is True
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []
    assert upgrade(engine) is False  # already current: nothing runs
    engine.dispose()


def test_database_runs_with_wal_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    engine, _sessions = open_database(tmp_path / "pragmas.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert set(inspect(engine).get_table_names()) >= {"product", "sale", "payment", "lot"}
    engine.dispose()


def test_upgrade_keeps_the_data_of_an_older_database(tmp_path: Path) -> None:
    """A register with sales on an old schema upgrades at start, all or nothing."""
    from alembic import command

    path = tmp_path / "old.db"
    engine = make_engine(path, foreign_keys=False)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO product (id, sku, name, name_en, spec, manufacturer, unit, category,"
            " price_fen, drug_class, pinyin_initials, pinyin_full, active, updated_at)"
            " VALUES (1, 'P1', '感冒灵', '', '', '', '盒', 'cold_flu', 1580, 'otc_a', '', '',"
            " 1, '2026-03-10 02:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO lot (id, product_id, lot_number, expiry, quantity)"
            " VALUES (1, 1, 'L1', '2027-01-01', 5)"
        )
    engine.dispose()
    engine = make_engine(path)
    assert upgrade(engine) is True
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sku, restricted FROM product")).all() == [("P1", "")]
        assert connection.execute(text("SELECT quantity FROM lot")).scalar() == 5
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()
