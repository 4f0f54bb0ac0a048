"""Sync throughput on PostgreSQL (needs GRIDDESK_TEST_PG_URL), against honest baselines.

    python -m pytest tests/benchmarks/bench_sync.py -s
    GRIDDESK_BENCH_EVENTS=20000 GRIDDESK_BENCH_RUNS=5 python -m pytest tests/benchmarks/bench_sync.py -s

1. **A full round** of N case events (10 per case: registration + 9 comments): desk A's
   outbox pushed through the county server (PostgreSQL, batches of 500, the desk's own
   ``SyncEngine.push`` with its bookkeeping), then pulled and applied by desk B (an
   ``official`` of the county, ``SyncEngine.pull``, pages of 1000). Each run pushes new
   events; desk B is caught up before each run.

   Baseline: what the round must write, each table in **one bulk statement** on the same
   engines: on PostgreSQL the events, the case rows and the feed rows
   (``INSERT … SELECT FROM json_populate_recordset``) into copies of ``case_events``,
   ``cases`` and ``srv_changes`` with their indexes; on desk B's SQLite the events and the
   case rows (one ``executemany`` each, one transaction) into copies of its tables.
   Ratio = round / baseline (higher is slower; goal ≤ 8×).

2. **An empty pull** (``GET /sync/changes`` after the last cursor: token check, the feed's
   top, an empty page), against a bare authenticated request that reads one row
   (``HEAD /blobs/<hash>`` of a blob that does not exist: the same token check and one
   indexed look-up, answered 404). Ratio = empty pull / bare request (goal ≤ 3×).

Every figure: min and median of ``GRIDDESK_BENCH_RUNS`` runs (default 5, at least 5).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, text

from models.tables import Case, CaseEvent, OutboxItem
from services.cases.projection import Event, project
from services.cases.records import event_columns
from tests.sync_harness import (
    PASSWORD,
    Desktop,
    ServerThread,
    demo_server_db,
    fresh_server_url,
    pg_base_url,
)

pytestmark = [
    pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set"),
    pytest.mark.timeout(0),  # 5 rounds of 100,000 events outlast the tests' default limit
]

N = int(os.environ.get("GRIDDESK_BENCH_EVENTS", "100000"))
RUNS = max(5, int(os.environ.get("GRIDDESK_BENCH_RUNS", "5")))
GRID = "990101001001001"


def _events(coordinator_id: str, n: int, run: int) -> list[Event]:
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC) + timedelta(days=run)
    day = f"{start:%Y%m%d}"
    out: list[Event] = []
    for number in range(n // 10):
        case_id = str(uuid.uuid4())
        at = start + timedelta(seconds=number)
        out.append(
            Event(
                id=str(uuid.uuid4()),
                case_id=case_id,
                type="created",
                at=at,
                actor_id=coordinator_id,
                data={
                    "number": f"990101001-{day}-{number:05d}",
                    "title": "占道经营",
                    "description": "",
                    "category_code": "0101",
                    "source": "walk_in",
                    "urgency": "normal",
                    "org_unit_id": GRID,
                    "address": None,
                    "lat": None,
                    "lon": None,
                    "visit_id": None,
                },
            )
        )
        for k in range(9):
            out.append(
                Event(
                    id=str(uuid.uuid4()),
                    case_id=case_id,
                    type="commented",
                    at=at + timedelta(milliseconds=k + 1),
                    actor_id=coordinator_id,
                    data={"text": f"跟进 {k}"},
                )
            )
    return out


def _case_rows(events: Sequence[Event]) -> list[dict[str, Any]]:
    by_case: dict[str, list[Event]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    now = datetime.now(UTC)
    return [{**project(evs).as_columns(), "updated_at": now} for evs in by_case.values()]


def _fill_outbox(desk: Desktop, events: Sequence[Event]) -> None:
    """Desk A's state after recording the events (setup, not timed): events, case rows
    and one pending outbox row each, as services.cases.records writes them."""
    with desk.db.session() as session:
        session.execute(CaseEvent.__table__.insert(), [event_columns(e) for e in events])
        session.execute(Case.__table__.insert(), _case_rows(events))
        session.execute(
            OutboxItem.__table__.insert(),
            [
                {
                    "kind": "case_event",
                    "item_id": e.id,
                    "payload": e.to_wire(),
                    "status": "pending",
                    "attempts": 0,
                }
                for e in events
            ],
        )


def _json_rows(rows: Sequence[dict[str, Any]]) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return json.dumps([{k: plain(v) for k, v in row.items()} for row in rows], ensure_ascii=False)


def _bulk_baseline(pg: Engine, desk: Engine, events: Sequence[Event], run: int) -> float:
    """Seconds to write the round's rows, each table in one bulk statement (see above)."""
    event_rows = [{**event_columns(e), "received_at": e.at} for e in events]
    case_rows = _case_rows(events)
    feed_rows = [
        {"kind": "case_event", "item_id": e.id, "scope": GRID, "created_at": e.at} for e in events
    ]
    payloads = [_json_rows(event_rows), _json_rows(case_rows), _json_rows(feed_rows)]
    tables = [("case_events", "bench_events"), ("cases", "bench_cases")]
    pg_tables = [*tables, ("srv_changes", "bench_changes")]
    with pg.begin() as conn:
        for source, copy in pg_tables:
            conn.execute(text(f"DROP TABLE IF EXISTS {copy}_{run}"))
            conn.execute(text(f"CREATE TABLE {copy}_{run} (LIKE {source} INCLUDING ALL)"))
    with desk.begin() as conn:
        for source, copy in tables:
            conn.execute(text(f"DROP TABLE IF EXISTS {copy}_{run}"))
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": source},
            ).scalar_one()
            conn.execute(text(sql.replace(source, f"{copy}_{run}", 1)))
            for (index_sql,) in conn.execute(
                text(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :n "
                    "AND sql IS NOT NULL"
                ),
                {"n": source},
            ):  # the table's indexes too, as on PostgreSQL (INCLUDING ALL)
                conn.execute(
                    text(
                        index_sql.replace(" ON ", f"_{copy}_{run} ON ", 1).replace(
                            f"ON {source}", f"ON {copy}_{run}", 1
                        )
                    )
                )
    columns = {
        "bench_events": list(event_rows[0]),
        "bench_cases": list(case_rows[0]),
        "bench_changes": list(feed_rows[0]),
    }
    started = time.perf_counter()
    with pg.begin() as conn:
        for (_source, copy), payload in zip(pg_tables, payloads, strict=True):
            names = ", ".join(columns[copy])
            conn.execute(
                text(
                    f"INSERT INTO {copy}_{run} ({names}) SELECT {names} "
                    f"FROM json_populate_recordset(NULL::{copy}_{run}, CAST(:rows AS json))"
                ),
                {"rows": payload},
            )
    with desk.begin() as conn:
        for (_source, copy), rows in zip(tables, [event_rows, case_rows], strict=True):
            names = columns[copy]
            marks = ", ".join(f":{name}" for name in names)
            conn.execute(
                text(f"INSERT INTO {copy}_{run} ({', '.join(names)}) VALUES ({marks})"),
                [{k: _sqlite_value(v) for k, v in row.items()} for row in rows],
            )
    return time.perf_counter() - started


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _summary(samples: Sequence[float]) -> str:
    return f"min {min(samples):.2f}, median {statistics.median(samples):.2f}"


def test_sync_round_and_empty_pull(tmp_path: Path) -> None:
    with fresh_server_url("pg", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as server:
            sender = Desktop.create(tmp_path / "a", server.url, timeout=600)
            receiver = Desktop.create(tmp_path / "b", server.url, timeout=600)
            sender.login("coordinator")
            receiver.login("official")
            coordinator_id = sender.user_id("coordinator")
            rounds: list[float] = []
            pushes: list[float] = []
            pulls: list[float] = []
            baselines: list[float] = []
            for run in range(RUNS):
                events = _events(coordinator_id, N, run)
                _fill_outbox(sender, events)
                receiver.run(lambda e: e.pull())  # caught up (not timed)
                baselines.append(_bulk_baseline(db.engine, receiver.db.engine, events, run))

                started = time.perf_counter()
                pushed = sender.run(lambda e: e.push())
                middle = time.perf_counter()
                pulled = receiver.run(lambda e: e.pull())
                done = time.perf_counter()
                assert pushed.accepted == len(events), (pushed.accepted, pushed.rejected[:3])
                assert pulled.new_events == len(events)
                pushes.append(middle - started)
                pulls.append(done - middle)
                rounds.append(done - started)
                with receiver.db.sessions() as session:
                    held = session.scalar(
                        select(Case.event_count).where(Case.id == events[0].case_id)
                    )
                assert held == 10

            receiver.run(lambda e: e.pull())
            cursor = _cursor(receiver)
            with httpx.Client(base_url=server.url + "/api/v1", timeout=60) as client:
                login = client.post(
                    "/auth/token",
                    json={
                        "username": "official",
                        "password": PASSWORD,
                        "device_id": str(uuid.uuid4()),
                    },
                ).json()
                headers = {"Authorization": f"Bearer {login['token']}"}
                missing = "0" * 64

                def empty_pull() -> None:
                    answer = client.get("/sync/changes", params={"after": cursor}, headers=headers)
                    assert answer.status_code == 200 and answer.json()["changes"] == []

                def bare() -> None:
                    assert client.head(f"/blobs/{missing}", headers=headers).status_code == 404

                empties, bares = [], []
                for _ in range(RUNS):
                    empties.append(_median_of(empty_pull))
                    bares.append(_median_of(bare))
        db.dispose()
    ratios = [r / b for r, b in zip(rounds, baselines, strict=True)]
    empty_ratios = [e / b for e, b in zip(empties, bares, strict=True)]
    print(f"\n{N:,} events per run, {RUNS} runs (seconds; ratios: higher is slower)")
    print(f"  round (push + pull and apply): {_summary(rounds)}")
    print(f"    push, desk A -> county:      {_summary(pushes)}")
    print(f"    pull and apply, desk B:      {_summary(pulls)}")
    print(f"  bulk insert baseline:          {_summary(baselines)}")
    print(f"  round / bulk insert:           {_summary(ratios)} (goal <= 8)")
    print(f"  empty pull ms:                 {_summary([e * 1000 for e in empties])}")
    print(f"  bare authenticated request ms: {_summary([b * 1000 for b in bares])}")
    print(f"  empty pull / bare request:     {_summary(empty_ratios)} (goal <= 3)")


def _cursor(desk: Desktop) -> str:
    from services.sync.config import STATE_CURSOR, get_state

    with desk.db.sessions() as session:
        state = get_state(session, STATE_CURSOR)
    assert isinstance(state, dict)
    return str(state["cursor"])


def _median_of(fn: Callable[[], None], repeat: int = 100) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)
