"""The desktop's sync engine (docs/protocol.md): push the outbox, pull the change feed.

No Qt here: the loop that runs it in the background lives in
``desktop/sync_loop.py`` and the one-shot command in ``desktop/commands/sync.py``.
Network calls use ``httpx.AsyncClient``; database work runs through
``run_db`` (``asyncio.to_thread`` by default) so that an event loop shared
with the UI never waits on SQLite.

Guarantees, and how they are kept:

* **Nothing lost locally** — every visit and case event is written with its
  ``sync_outbox`` row in one transaction (``services.cases.records``). An item leaves
  ``pending`` only on the server's answer: ``accepted``/``duplicate`` → ``sent``,
  ``rejected`` → ``rejected`` with the code and message, shown to a person.
* **Nothing stored twice** — a push that fails in any way (time-out, cut
  connection, 5xx, crash before the answer was stored) leaves the items
  pending, and the next push sends the same ids; the server answers
  ``duplicate``. A pulled id the desktop holds already is not stored again.
* **The county decides the order** — pulled events carry ``server_seq``;
  ``services.cases.records.events_of`` orders a case's events by it, local events not
  yet accepted after them, and :func:`~services.sync.apply.reproject_case` recomputes the case.
* **A rejected event stays, marked** — the server never accepted it, so it is
  marked in ``case_events`` with the county's code and message (never
  deleted: SPEC, 全程留痕), left out of the projection, the queue and the
  figures, and shown struck through in the timeline; the case is re-projected
  from what the county accepted. The person then resends it, re-records what
  is still needed (a new dispatch, a new number) or discards it; each is
  audited (``services.sync.rejected``, docs/sync-rules.md).
* **The cursor moves with the data** — each pulled page is applied and its
  ``next`` cursor stored in one transaction, so a crash repeats at most one
  page, which is harmless (delivery is at least once, applying is idempotent).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from models.tables import User
from models.types import utcnow
from services.cases import records
from services.protocol.reference import UPSERTS
from services.sync import prune
from services.sync.apply import PageResult, apply_changes, begin_write, chunks
from services.sync.authors import PushPlan, pending_authors, pending_items, plan_push
from services.sync.blobs import BlobStats, BlobSync, ProgressFn
from services.sync.client import CountyClient
from services.sync.config import (
    PROTOCOL_VERSION,
    STATE_CURSOR,
    STATE_DESK_CODE,
    STATE_LAST_ERROR,
    STATE_LAST_SUCCESS,
    STATE_PULL_USER,
    get_state,
    put_state,
)
from services.sync.errors import (
    LoginRequired,
    ServerFailed,
    SyncError,
)
from services.sync.login import check_login_answer, refused, remember_login
from services.sync.outbox import (
    MISSING_BLOB_NOTE,
    Batch,
    PushOutcome,
    Rejection,
    make_batch,
    note_failure,
    record_results,
)
from services.sync.report import USER, RoundReport, finish_report, keep_login_pull
from services.sync.status import usable_users
from services.sync.tokens import TokenRecord
from services.sync.transport import Answer

log = logging.getLogger(__name__)


@dataclass
class RoundResult:
    pushed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    pulled: int = 0
    new_events: int = 0
    new_visits: int = 0
    reference: int = 0
    quarantined: int = 0
    case_ids: set[str] = field(default_factory=set)
    visit_ids: set[str] = field(default_factory=set)
    restarted_feed: bool = False
    pruned_cases: int = 0
    pruned_visits: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # user id → items waiting for them
    pushed_as: list[str] = field(default_factory=list)
    # What came down and went up per type, with what a first login pulled before
    # the round (services.sync.report); the fields above count this round alone.
    report: RoundReport = field(default_factory=RoundReport)


def scope_key(user: User | None) -> str:
    """What decides a desk's pull scope (docs/protocol.md "Pull: the feed")."""
    if user is None:
        return ""
    if user.role in ("reception", "coordinator"):
        return f"full:{user.org_unit_id}"
    if user.role in ("official", "admin"):
        return f"masked:{user.org_unit_id}"
    if user.role == "department":
        return f"department:{user.department_id}"
    return f"grid_worker:{user.id}"


def _answered_user(data: Mapping[str, Any]) -> User:
    """The login answer's user as an unsaved row: enough to name their scope."""
    return User(
        id=data["id"],
        username=data["username"],
        role=data["role"],
        org_unit_id=data.get("org_unit_id"),
        department_id=data.get("department_id"),
    )


_CURSOR_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _went_back(old: str | None, new: str) -> bool:
    """``more: true`` with the same or an earlier cursor: a feed that never ends."""
    if old is None:
        return False
    if old == new:
        return True
    a, b = _CURSOR_NUMBER.match(old), _CURSOR_NUMBER.match(new)
    return bool(a and b and a.group(1) == b.group(1) and int(b.group(2)) <= int(a.group(2)))


class SyncEngine(CountyClient):
    """One desktop's conversation with the county: log in, push, pull, a round.

    Not thread-safe: one round at a time. See :class:`~services.sync.client.CountyClient`
    for the arguments.
    """

    _answered: User | None = None  # the user of the last login answer, until stored here
    blob_progress: ProgressFn | None = None  # told how attachment transfers go (the sync screen)
    _blobs: BlobSync | None = None

    def blob_sync(self) -> BlobSync:
        """This engine's attachment transfers (services.sync.blobs)."""
        if self._blobs is None:
            self._blobs = BlobSync(self, self.blob_progress)
        return self._blobs

    async def download_blobs(self, *, limit: int | None = None) -> BlobStats:
        """After a round: fetch the attachments of this desk's cases it lacks, under a
        deadline of its own."""
        self._deadline = None
        return await self.blob_sync().download_missing(limit=limit)

    # ------------------------------------------------------------ logging in and out
    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Get a device-bound token; keep it, and the user with a hash of the password.

        A desk installed without network sends the desk code it numbers with (the
        county binds it if it reserved it for the street) and adopts the code the
        county answers. A person not known here yet comes down with what they need:
        on a desk that has not pulled yet, the first pull is in their scope; on a
        desk that follows another person's scope, only the reference data is read
        (their org unit chain, department, grids …), so the desk's cases, its
        cursor and its scope stay as they were.
        """
        request: dict[str, Any] = {
            "username": username,
            "password": password,
            "device_id": self.conn.device_id,
            "device_name": self.conn.device_name,
        }
        used_code = await self._db(self._stored_desk_code)
        if used_code:
            request["desk_code"] = used_code
        answer = await self._request("POST", "/auth/token", json=request)
        if answer.status != 200:
            raise refused(answer)
        body = check_login_answer(answer.json())
        record = TokenRecord.from_answer(self.conn.server_url, self.conn.device_id, body)
        await self._db(self._save_record, record)
        self._failed_users.discard(record.user_id)
        await self._db(self._note, STATE_PULL_USER, record.user_id)
        desk_code = body.get("desk_code")
        if isinstance(desk_code, str) and desk_code.isdigit() and len(desk_code) == 2:
            if used_code and desk_code != used_code:
                log.info(
                    "the county gave this desk the code %s instead of %s", desk_code, used_code
                )
            await self._db(self._note, STATE_DESK_CODE, desk_code)
        remembered = await self._db(self._remember, body["user"], password)
        if not remembered:
            self._answered = _answered_user(body["user"])
            after = await self._db(self._other_scope_cursor, self._answered)
            if after is None:
                await self.pull_reference_then_remember(body, password)
            else:
                await self._pull_reference(record.user_id, after or None)
                await self._db(self._remember, body["user"], password)
        return body

    async def logout(self, user_id: str) -> bool:
        """Revoke the user's token at the county (when reachable) and forget it here."""
        revoked = False
        try:
            record = await self._db(self._load, user_id)
            if record is not None and record.token_usable():
                answer = await self._request(
                    "POST", "/auth/logout", headers={"Authorization": f"Bearer {record.token}"}
                )
                revoked = answer.status == 200
            elif record is not None and record.refresh_usable():
                token = await self._refresh(record)
                if token is not None:
                    answer = await self._request(
                        "POST", "/auth/logout", headers={"Authorization": f"Bearer {token}"}
                    )
                    revoked = answer.status == 200
        except SyncError as exc:
            log.info("county logout of %s not confirmed: %s", user_id, exc)
        finally:
            await self._db(self._forget, user_id)
        return revoked

    def _remember(self, user: Mapping[str, Any], password: str) -> bool:
        with self.db.session() as session:
            known = session.get(User, user.get("id")) is not None
            if remember_login(session, user, password) is None:
                return False
            if not known:  # stored from the login answer: the next round's report says so
                came = RoundReport()
                came.add_new(USER)
                keep_login_pull(session, came)
            return True

    def _stored_desk_code(self) -> str | None:
        with self.db.sessions() as session:
            return records.desk_code(session)

    def _scope_user(self, session: Session, user_id: str) -> User | None:
        """Whose scope a pull takes: the stored user, or one the county just logged in."""
        found = session.get(User, user_id)
        if found is None and self._answered is not None and self._answered.id == user_id:
            return self._answered
        return found

    def _other_scope_cursor(self, user: User) -> str | None:
        """The desk's cursor when it follows another scope of this county ("" when that
        cursor is of another server or protocol), or None: pull in ``user``'s scope."""
        with self.db.sessions() as session:
            state = get_state(session, STATE_CURSOR)
        if not isinstance(state, dict) or not state.get("cursor"):
            return None  # never pulled here: the first pull is this person's
        same_feed = (
            state.get("server") == self.conn.server_url
            and state.get("protocol") == PROTOCOL_VERSION
        )
        if same_feed and state.get("scope") == scope_key(user):
            return None  # the same scope: the next pages bring what is missing
        return str(state["cursor"]) if same_feed else ""

    async def _pull_reference(self, user_id: str, after: str | None) -> int:
        """Read the feed after ``after`` with ``user_id``'s token and keep only the
        reference data; the desk's cursor, scope, cases and visits are left alone.
        Returns how many reference items changed here."""
        cursor, restarted, seen, changed = after, False, set[str](), 0
        while True:
            params: dict[str, Any] = {"limit": self.pull_limit}
            if cursor:
                params["after"] = cursor
            answer = await self._authorised("GET", "/sync/changes", user_id, params=params)
            if answer.status == 410 and cursor and not restarted:
                cursor, restarted = None, True
                continue
            if answer.status != 200:
                raise refused(answer)
            changes, next_cursor, more = self._read_page(answer)
            if more and (_went_back(cursor, next_cursor) or next_cursor in seen):
                raise ServerFailed(
                    "the county answered more: true with the same or an earlier cursor",
                    code="feed_loop",
                )
            seen.add(next_cursor)
            reference = [
                change
                for change in changes
                if isinstance(change, Mapping) and change.get("type") in UPSERTS
            ]
            if reference:
                changed += await self._db(self._apply_reference, reference)
            if not more:
                return changed
            cursor = next_cursor

    def _apply_reference(self, changes: Sequence[Any]) -> int:
        """Store reference items; what changed goes into the next round's report."""
        with self.db.session() as session:
            begin_write(session)
            page = apply_changes(session, changes, server=self.conn.server_url)
            keep_login_pull(session, page.report)
            return page.reference

    async def pull_reference_then_remember(self, body: Mapping[str, Any], password: str) -> None:
        """A first login on a fresh desktop: its org unit arrives with the first pull.

        What this pull stored is kept for the next round's report.
        """
        pulled = await self.pull()
        await self._db(self._keep_login_pull, pulled.report)
        await self._db(self._remember, body["user"], password)

    def _keep_login_pull(self, report: RoundReport) -> None:
        with self.db.session() as session:
            keep_login_pull(session, report)

    # ------------------------------------------------------------ push
    def _plan(self, usable: set[str]) -> PushPlan:
        with self.db.sessions() as session:
            plan = plan_push(pending_items(session), usable.__contains__)
            for run in plan.runs:
                for item in run.items:
                    session.expunge(item)
            return plan

    def _authors(self) -> set[str]:
        with self.db.sessions() as session:
            return pending_authors(session)

    async def push(self, result: RoundResult | None = None) -> RoundResult:
        """Push each person's items with their own token; the rest wait for a login."""
        result = result or RoundResult()
        self._start_deadline()
        usable: set[str] = set()
        for author in sorted(await self._db(self._authors)):
            if await self.token_for(author) is not None:
                usable.add(author)
        plan = await self._db(self._plan, usable)
        result.waiting = dict(plan.waiting)
        result.report.waiting = sum(plan.waiting.values())
        blobs = self.blob_sync()
        for run in plan.runs:
            for chunk in chunks(run.items, self.push_batch):
                # Behind an event still missing a blob, its case's later items wait.
                chunk = [item for item in chunk if not blobs.waits(item)]
                if chunk:
                    await self._push_batch(run.user_id, make_batch(chunk), result)
        return result

    async def _post(self, user_id: str, batch: Batch) -> list[Any]:
        answer = await self._authorised(
            "POST",
            "/sync/push",
            user_id,
            json={
                "device_id": self.conn.device_id,
                "visits": batch.visits,
                "events": batch.events,
            },
        )
        if answer.status != 200:
            code, message, _reason = answer.error()
            raise ServerFailed(f"{answer.status} {code} {message}".strip())
        body = answer.json()
        results = body.get("results") if isinstance(body, Mapping) else None
        if not isinstance(results, list):
            raise ServerFailed("the push answer is not the protocol's", code="not_protocol")
        return results

    async def _push_batch(self, user_id: str, sent: Batch, result: RoundResult) -> None:
        try:  # the event's blobs first (services.sync.blobs), then the items
            batch, results, waiting = await self.blob_sync().push(user_id, sent, self._post)
        except SyncError as exc:
            await self._db(self._note_failure, sent.seqs, str(exc))
            raise
        if waiting:
            await self._db(self._note_failure, waiting, MISSING_BLOB_NOTE)
        if not batch.size:
            return
        outcome = await self._db(self._record, batch, results)
        if user_id not in result.pushed_as:
            result.pushed_as.append(user_id)
        result.pushed += batch.size
        result.accepted += outcome.accepted
        result.duplicate += outcome.duplicate
        result.rejected.extend(outcome.rejected)
        result.report.merge(outcome.report)
        if outcome.unanswered:
            raise ServerFailed(f"{outcome.unanswered} items had no answer")

    def _record(self, batch: Batch, results: Sequence[Any]) -> PushOutcome:
        with self.db.session() as session:
            begin_write(session)
            return record_results(session, batch, results)

    def _note_failure(self, seqs: Sequence[int], error: str) -> None:
        with self.db.session() as session:
            note_failure(session, seqs, error)

    # ------------------------------------------------------------ pull
    def _pull_user(self) -> str | None:
        with self.db.sessions() as session:
            users = usable_users(session, self.conn.server_url)
            preferred = self.user_id or get_state(session, STATE_PULL_USER)
        users = [u for u in users if u not in self._failed_users]
        if preferred in users:
            return str(preferred)
        return users[-1] if users else None

    async def _pull_token_user(self) -> str:
        tried: set[str] = set()
        while True:
            user_id = await self._db(self._pull_user)
            if user_id is None or user_id in tried:
                raise LoginRequired("nobody is logged in to this county on this desk")
            tried.add(user_id)
            if await self.token_for(user_id) is not None:
                return user_id

    def _begin_pull(self, user_id: str) -> dict[str, Any]:
        """The cursor to go on from; a 1.0 cursor or another scope starts over, pruning."""
        with self.db.session() as session:
            begin_write(session)
            state = get_state(session, STATE_CURSOR) or {}
            scope = scope_key(self._scope_user(session, user_id))
            if (
                isinstance(state, dict)
                and state.get("server") == self.conn.server_url
                and state.get("protocol") == PROTOCOL_VERSION
                and state.get("scope") == scope
            ):
                return dict(state)
            marked = prune.mark_all(session)
            fresh = {
                "server": self.conn.server_url,
                "cursor": None,
                "protocol": PROTOCOL_VERSION,
                "scope": scope,
                "pruning": marked != (0, 0),
                "user_id": user_id,
            }
            log.info("pulling the feed from the beginning (scope %s), marked %s", scope, marked)
            put_state(session, STATE_CURSOR, fresh)
            return fresh

    async def pull(self, result: RoundResult | None = None) -> RoundResult:
        result = result or RoundResult()
        self._start_deadline()
        user_id = await self._pull_token_user()
        state = await self._db(self._begin_pull, user_id)
        result.report.from_start = result.report.from_start or not state.get("cursor")
        restarted = False
        seen: set[str] = set()
        while True:
            cursor = state.get("cursor")
            params: dict[str, Any] = {"limit": self.pull_limit}
            if cursor:
                params["after"] = cursor
            answer = await self._authorised("GET", "/sync/changes", user_id, params=params)
            if answer.status == 410 and not restarted:
                restarted = True
                result.restarted_feed = True
                result.report.from_start = True
                state = dict(state, cursor=None)
                await self._db(self._store_cursor, state)
                continue
            if answer.status != 200:
                raise refused(answer)
            changes, next_cursor, more = self._read_page(answer)
            if more and (_went_back(cursor, next_cursor) or next_cursor in seen):
                raise ServerFailed(
                    f"the county answered more: true with the same or an earlier cursor "
                    f"({next_cursor[:40]!r}); the feed would never end",
                    code="feed_loop",
                )
            seen.add(next_cursor)
            state = dict(state, cursor=next_cursor)
            page = await self._db(self._apply_page, changes, state)
            result.pulled += len(changes)
            result.new_events += page.new_events
            result.new_visits += page.new_visits
            result.reference += page.reference
            result.quarantined += page.quarantined
            result.case_ids |= page.case_ids
            result.visit_ids |= page.visit_ids
            result.report.merge(page.report)
            if not more:
                if state.get("pruning"):
                    cases, visits = await self._db(self._finish_prune, state, user_id)
                    result.pruned_cases, result.pruned_visits = cases, visits
                    result.report.pruned_cases += cases
                    result.report.pruned_visits += visits
                return result

    def _read_page(self, answer: Answer) -> tuple[list[Any], str, bool]:
        body = answer.json()
        if not isinstance(body, Mapping):
            raise ServerFailed("the changes answer is not a JSON object", code="not_protocol")
        changes, next_cursor, more = body.get("changes"), body.get("next"), body.get("more")
        if not isinstance(changes, list):
            raise ServerFailed("the changes answer has no list of changes", code="not_protocol")
        if not isinstance(more, bool):
            raise ServerFailed(
                "the changes answer's more is not true or false", code="not_protocol"
            )
        if (
            not isinstance(next_cursor, str)
            or not 0 < len(next_cursor) <= 200
            or not next_cursor.isprintable()
        ):
            raise ServerFailed("the changes answer has no valid next cursor", code="not_protocol")
        return changes, next_cursor, more

    def _store_cursor(self, state: dict[str, Any]) -> None:
        with self.db.session() as session:
            put_state(session, STATE_CURSOR, state)

    def _apply_page(self, changes: Sequence[Any], state: dict[str, Any]) -> PageResult:
        with self.db.session() as session:
            begin_write(session)
            page = apply_changes(
                session,
                changes,
                server=self.conn.server_url,
                pruning=bool(state.get("pruning")),
            )
            put_state(session, STATE_CURSOR, state)
            return page

    def _finish_prune(self, state: dict[str, Any], user_id: str) -> tuple[int, int]:
        with self.db.session() as session:
            begin_write(session)
            counts = prune.finish(session, user_id=user_id)
            put_state(session, STATE_CURSOR, dict(state, pruning=False))
            return counts

    # ------------------------------------------------------------ a round
    async def run_round(self) -> RoundResult:
        """Push what may go, then pull until the feed has nothing more, within the deadline."""
        result = RoundResult()
        self._deadline = None
        self._start_deadline()
        try:
            await self.push(result)
            await self.pull(result)
        except SyncError as exc:
            await self._db(self._note, STATE_LAST_ERROR, str(exc))
            raise
        await self._db(self._success, result.report)
        return result

    def _note(self, key: str, value: Any) -> None:
        with self.db.session() as session:
            put_state(session, key, value)

    def _success(self, report: RoundReport) -> None:
        """The round is done: note the time, and keep its report (with a login's pull)."""
        with self.db.session() as session:
            now = utcnow().isoformat()
            put_state(session, STATE_LAST_SUCCESS, now)
            put_state(session, STATE_LAST_ERROR, "")
            finish_report(session, report, now)
