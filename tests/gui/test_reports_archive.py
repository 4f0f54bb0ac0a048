"""The reports screen's archive tab: an export from the screen is listed (newest first),
re-exported in the background with its figures matched, and hidden from a role that
may not export."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.db import Database
from models.tables import AuditEntry
from services.reports import archive
from services.reports.bulletin import SHEETS
from services.reports.reissue import AUDIT_ACTION
from tests.gui.test_reports_view import open_reports

pytestmark = pytest.mark.gui


def test_an_export_is_listed_and_reexported(
    qtbot, demo_db: Database, demo_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, view, actor = open_reports(qtbot, demo_db, demo_dir)
    tab = view.archive
    assert tab is not None
    qtbot.waitUntil(lambda: not tab.loading, timeout=30_000)
    assert tab.model.rowCount() == 0
    a = view.assessment
    out = tmp_path / "screen.xlsx"
    job = view.start_export(a, out)
    with qtbot.waitSignal(job.signals.done, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=30_000)
    row = tab.model.rows[0]
    assert (row.period_key, row.scope_id, row.file_name) == (a.period.key, a.scope_id, out.name)
    assert row.figures_sha256 == archive.figures_digest(a)
    shown = [tab.model.index(0, c).data() for c in range(tab.model.columnCount())]
    assert shown[1] == a.scope_name and shown[5] == "XLSX" and shown[6] == row.short_hash
    assert shown[4] == actor.display_name  # the person's name, not their id

    again = tmp_path / "again.xlsx"
    with qtbot.waitSignal(tab.reexported, timeout=60_000) as signal:
        tab.start_reexport(row, again)
    result = signal.args[0]
    assert result.matches and result.path == again
    assert load_workbook(again).sheetnames == list(SHEETS)
    assert str(again) in tab.status.text() and row.short_hash in tab.status.text()
    with demo_db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).one()
    assert entry.user_id == actor.id and entry.detail["figures_match"] is True


def test_a_role_that_may_not_export_has_no_archive(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir, "admin")
    assert view.archive is None
    titles = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert "Archive" not in titles
