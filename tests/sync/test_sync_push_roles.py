"""Least privilege: each register syncs with its own PostgreSQL role (``pos hq grant``),
which PostgreSQL itself keeps to that store's rows (against the real PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pos.cli import main
from pos.cli.common import EXIT_OK, EXIT_USAGE
from pos.enums import Tender
from pos.models import HqSale
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from tests.conftest import NOW
from tests.helpers import barcode_of


def role_url(hq_url: str, store: str) -> str:
    url = make_url(hq_url).set(username=f"pos_reg_{store}_01", password="s3cret")
    return url.render_as_string(hide_password=False)


def sell(service: RegisterService, sessions: object) -> str:
    service.scan(barcode_of(sessions, "P00001"))  # type: ignore[arg-type]
    tendering = service.start_payment()
    tendering.add(Tender.CASH, None)
    return service.complete(tendering).number


def sales_seen(engine: Engine, where: str = "") -> int:
    with Session(engine) as hq:
        return int(hq.scalar(text(f"SELECT count(*) FROM hq_sale {where}")) or 0)


def refused(engine: Engine, statement: str) -> str:
    """Run ``statement`` as the role; the error PostgreSQL refused it with."""
    with engine.connect() as connection, pytest.raises(DBAPIError) as error:
        connection.execute(text(statement))
    return str(error.value.orig)


@pytest.fixture
def stores(demo_template: Path, tmp_path: Path) -> Iterator[list[tuple[RegisterService, object]]]:
    made = []
    for store in ("001", "002"):
        path = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        sessions = make_session_factory(engine)
        made.append(
            (
                RegisterService(sessions, RegisterIdentity(store, "01"), lambda: NOW),
                sessions,
                engine,
            )
        )
    yield [(service, sessions) for service, sessions, _engine in made]
    for _service, _sessions, engine in made:
        engine.dispose()


def test_a_register_role_is_refused_another_stores_rows(
    stores: list[tuple[RegisterService, object]],
    hq_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POS_HQ_GRANT_PASSWORD", "s3cret")
    for store in ("001", "002"):
        assert main(["hq", "grant", store, "01", "--url", hq_url]) == EXIT_OK
    out = capsys.readouterr().out
    assert "pos_reg_001_01" in out and "s3cret" not in out
    assert main(["hq", "grant", "00-1", "01", "--url", hq_url]) == EXIT_USAGE

    (service_a, sessions_a), (service_b, sessions_b) = stores
    sale_a, sale_b = sell(service_a, sessions_a), sell(service_b, sessions_b)
    engines = {store: central.make_hq_engine(role_url(hq_url, store)) for store in ("001", "002")}
    owner = central.make_hq_engine(hq_url)
    try:
        runner.sync(sessions_a, engines["001"], "001", "01")  # type: ignore[arg-type]
        runner.sync(sessions_b, engines["002"], "002", "01")  # type: ignore[arg-type]
        with Session(owner) as hq:
            numbers = set(hq.scalars(select(HqSale.number)))
            assert {sale_a, sale_b} <= numbers
        # Each role reads its own store's sales only.
        assert sales_seen(engines["001"]) == sales_seen(owner, "WHERE store_code = '001'") > 0
        assert sales_seen(engines["001"], "WHERE store_code = '002'") == 0
        assert sales_seen(engines["002"], "WHERE store_code = '001'") == 0
        # Nor can it write them, claim that store's code, or touch what sync does not need.
        insert = (
            "INSERT INTO hq_sale (number, store_code, register_id, business_date, completed_at,"
            " total_fen, payload, received_at) VALUES ('X1', '002', '01', '2026-03-10', now(),"
            " 1, '{}', now())"
        )
        assert "row-level security" in refused(engines["001"], insert)
        assert "permission denied" in refused(engines["001"], "UPDATE hq_sale SET total_fen = 0")
        assert "permission denied" in refused(engines["001"], "DELETE FROM hq_points_entry")
        assert "must be owner" in refused(engines["001"], "DROP TABLE hq_sale")
        assert "permission denied" in refused(engines["001"], "SELECT * FROM hq_register_role")
        # A register syncing as another store with its role is refused; nothing lands.
        later = sell(service_b, sessions_b)
        with pytest.raises(runner.SyncFailed, match="row-level security"):
            runner.sync(sessions_b, engines["001"], "002", "01")  # type: ignore[arg-type]
        with pytest.raises(runner.SyncFailed, match="row-level security"):
            runner.sync(sessions_b, engines["002"], "001", "01")  # type: ignore[arg-type]
        with Session(owner) as hq:
            assert hq.scalar(select(func.count()).where(HqSale.number == later)) == 0
        runner.sync(sessions_b, engines["002"], "002", "01")  # type: ignore[arg-type]
        assert sales_seen(owner, f"WHERE number = '{later}'") == 1
    finally:
        for engine in (*engines.values(), owner):
            engine.dispose()
