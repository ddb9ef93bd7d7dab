"""``pos sync`` and ``pos hq``: bad head-office URLs, outbox purge."""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from pos import __version__
from pos.cli import main
from pos.cli.common import EXIT_USAGE
from pos.models import OutboxItem
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from tests.conftest import NOW

SECRET = "s3cr3t-pw"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://pos:{SECRET}@127.0.0.1:54x2/hq",  # a port typo
        f"postgresql://pos:{SECRET}@127.0.0.1:99999/hq",  # a port out of range
        f"postgresql//pos:{SECRET}@127.0.0.1/hq",  # no ://
        f"postgresql://pos:{SECRET}@127.0.0.1:5432:5433/hq",
    ],
)
def test_a_malformed_url_exits_2_with_one_line_and_no_password(
    url: str, demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_template, db)
    for argv in (
        ["sync", "--db", str(db), "--hq", url],
        ["hq", "init", "--url", url],
        ["hq", "publish", "--db", str(db), "--url", url],
    ):
        assert main(argv) == EXIT_USAGE, argv
        captured = capsys.readouterr()
        err = captured.err.strip()
        assert SECRET not in captured.err + captured.out
        assert "Traceback" not in err and len(err.splitlines()) == 1, err


def test_purge_deletes_only_items_head_office_confirmed_before_the_window(
    demo_template: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_template, db)
    engine = make_engine(db)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ids = list(session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)))
        assert len(ids) > 30
        old, recent = ids[:20], ids[20:25]  # the rest is unsent
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(old))
            .values(sent_at=NOW - timedelta(days=31))
        )
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(recent))
            .values(sent_at=NOW - timedelta(days=29))
        )
        unsent = session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.sent_at.is_(None))
        )
    assert runner.purge(sessions, NOW - timedelta(days=30)) == 20
    with sessions() as session:
        left = set(session.scalars(select(OutboxItem.id)))
        assert not left & set(old) and set(recent) <= left
        assert (
            session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.sent_at.is_(None))
            )
            == unsent
        )
    assert runner.purge(sessions, NOW - timedelta(days=30)) == 0
    engine.dispose()


def test_hq_registers_lists_each_register_and_warns_about_a_silent_one(
    demo_template: Path,
    tmp_path: Path,
    hq_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for store in ("001", "002"):
        db = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, db)
        monkeypatch.setenv("POS_STORE__CODE", store)
        assert main(["sync", "--db", str(db), "--hq", hq_url]) == 0
    capsys.readouterr()
    engine = central.make_hq_engine(hq_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE hq_register SET reported_at = now() - interval '3 hours',"
                " clock_skew_seconds = 600 WHERE store_code = '002'"
            )
        )
        waiting = connection.scalar(
            text("SELECT waiting FROM hq_register WHERE store_code = '001'")
        )
    engine.dispose()
    assert waiting == 0
    assert main(["hq", "registers", "--url", hq_url, "--silent-minutes", "60"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    first = next(line for line in lines if line.startswith("001"))
    second = next(line for line in lines if line.startswith("002"))
    assert __version__ in first and "WARNING" not in first
    assert "silent for 180 min" in second and "clock off" in second and "+600s" in second
    assert "1 register(s) silent for more than 60 min" in captured.err


def test_sync_on_a_terminal_shows_the_progress_of_the_pull(
    demo_template: Path,
    tmp_path: Path,
    hq_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    master = tmp_path / "master.db"
    shutil.copy(demo_template, master)
    assert main(["hq", "publish", "--db", str(master), "--url", hq_url]) == 0
    db = tmp_path / "store.db"
    shutil.copy(demo_template, db)
    capsys.readouterr()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("POS_SYNC__PAGE_SIZE", "50")
    assert main(["sync", "--db", str(db), "--hq", hq_url]) == 0
    err = capsys.readouterr().err
    # the one progress bar of every long command (pos.cli.progress): label, count, rate
    assert "Fetching products" in err and "195/195" in err


def test_publish_stamps_head_offices_clock_not_the_publishing_pcs(
    demo_template: Path, tmp_path: Path, hq_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as real

    class SlowClock(real.datetime):
        """This PC's clock: a year slow."""

        @classmethod
        def now(cls, tz: real.tzinfo | None = None) -> SlowClock:
            return super().now(tz) - timedelta(days=365)

    monkeypatch.setattr(real, "datetime", SlowClock)
    monkeypatch.setattr("pos.cli.chain.hq.datetime", SlowClock)
    monkeypatch.setattr(central, "utcnow", lambda: SlowClock.now(real.UTC))
    master = tmp_path / "master.db"
    shutil.copy(demo_template, master)
    assert main(["hq", "publish", "--db", str(master), "--url", hq_url]) == 0
    engine = central.make_hq_engine(hq_url)
    with engine.connect() as connection:
        late = connection.scalar(
            text("SELECT count(*) FROM product WHERE updated_at < now() - interval '1 day'")
        )
        published = connection.scalar(text("SELECT count(*) FROM product"))
    engine.dispose()
    assert published == 195 and late == 0
