"""The engine's conversation with the county below push and pull: one HTTP client
under one deadline, and each person's own device-bound token.

:class:`CountyClient` sends requests under the round's deadline (a 5xx is a
:class:`~services.sync.errors.ServerFailed`), keeps tokens in the credential
store with a secret-free index in ``sync_state`` (:mod:`services.sync.tokens`),
refreshes a token that ran out and drops the offline login of someone the
county refused, and asks for a masked visitor field. The engine
(:class:`services.sync.engine.SyncEngine`) builds push, pull and login on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Self, TypeVar

import httpx
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import User
from services import settings as settings_service
from services.audit import audit
from services.errors import DomainError
from services.sync import transport
from services.sync.config import (
    PULL_LIMIT,
    PUSH_BATCH,
    STATE_TOKEN,
    STATE_TOKENS,
    Connection,
    connection,
    get_state,
    make_client,
    put_state,
)
from services.sync.errors import (
    LoginRequired,
    RevealRefused,
    ServerFailed,
)
from services.sync.login import check_login_answer, refused
from services.sync.tokens import TokenRecord, TokenStore, store_for, token_key
from services.sync.transport import Answer

log = logging.getLogger(__name__)

T = TypeVar("T")


async def _to_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


def deadline_setting(session: Session) -> float:
    try:
        value = settings_service.get(session, "device.sync_deadline")
    except DomainError:
        value = None
    try:
        seconds = float(value) if value else transport.DEFAULT_DEADLINE
    except (TypeError, ValueError):
        seconds = transport.DEFAULT_DEADLINE
    return seconds if seconds > 0 else transport.DEFAULT_DEADLINE


class CountyClient:
    """The HTTP client, the deadline and the tokens of one desk. Not thread-safe.

    ``user_id`` names whose scope to pull (the desk's session user); without it
    the last person who logged in to the county here.
    """

    def __init__(
        self,
        db: Database,
        conn: Connection,
        *,
        client: httpx.AsyncClient | None,
        run_db: Callable[..., Awaitable[Any]] = _to_thread,
        push_batch: int = PUSH_BATCH,
        pull_limit: int = PULL_LIMIT,
        deadline: float | None = None,
        max_answer_bytes: int = transport.MAX_ANSWER_BYTES,
        user_id: str | None = None,
        tokens: TokenStore | None = None,
    ) -> None:
        self.db = db
        self.conn = conn
        self._client = client
        self._run_db = run_db
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.deadline_seconds = deadline
        self.max_answer_bytes = max_answer_bytes
        self.user_id = user_id
        self.tokens = tokens or store_for(db.path.parent if db.path else None)
        self._deadline: transport.Deadline | None = None
        self._failed_users: set[str] = set()
        self._refreshing: asyncio.Lock | None = None

    @classmethod
    def from_settings(cls, db: Database, **kwargs: Any) -> Self:
        with db.session() as session:
            conn = connection(session)
        return cls(db, conn, client=make_client(conn), **kwargs)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self.conn)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        result: T = await self._run_db(fn, *args)
        return result

    # ------------------------------------------------------------ http
    def _start_deadline(self) -> None:
        if self._deadline is None:
            seconds = self.deadline_seconds
            if seconds is None:
                with self.db.sessions() as session:
                    seconds = deadline_setting(session)
            self._deadline = transport.Deadline(seconds)

    async def _request(self, method: str, url: str, **kwargs: Any) -> Answer:
        """One request within the round's deadline; ``sink=`` streams a ``200`` body
        (a blob, up to ``max_bytes=``) instead of keeping it (:func:`transport.fetch`)."""
        self._start_deadline()
        kwargs.setdefault("max_bytes", self.max_answer_bytes)
        answer = await transport.fetch(
            self.client,
            method,
            url,
            deadline=self._deadline,
            **kwargs,
        )
        if answer.status >= 500:
            code, message, _reason = answer.error()
            raise ServerFailed(f"{answer.status} {code} {message}".strip())
        return answer

    # ------------------------------------------------------------ tokens
    def _index_put(self, record: TokenRecord) -> None:
        with self.db.session() as session:
            index = dict(get_state(session, STATE_TOKENS) or {})
            index.pop(record.key, None)  # re-insert: the most recent login comes last
            index[record.key] = record.index_entry()
            put_state(session, STATE_TOKENS, index)
            # A token of 1.0 kept in clear in the database: gone for good.
            if get_state(session, STATE_TOKEN):
                put_state(session, STATE_TOKEN, {})

    def _index_drop(self, user_id: str) -> None:
        with self.db.session() as session:
            index = dict(get_state(session, STATE_TOKENS) or {})
            if index.pop(token_key(self.conn.server_url, user_id), None) is not None:
                put_state(session, STATE_TOKENS, index)

    def _save_record(self, record: TokenRecord) -> None:
        self.tokens.save(record)
        self._index_put(record)

    def _forget(self, user_id: str) -> None:
        self.tokens.forget(self.conn.server_url, user_id)
        self._index_drop(user_id)

    def _drop_credentials(self, user_id: str, reason: str) -> None:
        """The county ended this user's tokens: the next login here must reach it."""
        self._forget(user_id)
        if reason not in ("password_changed", "disabled", "revoked"):
            return
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.password_hash = None
                if reason == "disabled":
                    user.active = False
                audit(session, user_id, "sync.credentials_dropped", "user", user_id, reason=reason)
        log.info("county refused %s's refresh (%s): offline login dropped", user_id, reason)

    def _load(self, user_id: str) -> TokenRecord | None:
        record = self.tokens.load(self.conn.server_url, user_id)
        if record is not None and record.device_id != self.conn.device_id:
            self._forget(user_id)  # bound to another desk (a copied data folder)
            return None
        return record

    async def token_for(self, user_id: str) -> str | None:
        """A usable token of ``user_id`` on this desk (refreshed when needed), or None."""
        if user_id in self._failed_users:
            return None
        record = await self._db(self._load, user_id)
        if record is None:
            return None
        if record.token_usable():
            return record.token
        # Attachments move several at a time: one refresh per person, the others
        # wait for it and read the rotated pair (a used refresh token is refused).
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        async with self._refreshing:
            record = await self._db(self._load, user_id)
            if record is None:
                return None
            if record.token_usable():
                return record.token
            if not record.refresh_usable():
                await self._db(self._forget, user_id)
                return None
            return await self._refresh(record)

    async def _refresh(self, record: TokenRecord) -> str | None:
        answer = await self._request(
            "POST",
            "/auth/refresh",
            json={"refresh_token": record.refresh_token, "device_id": self.conn.device_id},
        )
        if answer.status == 200:
            body = check_login_answer(answer.json())
            if str(body["user"]["id"]) != record.user_id:
                raise ServerFailed("the refresh answer names another user", code="not_protocol")
            fresh = TokenRecord.from_answer(self.conn.server_url, self.conn.device_id, body)
            if not fresh.refresh_token:
                fresh.refresh_token, fresh.refresh_expires_at = "", None
            # Rotation: the old refresh token is used up; store the new pair first.
            await self._db(self._save_record, fresh)
            return fresh.token
        if answer.status in (400, 401, 403):
            code, _message, reason = answer.error()
            again = await self._db(self._load, record.user_id)
            if again is not None and again.refresh_token != record.refresh_token:
                # Another round (or the reveal dialog) rotated it meanwhile.
                return again.token if again.token_usable() else None
            await self._db(self._drop_credentials, record.user_id, reason or code)
            self._failed_users.add(record.user_id)
            return None
        raise refused(answer)

    def _expire_token(self, user_id: str) -> None:
        record = self.tokens.load(self.conn.server_url, user_id)
        if record is not None:
            record.token, record.expires_at = "", None
            self._save_record(record)

    async def _authorised(self, method: str, url: str, user_id: str, **kwargs: Any) -> Answer:
        headers = dict(kwargs.pop("headers", None) or {})  # a blob's Content-Type
        for attempt in range(2):
            token = await self.token_for(user_id)
            if token is None:
                raise LoginRequired(f"no county login for {user_id} on this desk")
            answer = await self._request(
                method, url, headers={**headers, "Authorization": f"Bearer {token}"}, **kwargs
            )
            if answer.status != 401:
                return answer
            code, message, reason = answer.error()
            if code == "token_expired" and attempt == 0:
                await self._db(self._expire_token, user_id)
                continue
            await self._db(self._drop_credentials, user_id, reason or code)
            self._failed_users.add(user_id)
            raise LoginRequired(message or code, code=code or "invalid_token")
        raise LoginRequired("the county keeps refusing this login", code="invalid_token")

    # ------------------------------------------------------------ reveal
    async def reveal(self, user_id: str, visit_id: str, field: str, reason: str) -> str | None:
        answer = await self._authorised(
            "POST",
            "/reveal",
            user_id,
            json={"visit_id": visit_id, "field": field, "reason": reason},
        )
        if answer.status in (403, 404):
            code, message, _reason = answer.error()
            raise RevealRefused(
                message or code, code="not_found" if answer.status == 404 else "forbidden"
            )
        if answer.status != 200:
            raise refused(answer)
        body = answer.json()
        value = body.get("value") if isinstance(body, Mapping) else None
        if value is not None and (
            not isinstance(value, str) or len(value) > 40 or not value.isprintable()
        ):
            raise ServerFailed("the reveal answer is not the protocol's", code="not_protocol")
        return value
