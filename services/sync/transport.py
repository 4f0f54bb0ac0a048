"""Reading the county's answers as a hostile server might send them (docs/protocol.md).

* Every answer is streamed with a size cap: a server that sends more is broken.
* Every round has one overall deadline; a server that trickles one byte a second
  (each read within the per-request time-out) still meets it.
* JSON is parsed strictly as text; ``NaN``/``Infinity`` become a marker that the
  item checks refuse, so one bad item is kept aside instead of failing its page.
* HTML, non-JSON, malformed JSON and wrong shapes are :class:`ServerFailed` with
  a message a person can read — never a traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from services.sync.errors import DeadlineExceeded, Offline, ServerFailed

MAX_ANSWER_BYTES = 32 * 1024 * 1024
DEFAULT_DEADLINE = 600.0


class NonFinite(float):
    """A ``NaN``/``Infinity`` found in an answer; never a valid value of the protocol."""

    def __new__(cls, text: str) -> NonFinite:
        value = super().__new__(cls, float("nan"))
        value.text = text  # type: ignore[attr-defined]
        return value

    def __repr__(self) -> str:
        return str(getattr(self, "text", "NaN"))


def _non_finite(text: str) -> NonFinite:
    return NonFinite(text)


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return parse_json(self.body, self.headers.get("content-type", ""), self.status)

    def error(self) -> tuple[str, str, str]:
        """``(error, message, reason)`` of an error answer, as far as it can be read."""
        try:
            body = parse_json(self.body, self.headers.get("content-type", ""), self.status)
        except ServerFailed:
            return "", _snippet(self.body), ""
        if isinstance(body, Mapping):
            return (
                _short(body.get("error")),
                _short(body.get("message"), 300),
                _short(body.get("reason")),
            )
        return "", "", ""


def _short(value: Any, limit: int = 60) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _snippet(body: bytes) -> str:
    text = body[:200].decode("utf-8", "replace")
    return " ".join(text.split())


def parse_json(body: bytes, content_type: str = "", status: int = 200) -> Any:
    """The JSON of an answer; ServerFailed with a readable message when it is none."""
    head = body[:512].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        raise ServerFailed(
            f"HTTP {status}: the server answered a web page, not the sync protocol "
            "(is the address that of the county server?)",
            code="not_protocol",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServerFailed(
            f"HTTP {status}: the answer is not UTF-8 text", code="not_protocol"
        ) from exc
    try:
        return json.loads(text, parse_constant=_non_finite)
    except (ValueError, RecursionError) as exc:
        raise ServerFailed(
            f"HTTP {status}: the answer is not valid JSON ({str(exc)[:120]}): {_snippet(body)!r}",
            code="not_protocol",
        ) from exc


class Deadline:
    """The end of one round, on the event loop's monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = asyncio.get_running_loop().time() + seconds

    def remaining(self) -> float:
        return self._end - asyncio.get_running_loop().time()

    def check(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(
                f"the round did not finish within {self.seconds:g} s", code="deadline"
            )
        return left


def _refuse_encoding(response: httpx.Response) -> None:
    encoding = response.headers.get("content-encoding", "").lower()
    if encoding and encoding != "identity":
        raise ServerFailed(
            f"the answer is compressed ({encoding[:20]}), which the desk did not ask for",
            code="not_protocol",
        )


async def _stream_into(
    response: httpx.Response, sink: Callable[[bytes], None], max_bytes: int
) -> None:
    _refuse_encoding(response)
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ServerFailed(
            f"the file would be {int(declared)} bytes, more than the {max_bytes} allowed",
            code="answer_too_large",
        )
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise ServerFailed(
                f"the file passed {max_bytes} bytes, more than allowed", code="answer_too_large"
            )
        sink(chunk)


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline: Deadline | None,
    max_bytes: int = MAX_ANSWER_BYTES,
    sink: Callable[[bytes], None] | None = None,
    **kwargs: Any,
) -> Answer:
    """One request, read whole but never more than ``max_bytes``, within the deadline.

    With ``sink``, the body of a ``200`` answer is not kept: each piece goes to
    ``sink`` as it arrives (a file streamed to disk) and the answer's body is empty;
    other answers are read whole as usual (an error's JSON).
    """

    async def go() -> Answer:
        async with client.stream(method, url, **kwargs) as response:
            if sink is not None and response.status_code == 200:
                await _stream_into(response, sink, max_bytes)
                return Answer(response.status_code, response.headers, b"")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ServerFailed(
                    f"the answer would be {int(declared)} bytes, more than the "
                    f"{max_bytes} a sync answer may have",
                    code="answer_too_large",
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > max_bytes:
                    raise ServerFailed(
                        f"the answer passed {max_bytes} bytes, more than a sync answer may have",
                        code="answer_too_large",
                    )
                chunks.append(chunk)
            raw = b"".join(chunks)
            _refuse_encoding(response)
            return Answer(response.status_code, response.headers, raw)

    try:
        if deadline is None:
            return await go()
        left = deadline.check()  # may raise: the request is then never started
        return await asyncio.wait_for(go(), timeout=left)
    except TimeoutError as exc:
        raise DeadlineExceeded(
            f"the round did not finish within {deadline.seconds if deadline else 0:g} s "
            "(the server answers too slowly or never stops)",
            code="deadline",
        ) from exc
    except httpx.HTTPError as exc:
        raise Offline(f"{type(exc).__name__}: {exc}") from exc
