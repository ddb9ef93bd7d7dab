"""Shared fixtures: a real SQLite file per test, the demo store, a fixed clock."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from pos import i18n
from pos.app import PosApp, build_app
from pos.config import Settings
from pos.models import Promotion
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory, open_database
from pos.store.demo import load_demo

pytest_plugins = ["tests.postgres"]  # a real PostgreSQL for the chain-sync tests

# The register asks for a user id and PIN at start; tests of other screens start logged out
# of that step (tests/frontend/test_login.py turns it back on).
os.environ["POS_REGISTER__REQUIRE_LOGIN"] = "false"
# The register's daily backup would write to the user data directory: tests turn it on.
os.environ["POS_BACKUP__DAILY"] = "false"
# Crash reports would be written to the user log directory: one folder per test run.
os.environ["POS_REGISTER__LOG_DIR"] = tempfile.mkdtemp(prefix="pos-log-")
# The store's secret key would be written to the user config directory: one per test run.
os.environ["POS_REGISTER__KEY_FILE"] = os.path.join(
    tempfile.mkdtemp(prefix="pos-key-"), "store.key"
)

# 2026-03-10 10:00 in Shanghai: the demo store's expiries count from this day.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def fixed_clock() -> datetime:
    """The tests' clock: always NOW."""
    return NOW


@pytest.fixture(autouse=True)
def no_crash_reports(request: pytest.FixtureRequest) -> Iterator[None]:
    """The register survives unexpected errors (it writes a crash report and goes on):
    a test fails if one was recorded, unless it is marked ``survives_crash``."""
    folder = Path(os.environ["POS_REGISTER__LOG_DIR"])
    before = set(folder.iterdir())
    yield
    new = sorted(set(folder.iterdir()) - before)
    if new and request.node.get_closest_marker("survives_crash") is None:
        reports = "\n".join(path.read_text(encoding="utf-8") for path in new)
        pytest.fail(f"the register recorded unexpected errors:\n{reports}")


@pytest.fixture(autouse=True)
def collector_unfrozen() -> Iterator[None]:
    """A register warmed up in a test froze what existed then (``gc.freeze``): given back to
    the collector after the test, so that one test's apps are not kept for the whole run."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read English messages unless they switch language themselves."""
    i18n.setup("en")
    yield
    i18n.setup("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """An empty database file path in the test's folder."""
    return tmp_path / "pos.db"


@pytest.fixture
def sessions(db_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new, migrated, empty database."""
    engine, factory = open_database(db_path)
    yield factory
    engine.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo store loaded as of TODAY (built once).

    Its promotions are taken out so that prices are list and member prices:
    tests of promotions add the ones they price.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine, factory = open_database(path)
    with factory.begin() as session:
        load_demo(session, TODAY)
        session.execute(delete(Promotion))
    engine.dispose()
    return path


@pytest.fixture
def demo_engine(demo_template: Path, db_path: Path) -> Iterator[Engine]:
    """An engine on a fresh copy of the demo store."""
    shutil.copy(demo_template, db_path)
    engine = make_engine(db_path)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_sessions(demo_engine: Engine) -> sessionmaker[Session]:
    """Sessions on a fresh copy of the demo store."""
    return make_session_factory(demo_engine)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """Default settings pointing at the test's database."""
    return Settings(register={"database": db_path})


@pytest.fixture
def register(demo_sessions: sessionmaker[Session]) -> RegisterService:
    """The register service on the demo store, with the fixed clock."""
    return RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)


@pytest.fixture
def app(settings: Settings, demo_sessions: sessionmaker[Session]) -> PosApp:
    """The app as ``pos run`` builds it, on the demo store, with the fixed clock."""
    return build_app(settings, demo_sessions, clock=fixed_clock)
