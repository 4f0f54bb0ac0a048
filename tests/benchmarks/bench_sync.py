"""Sync throughput on PostgreSQL (needs GRIDDESK_TEST_PG_URL).

    python -m pytest tests/benchmarks/bench_sync.py -s
    GRIDDESK_BENCH_EVENTS=20000 python -m pytest tests/benchmarks/bench_sync.py -s

1. Pushing N case events (10 per case: registration + 9 comments) through the
   county server in batches of 500, then pulling them all back through the
   change feed (an ``official`` of the county, pages of 1000), as a ratio to
   inserting the same rows into a copy of ``case_events`` with one bulk
   statement on the same database (the limit).
2. The round trip of a pull with nothing new, as a ratio to a bare HTTP
   request (``GET /api/v1/ping``) to the same server.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.cases.projection import Event
from services.cases.records import event_columns
from tests.sync_harness import PASSWORD, ServerThread, demo_server_db, fresh_server_url, pg_base_url

pytestmark = pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set")

N = int(os.environ.get("GRIDDESK_BENCH_EVENTS", "100000"))
GRID = "990101001001001"


def _events(coordinator_id: str, n: int) -> list[dict[str, object]]:
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    out: list[dict[str, object]] = []
    for number in range(n // 10):
        case_id = str(uuid.uuid4())
        at = start + timedelta(minutes=number)
        out.append(
            Event(
                id=str(uuid.uuid4()),
                case_id=case_id,
                type="created",
                at=at,
                actor_id=coordinator_id,
                data={
                    "number": f"990101001-20261102-{number:05d}",
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
            ).to_wire()
        )
        for k in range(9):
            out.append(
                Event(
                    id=str(uuid.uuid4()),
                    case_id=case_id,
                    type="commented",
                    at=at + timedelta(seconds=k + 1),
                    actor_id=coordinator_id,
                    data={"text": f"跟进 {k}"},
                ).to_wire()
            )
    return out


def test_push_pull_throughput_and_empty_pull(tmp_path: Path) -> None:
    with fresh_server_url("pg", tmp_path) as url:
        db = demo_server_db(url)
        with (
            ServerThread(db) as server,
            httpx.Client(base_url=server.url + "/api/v1", timeout=300) as client,
        ):
            device_id = str(uuid.uuid4())

            def login(username: str) -> dict[str, Any]:
                body = client.post(
                    "/auth/token",
                    json={"username": username, "password": PASSWORD, "device_id": device_id},
                )
                answer: dict[str, Any] = body.json()
                return answer

            def token(username: str) -> str:
                return str(login(username)["token"])

            coordinator = login("coordinator")
            push_headers = {"Authorization": f"Bearer {coordinator['token']}"}
            events = _events(coordinator["user"]["id"], N)

            # --- the limit: the same rows in one bulk statement
            rows = []
            for wire in events:
                columns = event_columns(Event.from_wire(wire))
                columns["at"] = columns["at"].isoformat()
                for key in ("ack_deadline", "deadline"):
                    columns[key] = None
                rows.append(columns)
            payload = json.dumps(rows, ensure_ascii=False)
            with db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE bench_events (LIKE case_events INCLUDING ALL)"))
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO bench_events (id, case_id, type, at, actor_id, data) "
                        "SELECT id, case_id, type, at, actor_id, data "
                        "FROM json_populate_recordset(NULL::bench_events, CAST(:rows AS json))"
                    ),
                    {"rows": payload},
                )
            bulk = time.perf_counter() - started

            # --- push, then pull everything back
            started = time.perf_counter()
            for offset in range(0, len(events), 500):
                answer = client.post(
                    "/sync/push",
                    json={
                        "device_id": device_id,
                        "visits": [],
                        "events": events[offset : offset + 500],
                    },
                    headers=push_headers,
                )
                assert answer.status_code == 200
                assert all(r["status"] == "accepted" for r in answer.json()["results"])
            pushed = time.perf_counter() - started
            pull_headers = {"Authorization": f"Bearer {token('official')}"}
            started = time.perf_counter()
            cursor, received = None, 0
            while True:
                params: dict[str, object] = {"limit": 1000}
                if cursor:
                    params["after"] = cursor
                body = client.get("/sync/changes", params=params, headers=pull_headers).json()
                received += sum(1 for c in body["changes"] if c["type"] == "case_event")
                cursor = body["next"]
                if not body["more"]:
                    break
            pulled = time.perf_counter() - started
            assert received == len(events)

            # --- an empty pull against a bare request
            def timed(fn: object, repeat: int = 200) -> float:
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    fn()  # type: ignore[operator]
                    samples.append(time.perf_counter() - t0)
                return statistics.median(samples)

            empty = timed(
                lambda: client.get(
                    "/sync/changes", params={"after": cursor}, headers=pull_headers
                ).raise_for_status()
            )
            bare = timed(lambda: client.get("/ping").raise_for_status())
        db.dispose()
    print(
        f"\n{len(events):,} events: bulk insert {bulk:.2f} s; push {pushed:.1f} s + pull {pulled:.1f} s"
        f" = {(pushed + pulled) / bulk:.0f}x the bulk insert"
        f" (push {len(events) / pushed:,.0f} events/s, pull {len(events) / pulled:,.0f} events/s)"
    )
    print(
        f"empty pull {empty * 1000:.2f} ms vs bare request {bare * 1000:.2f} ms:"
        f" {empty / bare:.1f}x"
    )
