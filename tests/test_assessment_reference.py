"""The SQL figures against a plain reference: every demo case replayed event by
event up to the period's end with the shared projection, counted in Python.

On both engines (tests/engines.py): a desk's SQLite and the county server's PostgreSQL
run the one definition of the assessment SQL (docs/figures.md)."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.db import DB_FILENAME, Database, open_database
from models.tables import CaseEvent
from models.types import utcnow
from services.cases.permissions import SYSTEM_ACTOR
from services.cases.projection import project
from services.cases.records import event_from_row
from services.demo.generator import seed_demo
from services.reports.assessment import assess
from services.reports.periods import Period, last_complete_half_month
from services.worktime.workdays import load_calendar
from tests.conftest import DEMO_CASES
from tests.engines import ENGINES, engine_database


@pytest.fixture(scope="module", params=ENGINES)
def demo(
    request: pytest.FixtureRequest,
    demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Database]:
    """The demo district on each engine: a copy of the SQLite template, or the same
    generator run on a new PostgreSQL database."""
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    if request.param == "sqlite":
        shutil.copy2(demo_template / DB_FILENAME, folder / DB_FILENAME)
        db = open_database(folder)
        yield db
        db.dispose()
        return
    with engine_database(request.param, folder) as db:
        seed_demo(db, cases=DEMO_CASES)
        yield db


def reference(db: Database, period: Period) -> dict[str, Any]:
    s, e = period.start, period.end
    by_case: dict[str, list[CaseEvent]] = defaultdict(list)
    with db.sessions() as session:
        for row in session.scalars(select(CaseEvent)):
            by_case[row.case_id].append(row)
    due: Counter[Any] = Counter()
    closed: Counter[Any] = Counter()
    on_time: Counter[Any] = Counter()
    dispatched: Counter[Any] = Counter()
    ack_in_time: Counter[Any] = Counter()
    overdue_ids = set()
    for case_id, rows in by_case.items():
        rows = sorted((r for r in rows if r.at < e), key=lambda r: (r.at, r.seq))
        if not rows:
            continue
        p = project(event_from_row(r) for r in rows)
        key = (p.assignee_type, p.assignee_id)
        in_p = p.closed_at is not None and p.closed_at >= s
        running = p.state in ("dispatched", "acknowledged", "handled")
        is_due = p.state not in ("voided", "suspended") and (
            in_p or (p.closed_at is None and running and p.deadline is not None and p.deadline <= e)
        )
        accepted = p.feedback_at or p.closed_at
        good = in_p and (p.deadline is None or accepted <= p.deadline)
        for counter, flag in ((due, is_due), (closed, in_p), (on_time, good)):
            if flag:
                counter[key] += 1
                counter["total"] += 1
        if is_due and not good:
            overdue_ids.add(case_id)
        # dispatches in P and whether the acknowledgement that follows each came in time
        for i, r in enumerate(rows):
            if r.type != "dispatched" or r.at < s:
                continue
            k = (r.assignee_type, r.assignee_id)
            dispatched[k] += 1
            dispatched["total"] += 1
            for later in rows[i + 1 :]:
                if later.type in ("dispatched", "escalated"):
                    break
                if later.type == "acknowledged":
                    if later.at <= r.ack_deadline:
                        ack_in_time[k] += 1
                        ack_in_time["total"] += 1
                    break
    return {
        "due": due,
        "closed": closed,
        "on_time": on_time,
        "dispatched": dispatched,
        "ack": ack_in_time,
        "overdue": overdue_ids,
    }


@pytest.mark.parametrize("back", [0, 1, 2])
def test_sql_figures_match_the_replayed_cases(demo: Database, back: int) -> None:
    period = last_complete_half_month(utcnow())  # the demo district ends today
    for _ in range(back):
        period = period.previous()
    ref = reference(demo, period)
    with demo.sessions() as session:
        a = assess(session, SYSTEM_ACTOR, period, load_calendar(session))
    t = a.totals
    assert (t.due, t.closed, t.on_time) == (
        ref["due"]["total"],
        ref["closed"]["total"],
        ref["on_time"]["total"],
    )
    assert (t.dispatched, t.ack_on_time) == (ref["dispatched"]["total"], ref["ack"]["total"])
    assert {c.case_id for c in a.overdue} == ref["overdue"]
    assert t.due > 0
    for fig in [*a.departments, *a.grid_workers]:
        key = (fig.kind, fig.key)
        assert (fig.due, fig.closed, fig.on_time) == (
            ref["due"][key],
            ref["closed"][key],
            ref["on_time"][key],
        ), fig.name
        assert (fig.dispatched, fig.ack_on_time) == (ref["dispatched"][key], ref["ack"][key])
