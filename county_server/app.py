"""The HTTP API of docs/protocol.md on Starlette.

Handlers are plain functions (Starlette runs them in its thread pool), each
with its own database transaction. Every error answers
``{"error": code, "message": text}`` with a fitting status.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.db import Database
from models.tables import User
from services.protocol.fields import loads_strict

from . import auth_api
from .auth_api import BodyRefused, client_address, parse_proxies, read_body
from .blobs import BLOB_ROOT_ENV, BlobApi, BlobStore, default_blob_root
from .db import write_session
from .feed import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorError,
    decode_cursor,
    encode_cursor,
    read_changes,
    viewer_of,
)
from .models import Device
from .push import MAX_ITEMS, Origin, push
from .reveal import RevealRefused, reveal
from .tokens import (
    TOKEN_HOURS,
    Principal,
    TokenRefused,
    authenticate_request,
    canonical_device_id,
    check_token,
)

log = logging.getLogger(__name__)
API = "/api/v1"


def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message}, status_code=status, headers=headers or None
    )


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str | None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.extra = {key: value for key, value in extra.items() if value}


# docs/protocol.md: a request body is refused while it is read once it passes 8 MB.
MAX_BODY = 8 * 1024 * 1024


class SyncApi:
    """The handlers of the sync protocol over one database (the login routes are
    :mod:`county_server.auth_api`'s). Database work runs in the thread pool."""

    def __init__(self, db: Database, trusted_proxies: Iterable[str]) -> None:
        self.db = db
        self.trusted_proxies = parse_proxies(trusted_proxies)

    # ------------------------------------------------------------ the caller and the body
    def principal(self, request: Request) -> Principal:
        """Who calls, from the token alone: checked before any body is read."""
        with self.db.sessions() as session:
            try:
                principal = authenticate_request(session, request.headers.get("authorization"))
            except TokenRefused as exc:
                raise ApiError(401, exc.code, exc.message, reason=exc.reason) from exc
            session.expunge(principal.user)
            return principal

    @staticmethod
    async def body(request: Request) -> dict[str, Any]:
        """The body as strict JSON (NaN stays inside its item), at most ``MAX_BODY`` bytes."""
        try:
            raw = await read_body(request, MAX_BODY)
        except BodyRefused as exc:
            if exc.status == 413:
                raise ApiError(
                    413, "too_large", f"The body is larger than {MAX_BODY // 1048576} MB."
                ) from exc
            raise ApiError(exc.status, exc.code, exc.message) from exc
        try:
            body = loads_strict(raw or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ApiError(400, "invalid", "The body is not valid JSON.") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "invalid", "The body must be a JSON object.")
        return body

    def active_user(self, session: Any, principal: Principal) -> User:
        user = session.get(User, principal.user.id)
        if user is None or not user.active:
            raise ApiError(401, "invalid_token", "The account is disabled.", reason="disabled")
        return user

    # ------------------------------------------------------------ pull
    def read_page(self, request: Request) -> dict[str, Any]:
        try:
            after = decode_cursor(request.query_params.get("after"))
        except CursorError as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        raw_limit = request.query_params.get("limit")
        try:
            limit = DEFAULT_LIMIT if raw_limit in (None, "") else int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, "invalid", f"limit must be between 1 and {MAX_LIMIT}.")
        with self.db.sessions() as session:
            # TokenRefused answers 401 with its reason (auth_api.token_refused).
            user = check_token(session, request.headers.get("authorization"))
            try:
                page = read_changes(session, viewer_of(user), after, limit)
            except CursorError as exc:
                raise ApiError(410, exc.code, exc.message) from exc
            session.rollback()
        return {"changes": page.changes, "next": encode_cursor(page.next_seq), "more": page.more}

    async def changes(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.read_page, request))

    # ------------------------------------------------------------ push
    def apply_push(
        self, principal: Principal, origin: Origin, body: dict[str, Any]
    ) -> dict[str, Any]:
        visits = body.get("visits") if body.get("visits") is not None else []
        events = body.get("events") if body.get("events") is not None else []
        if not isinstance(visits, list) or not isinstance(events, list):
            raise ApiError(400, "invalid", "visits and events must be lists.")
        if len(visits) + len(events) > MAX_ITEMS:
            raise ApiError(413, "too_many_items", f"Send at most {MAX_ITEMS} items per push.")
        with write_session(self.db) as session:
            user = self.active_user(session, principal)
            results = push(session, user, visits, events, origin)
        return {"results": results}

    def device_name(self, device_id: str) -> str:
        with self.db.sessions() as session:
            device = session.get(Device, device_id)
            return device.name if device is not None else ""

    async def push(self, request: Request) -> Response:
        principal = await run_in_threadpool(self.principal, request)
        body = await self.body(request)
        device_id = canonical_device_id(body.get("device_id"))
        if principal.device_id is None or device_id != principal.device_id:
            raise ApiError(
                403,
                "wrong_device",
                "This token was given to another desk; log in again on this desk.",
            )
        origin = Origin(
            device_id=principal.device_id,
            device_name=await run_in_threadpool(self.device_name, principal.device_id),
            address=client_address(request, self.trusted_proxies),
        )
        return JSONResponse(await run_in_threadpool(self.apply_push, principal, origin, body))

    # ------------------------------------------------------------ reveal
    def apply_reveal(
        self, principal: Principal, body: dict[str, Any], address: str
    ) -> dict[str, Any]:
        with write_session(self.db) as session:
            user = self.active_user(session, principal)
            try:
                return reveal(session, user, body, address=address, device_id=principal.device_id)
            except RevealRefused as exc:
                raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc

    async def reveal(self, request: Request) -> Response:
        principal = await run_in_threadpool(self.principal, request)
        body = await self.body(request)
        address = client_address(request, self.trusted_proxies)
        return JSONResponse(await run_in_threadpool(self.apply_reveal, principal, body, address))


async def ping(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        {"error": exc.code, "message": exc.message, **exc.extra}, status_code=exc.status
    )


async def token_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TokenRefused)
    return auth_api.token_refused(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path)
    return error(500, "server_error", "The server failed; the request may be sent again.")


def blob_store_for(db: Database, blob_root: Path | str | None) -> BlobStore | None:
    """The blob folder: ``blob_root``, else ``GRIDDESK_BLOB_ROOT``, else ``blobs/`` next to
    a SQLite database file; None (the blob routes answer 503) for PostgreSQL without one."""
    root = blob_root or os.environ.get(BLOB_ROOT_ENV) or default_blob_root(str(db.engine.url))
    return BlobStore(Path(root)) if root else None


SWEEP_EVERY = 3600.0  # seconds between two sweeps of unfinished uploads


def _sweep(store: BlobStore) -> None:
    try:
        store.sweep_partials()
    except Exception:  # noqa: BLE001 - housekeeping must never stop the server
        log.exception("could not sweep unfinished uploads in %s", store.root)


async def sweep_blob_leftovers(store: BlobStore, every: float = SWEEP_EVERY) -> None:
    """Remove the ``.part`` files of killed uploads every ``every`` seconds
    (:meth:`BlobStore.sweep_partials`)."""
    while True:
        await asyncio.sleep(every)
        await run_in_threadpool(_sweep, store)


def _lifespan(
    blobs: BlobApi,
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """On start, the blob folder's leftovers of killed uploads are removed before the
    first request; then every hour while the server runs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sweeper = None
        if blobs.store is not None:
            await run_in_threadpool(_sweep, blobs.store)
            sweeper = asyncio.create_task(sweep_blob_leftovers(blobs.store))
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper

    return lifespan


def create_app(
    db: Database,
    *,
    token_hours: float = TOKEN_HOURS,
    trusted_proxies: Iterable[str] = (),
    blob_root: Path | str | None = None,
) -> Starlette:
    api = SyncApi(db, trusted_proxies)
    blobs = BlobApi(db, blob_store_for(db, blob_root), api.principal)
    routes = [
        *auth_api.routes(db, token_hours=token_hours, trusted_proxies=trusted_proxies),
        Route(f"{API}/sync/changes", api.changes, methods=["GET"]),
        Route(f"{API}/sync/push", api.push, methods=["POST"]),
        Route(f"{API}/reveal", api.reveal, methods=["POST"]),
        *blobs.routes(API),
        Route(f"{API}/ping", ping, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        ApiError: api_error,
        TokenRefused: token_error,
        HTTPException: http_error,
        Exception: server_error,
    }
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=_lifespan(blobs))
    app.state.db = db
    app.state.blobs = blobs
    return app
