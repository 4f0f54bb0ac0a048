"""The HTTP side of logging in (docs/protocol.md): ``/auth/token``, ``/auth/refresh``
and ``/auth/logout``, plus the caller's address behind trusted proxies.

The bodies are small: one is refused while it is read once it passes
:data:`MAX_BODY` (``413 too_large``), must be strict JSON (no ``NaN`` or
``Infinity``) and each field a string of a sane length without control
characters or lone surrogates (``400 invalid`` naming the field). The work
itself is in :mod:`county_server.tokens`.
"""

from __future__ import annotations

import ipaddress
import json
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.db import Database
from models.tables import User
from services.cases.event_checks import format_time
from services.protocol.reference import user_wire

from .tokens import (
    TOKEN_HOURS,
    Issued,
    LoginRefused,
    TokenRefused,
    canonical_device_id,
    issue_token,
    logout,
    refresh_pair,
)

API = "/api/v1"
MAX_BODY = 64 * 1024
DESK_CODE_PATTERN = r"^(0[1-9]|[1-9][0-9])$"  # 01 … 99

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# ---------------------------------------------------------------- bodies
def _clean(value: str) -> str:
    """No control characters (NUL, newline, DEL …) and no lone surrogates."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("control character or lone surrogate")
    return value


def _uuid(value: str) -> str:
    device = canonical_device_id(value)
    if device is None:
        raise ValueError("not a UUID")
    return device


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value


Clean = AfterValidator(_clean)
DeviceId = Annotated[str, Field(max_length=36), AfterValidator(_uuid)]


class TokenBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    username: Annotated[str, Field(min_length=1, max_length=60), Clean, AfterValidator(_not_blank)]
    password: Annotated[str, Field(min_length=1, max_length=256), Clean]
    device_id: DeviceId
    device_name: Annotated[str, Field(max_length=100), Clean] = ""
    # The code a desk installed without network numbers with (``desk-code``); optional.
    desk_code: Annotated[str, Field(pattern=DESK_CODE_PATTERN)] | None = None


class RefreshBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    refresh_token: Annotated[str, Field(min_length=1, max_length=200), Clean]
    device_id: DeviceId


# What to send instead, per field (the message of a 400 answer).
FIELD_RULES = {
    "username": "a string of 1 to 60 characters without control characters",
    "password": "a string of 1 to 256 characters without control characters",
    "device_id": "this desk's id, a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e",
    "device_name": "a string of at most 100 characters without control characters",
    "desk_code": "two digits from 01 to 99 (the code this desk numbers its cases with), or null",
    "refresh_token": "the refresh_token of the last login or refresh answer",
}


class BodyRefused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        body = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return JSONResponse(body, status_code=self.status)


def _too_large() -> BodyRefused:
    return BodyRefused(413, "too_large", f"The body is larger than {MAX_BODY // 1024} KB.")


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, refused (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large()
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise BodyRefused(400, "client_disconnected", "The request was cut off.") from exc
    return b"".join(chunks)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def strict_json(raw: bytes) -> dict[str, Any]:
    """A JSON object without NaN/Infinity, or :class:`BodyRefused` (400)."""
    try:
        body = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BodyRefused(
            400, "invalid", "The body is not valid JSON (UTF-8, without NaN or Infinity)."
        ) from exc
    if not isinstance(body, dict):
        raise BodyRefused(400, "invalid", "The body must be a JSON object.")
    return body


M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M], body: dict[str, Any]) -> M:
    try:
        return model.model_validate(body)
    except SchemaError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        rule = FIELD_RULES.get(name, "a valid value")
        if first["type"] == "missing":
            message = f"Send {name}: {rule}."
        else:
            message = f"{name} must be {rule}."
        raise BodyRefused(400, "invalid", message, field=name or None) from exc


# ---------------------------------------------------------------- addresses
def parse_proxies(values: Iterable[str | Network]) -> tuple[Network, ...]:
    """Trusted proxies as networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``);
    ValueError naming the entry that is neither an address nor a network."""
    networks: list[Network] = []
    for value in values:
        if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
            networks.append(value)
            continue
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"trusted proxy {text!r} is neither an IP address nor a network"
            ) from exc
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: Request, trusted_proxies: Iterable[str | Network]) -> str:
    """The caller's address: the direct peer, unless the peer is a trusted proxy;
    then the right-most ``X-Forwarded-For`` entry that is not itself a trusted
    proxy (entries left of it were written by the client and prove nothing)."""
    proxies = parse_proxies(trusted_proxies)
    peer_text = request.client.host if request.client else ""
    peer = _address(peer_text)
    if peer is None:
        return peer_text[:45] or "unknown"
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    forwarded = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
    for entry in reversed([e for e in forwarded if e.strip()]):
        hop = _address(entry)
        if hop is None:
            break  # garbage where an address should be: trust nothing further left
        if not _trusted(hop, proxies):
            return str(hop)
        peer = hop
    return str(peer)


# ---------------------------------------------------------------- answers
LOGIN_USER_KEYS = (
    "id",
    "username",
    "display_name",
    "role",
    "org_unit_id",
    "department_id",
    "grid_ids",
)


def user_answer(user: User) -> dict[str, Any]:
    """The ``user`` of a login answer: the user's wire form, without the feed's extras."""
    wire = user_wire(user)
    return {key: wire[key] for key in LOGIN_USER_KEYS}


def pair_answer(issued: Issued) -> JSONResponse:
    return JSONResponse(
        {
            "token": issued.token,
            "expires_at": format_time(issued.expires_at),
            "refresh_token": issued.refresh_token,
            "refresh_expires_at": format_time(issued.refresh_expires_at),
            "user": user_answer(issued.user),
            **({"desk_code": issued.desk_code} if issued.desk_code else {}),
        },
        headers={"Cache-Control": "no-store"},
    )


def token_refused(exc: TokenRefused) -> JSONResponse:
    """401 ``{"error", "message", "reason"}`` for a token that is not (or no longer) valid."""
    return JSONResponse(
        {"error": exc.code, "message": exc.message, "reason": exc.reason}, status_code=401
    )


def login_refused(exc: LoginRefused) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse(
        {"error": exc.code, "message": exc.message}, status_code=exc.status, headers=headers
    )


def routes(
    db: Database,
    *,
    token_hours: float = TOKEN_HOURS,
    trusted_proxies: Iterable[str | Network] = (),
) -> list[Route]:
    """The three routes of logging in, for :func:`county_server.app.create_app`."""
    proxies = parse_proxies(trusted_proxies)

    async def token(request: Request) -> Response:
        try:
            body = parse_body(TokenBody, strict_json(await read_body(request)))
        except BodyRefused as exc:
            return exc.response()
        try:
            issued = await run_in_threadpool(
                issue_token,
                db,
                username=body.username,
                password=body.password,
                device_id=body.device_id,
                device_name=body.device_name,
                client=client_address(request, proxies),
                token_hours=token_hours,
                wanted_code=body.desk_code,
            )
        except LoginRefused as exc:
            return login_refused(exc)
        return pair_answer(issued)

    async def refresh(request: Request) -> Response:
        try:
            body = parse_body(RefreshBody, strict_json(await read_body(request)))
        except BodyRefused as exc:
            return exc.response()
        try:
            issued = await run_in_threadpool(
                refresh_pair,
                db,
                refresh=body.refresh_token,
                device_id=body.device_id,
                token_hours=token_hours,
            )
        except TokenRefused as exc:
            return token_refused(exc)
        return pair_answer(issued)

    async def logout_endpoint(request: Request) -> Response:
        # The body is never read: a logout is its bearer token.
        try:
            await run_in_threadpool(logout, db, request.headers.get("authorization"))
        except TokenRefused as exc:
            return token_refused(exc)
        return JSONResponse({"ok": True})

    return [
        Route(f"{API}/auth/token", token, methods=["POST"]),
        Route(f"{API}/auth/refresh", refresh, methods=["POST"]),
        Route(f"{API}/auth/logout", logout_endpoint, methods=["POST"]),
    ]
