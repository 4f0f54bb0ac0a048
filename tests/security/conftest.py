"""Fixtures of the hostile suite (docs/trust.md).

Each probe talks to a real county server over HTTP, on SQLite and (when
``GRIDDESK_TEST_PG_URL`` is set) PostgreSQL, as a hostile desk would, and checks
two things: the clear error it gets back, and that what the server stores did not
change (:func:`stored_counts`).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from county_server.models import Change
from models.db import Database
from models.tables import AuditEntry, Case, CaseEvent, Category, User, Visit
from tests.sync_harness import PASSWORD, ServerThread, demo_server_db, fresh_server_url, pg_base_url

GRID = "990101001001001"  # a grid of 长河街道
STREET = "990101001"
OTHER_GRID = "990101002001001"  # a grid of 西岭街道

BACKENDS = [
    "sqlite",
    pytest.param(
        "pg",
        marks=[
            pytest.mark.pg,
            pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set"),
        ],
    ),
]


def now_wire(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def stored_counts(db: Database) -> dict[str, int]:
    """What a refused request must leave unchanged."""
    with db.sessions() as session:
        return {
            table.__name__: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (Case, CaseEvent, Visit, Change)
        }


_SERIALS = itertools.count(1)


@dataclass
class Api:
    """A hostile desk: plain HTTP calls, with one token per user."""

    server: ServerThread
    client: httpx.Client
    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    tokens: dict[str, str] = field(default_factory=dict)
    logins: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        return self.server.db

    def login(self, username: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/auth/token",
            json={
                "username": username,
                "password": password,
                "device_id": extra.pop("device_id", self.device_id),
                "device_name": "probe",
                **extra,
            },
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.tokens[username] = body["token"]
        self.logins[username] = body
        return body

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.login(username)
        return self.tokens[username]

    def user_id(self, username: str) -> str:
        with self.db.sessions() as session:
            found = session.scalar(select(User.id).where(User.username == username))
            assert found is not None, username
            return str(found)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def push(
        self,
        username: str,
        *,
        visits: list[Any] | None = None,
        events: list[Any] | None = None,
        device_id: str | None = None,
    ) -> httpx.Response:
        return self.client.post(
            "/api/v1/sync/push",
            headers=self.headers(username),
            json={
                "device_id": device_id or self.device_id,
                "visits": visits or [],
                "events": events or [],
            },
        )

    def push_one(self, username: str, event: dict[str, Any]) -> dict[str, Any]:
        response = self.push(username, events=[event])
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["results"][0]
        return result

    def changes(self, username: str, **params: Any) -> list[dict[str, Any]]:
        """Every change the user receives, following ``next`` to the end."""
        out: list[dict[str, Any]] = []
        after = None
        for _ in range(10_000):
            query = {"limit": 1000, **params}
            if after:
                query["after"] = after
            response = self.client.get(
                "/api/v1/sync/changes", headers=self.headers(username), params=query
            )
            assert response.status_code == 200, response.text
            body = response.json()
            out += body["changes"]
            after = body["next"]
            if not body["more"]:
                return out
        raise AssertionError("the feed never ended")

    # ------------------------------------------------------------ building items
    def category(self) -> str:
        with self.db.sessions() as session:
            return str(
                session.scalar(
                    select(Category.code)
                    .where(Category.parent_code.is_not(None))
                    .order_by(Category.code)
                )
            )

    def created(self, username: str = "coordinator", **data: Any) -> dict[str, Any]:
        case_id = str(uuid.uuid4())
        # A serial no other case of this run holds (random ones collide: birthday odds).
        number = data.pop(
            "number", f"{STREET}-{datetime.now(UTC):%Y%m%d}-{next(_SERIALS) % 100_000:05d}"
        )
        return {
            "id": str(uuid.uuid4()),
            "case_id": case_id,
            "type": "created",
            "at": now_wire(),
            "actor_id": self.user_id(username),
            "data": {
                "number": number,
                "title": "井盖缺失",
                "description": "人行道井盖缺失",
                "category_code": self.category(),
                "source": "walk_in",
                "urgency": "normal",
                "org_unit_id": GRID,
                "address": "长河路1号",
                "lat": None,
                "lon": None,
                "visit_id": None,
                **data,
            },
        }

    def event(self, case_id: str, event_type: str, username: str, **data: Any) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "case_id": case_id,
            "type": event_type,
            "at": now_wire(),
            "actor_id": self.user_id(username),
            "data": data,
        }

    def new_case(self, username: str = "coordinator", **data: Any) -> str:
        """A case created at the county by ``username`` (accepted), returning its id."""
        event = self.created(username, **data)
        result = self.push_one(username, event)
        assert result["status"] == "accepted", result
        return str(event["case_id"])

    def department_of(self, username: str) -> str:
        with self.db.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None and user.department_id
            return user.department_id

    def dispatched_case(self, department_user: str = "dept_chengguan") -> str:
        case_id = self.new_case()
        deadline = now_wire(timedelta(days=3))
        event = self.event(
            case_id,
            "dispatched",
            "coordinator",
            assignee_type="department",
            assignee_id=self.department_of(department_user),
            ack_deadline=now_wire(timedelta(hours=8)),
            deadline=deadline,
            note="",
        )
        result = self.push_one("coordinator", event)
        assert result["status"] == "accepted", result
        return case_id

    def audit_count(self, action: str) -> int:
        with self.db.sessions() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
                )
                or 0
            )


@pytest.fixture(params=BACKENDS, scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    """One county server per test module and database: probes leave no trace,
    so they can share it (each checks the counts around its own request)."""
    with fresh_server_url(request.param, tmp_path_factory.mktemp("county")) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


@pytest.fixture(scope="module")
def api(server: ServerThread) -> Iterator[Api]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(server, client)
