"""Migrations 0005 (shared) and s0002 (server) carry data from before 1.1 forward:
accepted events and visits get ``pushed_by`` = their author, marked "1.0";
departments and grid workers get the cases ever dispatched to them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from county_server.db import migrate_server
from county_server.models import CaseScope, Change
from models.db import alembic_config, make_engine
from models.tables import CaseEvent, Visit


def test_events_and_visits_from_before_1_1_are_marked_and_scoped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'county.sqlite3'}"
    command.upgrade(alembic_config(url), "0004")
    engine = make_engine(url)
    case_id, event_id, visit_id = (str(uuid.uuid4()) for _ in range(3))
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO case_events (id, case_id, type, at, actor_id, data, received_at, "
                "assignee_type, assignee_id) VALUES (:id, :case, 'dispatched', :at, 'u-coord', "
                "'{}', :at, 'department', 'dept_chengguan')"
            ),
            {"id": event_id, "case": case_id, "at": now},
        )
        conn.execute(
            text(
                "INSERT INTO visits (id, org_unit_id, at, received_by, purpose, summary, case_id, "
                "resolved_on_the_spot, created_at) VALUES (:id, '990101001', :at, 'u-rec', "
                "'request', '', :case, 0, :at)"
            ),
            {"id": visit_id, "case": case_id, "at": now},
        )
    migrate_server(engine)
    with engine.connect() as conn:
        event = conn.execute(select(CaseEvent).where(CaseEvent.id == event_id)).one()
        assert (event.pushed_by, event.push_protocol) == ("u-coord", "1.0")
        visit = conn.execute(select(Visit).where(Visit.id == visit_id)).one()
        assert (visit.pushed_by, visit.push_protocol) == ("u-rec", "1.0")
        assert visit.received_at is not None
        scopes = set(conn.scalars(select(CaseScope.scope).where(CaseScope.case_id == case_id)))
        assert "d:dept_chengguan" in scopes
        feed = set(conn.execute(select(Change.kind, Change.item_id, Change.scope)).all())
        assert ("case_event", event_id, "d:dept_chengguan") in feed
        assert ("visit", visit_id, "d:dept_chengguan") in feed
    engine.dispose()
