"""services/audit.py: the one way an audit entry is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.tables import AuditEntry
from services.audit import audit
from services.cases.permissions import Actor


def test_an_entry_names_the_person_the_target_and_the_detail(db: Database) -> None:
    actor = Actor(id="u-1", role="admin", org_unit_id="")
    with db.session() as session:
        audit(session, actor, "setting_changed", "setting", "retention_years", old=3, new=5)
        audit(session, "u-2", "sync.retry_rejected", "case_event", "e-1")
        audit(session, None, "sync.scope_pruned", "sync", None, cases=2, visits=0)
    with db.session() as session:
        rows = [
            (e.user_id, e.action, e.target_type, e.target_id, e.detail)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        ]
    assert rows == [
        ("u-1", "setting_changed", "setting", "retention_years", {"old": 3, "new": 5}),
        ("u-2", "sync.retry_rejected", "case_event", "e-1", {}),
        (None, "sync.scope_pruned", "sync", None, {"cases": 2, "visits": 0}),
    ]


def test_the_entry_goes_with_the_action_or_not_at_all(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        audit(session, "u-1", "personal_data_purged", "visit", None, visits=4)
        raise RuntimeError("the action failed after auditing")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
