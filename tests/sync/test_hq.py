"""Head office's database on PostgreSQL: the migrations, ``pos hq`` and ``pos sync`` commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.migrations import HEAD_REVISION
from pos.models import Base, HqSale, Product
from pos.store.db import alembic_config
from pos.sync import central
from tests.helpers import closed_port
from tests.postgres import PostgresServer, _execute


@pytest.fixture
def empty_hq(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """An empty PostgreSQL database (no tables)."""
    name = "empty_" + request.node.name.lower()[:40]
    _execute(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _execute(postgres_server, f"CREATE DATABASE {name}")
    return postgres_server.url(name)


def test_migrations_build_the_models_on_postgresql_and_go_back_down(empty_hq: str) -> None:
    engine = central.make_hq_engine(empty_hq)
    assert central.init_hq(engine) is None
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda _o, name, type_, _r, _c: not central.hq_own(name, type_),
            },
        )
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == HEAD_REVISION
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert central.init_hq(engine) is None  # down to nothing, and up again
    assert central.init_hq(engine) == HEAD_REVISION
    engine.dispose()


def test_hq_init_then_sync_and_publish_commands(
    empty_hq: str, demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hq", "init", "--url", empty_hq]) == EXIT_OK
    assert f"revision {HEAD_REVISION} (was empty)" in capsys.readouterr().out
    db = tmp_path / "store.db"
    shutil.copy(demo_template, db)
    assert main(["hq", "publish", "--db", str(db), "--url", empty_hq]) == EXIT_OK
    assert "Published 195 changed product(s)" in capsys.readouterr().out
    assert main(["sync", "--db", str(db), "--hq", empty_hq]) == EXIT_OK
    out = capsys.readouterr().out
    assert "new at head office" in out and "0 waiting" in out
    assert main(["sync", "--db", str(db), "--hq", empty_hq]) == EXIT_OK
    assert "Sent 0 item(s)" in capsys.readouterr().out
    engine = central.make_hq_engine(empty_hq)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Product)) == 195
        assert connection.scalar(select(func.count()).select_from(HqSale)) == 0
    engine.dispose()


def test_sync_refuses_bad_urls_and_reports_an_unreachable_head_office(
    demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_template, db)
    assert main(["sync", "--db", str(db)]) == EXIT_USAGE
    assert "--hq" in capsys.readouterr().err
    assert main(["sync", "--db", str(db), "--hq", "mysql://x@y/z"]) == EXIT_USAGE
    assert "postgresql" in capsys.readouterr().err
    offline = f"postgresql://pos@127.0.0.1:{closed_port()}/hq"
    assert main(["sync", "--db", str(db), "--hq", offline]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "unreachable" in err and "nothing was lost" in err and "Traceback" not in err
    assert main(["hq", "init", "--url", offline]) == EXIT_FAILED
    assert "unreachable" in capsys.readouterr().err


def test_help_lists_the_chain_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "sync" in out and "hq" in out and "head office" in out
