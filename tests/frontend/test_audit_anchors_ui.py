"""At the register: closing a shift by keys prints the audit log's head on the Z report
and anchors it, and the anchored log then verifies from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from pos.app import build_app
from pos.app.modals.staff.shift import ShiftReportModal
from pos.cli import main
from pos.config import Settings
from pos.domain.staff import audit
from pos.models import AuditAnchor, AuditEvent
from tests.conftest import fixed_clock
from tests.frontend.test_checkout_ui import SIZE
from tests.frontend.test_shift_ui import open_shift
from tests.store_keys import store_key


async def test_the_z_report_shows_and_anchors_the_audit_head(
    settings: Settings,
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sessions = audit.keyed(demo_sessions, store_key())  # as `pos run` opens the store
    app = build_app(settings, sessions, clock=fixed_clock)
    app.register.login("dianzhang", "9999")  # a manager closes without a second approval
    async with app.run_test(size=SIZE) as pilot:
        await open_shift(pilot, app, "0")
        await pilot.press("ctrl+b", "f5", "f12", "f12")  # an empty drawer, even
        assert isinstance(app.screen, ShiftReportModal)
        with sessions() as session:
            (mark,) = session.scalars(select(AuditAnchor))
        assert mark.source == audit.Z_REPORT and mark.events >= 2  # login, shift.open
        assert mark.head_hash[: audit.SHORT_HASH] in app.screen.text  # the report shown
        await pilot.press("escape")
    with sessions() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-1] == "shift.close"  # recorded after the report it closes
        assert audit.verify(session).ok
    paper = f"{mark.events}:{mark.head_hash[: audit.SHORT_HASH]}"
    assert main(["audit", "verify", "--db", str(db_path), "--anchor", paper]) == 0
    capsys.readouterr()
    with sessions.begin() as session:  # the newest events deleted after the Z report
        session.execute(text("DELETE FROM audit_event WHERE id >= :n"), {"n": mark.events})
    assert main(["audit", "verify", "--db", str(db_path)]) == 1
    assert "the newest events were deleted" in capsys.readouterr().err
