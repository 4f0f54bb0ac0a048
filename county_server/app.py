"""The HTTP API of PROTOCOL.md on Starlette.

Handlers are plain functions (Starlette runs them in its thread pool), each
with its own database transaction. Every error answers
``{"error": code, "message": text}`` with a fitting status.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.db import Database

from . import auth_api
from .db import write_session
from .feed import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorError,
    decode_cursor,
    encode_cursor,
    read_changes,
    user_scope,
)
from .push import MAX_ITEMS, push
from .tokens import TOKEN_HOURS, TokenRefused, check_token

log = logging.getLogger(__name__)
API = "/api/v1"


def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message}, status_code=status, headers=headers or None
    )


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except ClientDisconnect as exc:
        raise ApiError(400, "client_disconnected", "The request was cut off.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid", "The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", "The body must be a JSON object.")
    return body


def create_app(
    db: Database, *, token_hours: float = TOKEN_HOURS, trusted_proxies: Iterable[str] = ()
) -> Starlette:
    def authorised(request: Request, session: Any) -> Any:
        # TokenRefused answers 401 with its reason (auth_api.token_refused).
        return check_token(session, request.headers.get("authorization"))

    def _changes(request: Request) -> dict[str, Any]:
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
        with db.sessions() as session:
            user = authorised(request, session)
            try:
                page = read_changes(session, user_scope(session, user), after, limit)
            except CursorError as exc:
                raise ApiError(410, exc.code, exc.message) from exc
            session.rollback()
        return {"changes": page.changes, "next": encode_cursor(page.next_seq), "more": page.more}

    async def changes(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(_changes, request))

    def _push(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        visits, events = body.get("visits") or [], body.get("events") or []
        if not isinstance(visits, list) or not isinstance(events, list):
            raise ApiError(400, "invalid", "visits and events must be lists.")
        if len(visits) + len(events) > MAX_ITEMS:
            raise ApiError(413, "too_many_items", f"Send at most {MAX_ITEMS} items per push.")
        with write_session(db) as session:
            user = authorised(request, session)
            results = push(session, user, visits, events)
        return {"results": results}

    async def push_endpoint(request: Request) -> Response:
        body = await _json(request)
        return JSONResponse(await run_in_threadpool(_push, request, body))

    async def ping(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error(exc.status, exc.code, exc.message)

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

    routes = [
        *auth_api.routes(db, token_hours=token_hours, trusted_proxies=trusted_proxies),
        Route(f"{API}/sync/changes", changes, methods=["GET"]),
        Route(f"{API}/sync/push", push_endpoint, methods=["POST"]),
        Route(f"{API}/ping", ping, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        ApiError: api_error,
        TokenRefused: token_error,
        HTTPException: http_error,
        Exception: server_error,
    }
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.db = db
    return app
