"""Migrations build the schema the models describe, and start-up applies them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from pos.db import alembic_config, current_revision, make_engine, open_database, upgrade
from pos.migrations import HEAD_REVISION
from pos.models import Base


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
