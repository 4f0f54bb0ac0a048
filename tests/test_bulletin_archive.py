"""The bulletin archive: every export recorded (the service and the command), listed
newest first for who may export, and re-exported with the very figures it had —
whatever events were recorded after its as-at time."""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from models.db import Database, open_database
from models.tables import AuditEntry, BulletinExport, Case, CaseEvent
from services.cases import records as cases
from services.cases.permissions import SYSTEM_ACTOR
from services.demo.generator import seed_demo
from services.errors import PermissionDenied, ValidationError
from services.reports import archive
from services.reports.assessment import assess
from services.reports.bulletin import export_assessment, export_bulletin
from services.reports.periods import Period, half_month_of, parse_period
from services.reports.reissue import AUDIT_ACTION, reexport
from services.worktime.workdays import load_calendar
from tests.assessment_scenario import CAL, Story, build_district
from tests.builders import actor, local
from tests.conftest import DEMO_CASES
from tests.engines import ENGINES, engine_database

H1 = parse_period("2026-11-H1")
STREET = "990101001"  # 长河街道: every case of the hand-built district
OTHER_STREET = "990101002"
AFTER_H1 = local(2026, 11, 20, 9, 0)


@pytest.fixture
def district(tmp_path: Path) -> Any:
    db = build_district(open_database(tmp_path / "desk"))
    yield db
    db.dispose()


def export(db: Database, out: Path, now: datetime, period: Period = H1) -> Any:
    with db.session() as session:
        return export_bulletin(
            session, actor(session, "official"), period, CAL, out, STREET, now=now
        )


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book}


def record_later_events(db: Database, as_at: datetime) -> None:
    """Events stored after the export, all dated inside H1 (before E): a new case and a
    dispatch, a closing of a case open at E, an evaluation, and the county's rejection
    of an event that counted."""
    with db.session() as s:
        coordinator = actor(s, "coordinator")
        Story(s, local(2026, 11, 6, 9, 0)).dispatch(local(2026, 11, 6, 10, 0), "dept_huanwei")
        open_case = s.scalars(
            select(Case).where(Case.state == "acknowledged", Case.assignee_id == "dept_huanwei")
        ).first()
        assert open_case is not None
        handler = actor(s, "dept_huanwei")
        cases.record(
            s, handler, open_case.id, "feedback", {"result": "已处理"}, at=local(2026, 11, 5, 9, 0)
        )
        cases.record(
            s, coordinator, open_case.id, "verified", {"passed": True}, at=local(2026, 11, 5, 10, 0)
        )
        evaluated = {
            row for row in s.scalars(select(CaseEvent.case_id).where(CaseEvent.type == "evaluated"))
        }
        closed = s.scalars(
            select(Case).where(Case.state == "closed", Case.id.not_in(evaluated))
        ).first()
        assert closed is not None
        cases.record(
            s,
            coordinator,
            closed.id,
            "evaluated",
            {"satisfaction": "satisfied", "method": "phone"},
            at=local(2026, 11, 12, 10, 0),
        )
        first_ack = s.scalar(
            select(func.min(CaseEvent.seq)).where(CaseEvent.type == "acknowledged")
        )
        s.execute(
            update(CaseEvent)
            .where(CaseEvent.seq == first_ack)
            .values(
                rejected_code="conflict",
                rejected_message="已被其他终端处理",
                rejected_at=as_at + timedelta(days=3),
            )
        )


def test_the_export_is_recorded(district: Database, tmp_path: Path) -> None:
    out = tmp_path / "通报.xlsx"
    a = export(district, out, AFTER_H1)
    with district.sessions() as session:
        official = actor(session, "official")
        [row] = archive.list_exports(session, official)
        last_seq = session.scalar(select(func.max(CaseEvent.seq)))
    assert (row.period_key, row.scope_id, row.scope_name) == ("2026-11-H1", STREET, "长河街道")
    assert row.as_at == AFTER_H1 == a.generated_at
    assert row.event_seq == last_seq == a.event_seq
    assert (row.format, row.file_name) == ("xlsx", "通报.xlsx")
    assert row.file_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert row.figures_sha256 == archive.figures_digest(a)
    assert row.exported_by == official.id and row.exported_by_name and not row.scheduled
    assert row.short_hash == row.figures_sha256[:12]


def test_the_screen_path_records_in_its_own_transaction(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, H1, CAL, STREET, now=AFTER_H1)
    out = tmp_path / "screen.xlsx"
    export_assessment(official, a, out, write=district.session)
    with district.sessions() as session:
        [row] = archive.list_exports(session, official)
    assert row.file_name == "screen.xlsx" and row.figures_sha256 == archive.figures_digest(a)


def test_the_list_is_newest_first_and_only_for_who_may_export(
    district: Database, tmp_path: Path
) -> None:
    export(district, tmp_path / "first.xlsx", AFTER_H1)
    export(district, tmp_path / "second.xlsx", AFTER_H1, parse_period("2026-11"))
    with district.sessions() as session:
        names = [r.file_name for r in archive.list_exports(session, actor(session, "official"))]
        assert names == ["second.xlsx", "first.xlsx"]
        assert [
            r.file_name for r in archive.list_exports(session, actor(session, "coordinator"))
        ] == names
        # A coordinator of another street sees none of this street's bulletins.
        assert archive.list_exports(session, actor(session, "coordinator2")) == []
        with pytest.raises(PermissionDenied):
            archive.list_exports(session, actor(session, "admin"))


def test_a_role_without_the_export_permission_is_refused(
    district: Database, tmp_path: Path
) -> None:
    a = export(district, tmp_path / "b.xlsx", AFTER_H1)
    with district.sessions() as session:
        [row] = archive.list_exports(session, actor(session, "official"))
        admin = actor(session, "admin")
        other = actor(session, "coordinator2")
        with pytest.raises(PermissionDenied):
            archive.record_export(session, admin, a, tmp_path / "b.xlsx")
    for who in (admin, other):
        with pytest.raises(PermissionDenied):
            reexport(district.sessions, district.session, who, row.id, tmp_path / "no.xlsx")
    assert not (tmp_path / "no.xlsx").exists()
    with district.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BulletinExport)) == 1
        assert session.scalar(select(func.count()).where(AuditEntry.action == AUDIT_ACTION)) == 0


def test_a_reexport_has_the_figures_of_its_as_at_time(district: Database, tmp_path: Path) -> None:
    first = tmp_path / "first.xlsx"
    original = export(district, first, AFTER_H1)
    record_later_events(district, AFTER_H1)
    with district.sessions() as session:
        official = actor(session, "official")
        [row] = archive.list_exports(session, official)
        today = assess(session, official, H1, CAL, STREET, now=AFTER_H1)
    # The later events do change the period's figures as counted now …
    assert archive.figures_digest(today) != row.figures_sha256
    assert (today.totals.created, today.totals.closed, today.totals.evaluations) != (
        original.totals.created,
        original.totals.closed,
        original.totals.evaluations,
    )
    # … but not the re-export of the bulletin exported before them.
    again = tmp_path / "again.xlsx"
    result = reexport(district.sessions, district.session, official, row.id, again)
    assert result.matches and result.figures_sha256 == row.figures_sha256
    assert result.assessment.totals == original.totals
    assert result.assessment.departments == original.departments
    assert result.assessment.overdue == original.overdue
    assert cells(again) == cells(first)  # every cell, the generated time included
    with district.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).one()
    assert entry.user_id == official.id and entry.target_id == row.id
    assert entry.detail["figures_match"] is True
    assert entry.detail["file_sha256"] == hashlib.sha256(again.read_bytes()).hexdigest()


def test_an_unfinished_period_is_reexported_as_it_stood(district: Database, tmp_path: Path) -> None:
    as_at = local(2026, 11, 8, 12, 0)  # H1 still running
    original = export(district, tmp_path / "running.xlsx", as_at)
    with district.session() as s:  # stored later, dated before the as-at time
        Story(s, local(2026, 11, 8, 9, 0)).dispatch(local(2026, 11, 8, 10, 0), "dept_huanwei")
    with district.sessions() as session:
        official = actor(session, "official")
        [row] = archive.list_exports(session, official)
        today = assess(session, official, H1, CAL, STREET, now=as_at)
    assert today.totals.created == original.totals.created + 1
    result = reexport(district.sessions, district.session, official, row.id, tmp_path / "r.xlsx")
    assert result.matches and result.assessment.totals == original.totals
    assert result.assessment.generated_at == as_at


@pytest.mark.parametrize("engine", ENGINES)
def test_the_cutoff_counts_like_the_plain_assessment(engine: str, tmp_path: Path) -> None:
    """With nothing stored since, counting only the events up to the mark gives every
    figure of the plain assessment (several periods, the county scope), on both engines."""
    with engine_database(engine, tmp_path) as db:
        seed_demo(db, cases=DEMO_CASES)
        _compare_cutoff(db)


def _compare_cutoff(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        official = actor(session, "official")
        calendar = load_calendar(session)
        now = session.scalar(select(func.max(CaseEvent.at))) + timedelta(hours=1)
        half = half_month_of(now)
        for p in (half, half.previous(), half.previous().previous(), parse_period("2026-10")):
            plain = assess(session, official, p, calendar, now=now)
            cut = assess(session, official, p, calendar, now=now, events_up_to=plain.event_seq)
            assert plain.totals.created > 0, p.key
            assert archive.figures_digest(cut) == archive.figures_digest(plain), p.key


def test_the_command_records_a_scheduled_export(demo_dir: Path, tmp_path: Path) -> None:
    from desktop.commands import export_bulletin as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    out = tmp_path / "cron.xlsx"
    args = parser.parse_args(
        ["--period", "2026-11-H1", "--scope", OTHER_STREET, "--out", str(out), "--quiet"]
    )
    args.data_dir = demo_dir
    assert command.run(args) == 0
    db = open_database(demo_dir)
    try:
        with db.sessions() as session:
            [row] = archive.list_exports(session, actor(session, "official"))
    finally:
        db.dispose()
    assert row.exported_by == SYSTEM_ACTOR.id and row.scheduled
    assert (row.period_key, row.scope_id, row.format) == ("2026-11-H1", OTHER_STREET, "xlsx")
    assert row.file_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_an_unknown_format_is_refused(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, H1, CAL, STREET, now=AFTER_H1)
        with pytest.raises(ValidationError):
            archive.record_export(session, official, a, tmp_path / "b.csv")
