"""Why a sync round failed, in words that say what to fix.

A round that fails raises a :class:`~services.sync.errors.SyncError`; ``Offline``
keeps the network error it came from as its ``__cause__`` and ``ServerFailed``
carries the HTTP status at the start of its detail (``"404 not_found …"``,
``"HTTP 404: …"``). :func:`diagnose` tells apart what a person can act on:
https to a plain-HTTP server and the reverse, a certificate not trusted,
nothing listening, an unknown host name, a wrong path (404), an answer that is
not the protocol (another web server), a fault of the server (5xx), a refused
login. The templates are marked for translation in the ``services`` context and
take ``{server}``, ``{status}`` and ``{detail}``.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.i18n import QT_TRANSLATE_NOOP
from services.sync.errors import (
    DeadlineExceeded,
    LoginRequired,
    NotConfigured,
    Offline,
    ServerFailed,
    SyncError,
)

PROBE_SECONDS = 3.0

TEXTS = {
    "tls_to_plain": QT_TRANSLATE_NOOP(
        "services",
        "{server} does not speak https: the county server at that address takes plain "
        "http. Write http:// instead of https:// (or ask the administrator to set up TLS).",
    ),
    "plain_to_tls": QT_TRANSLATE_NOOP(
        "services",
        "{server} speaks https only: write https:// instead of http:// in the address.",
    ),
    "certificate": QT_TRANSLATE_NOOP(
        "services",
        "The certificate of {server} is not trusted by this computer ({detail}). Ask the "
        "county's administrator for the right address or to install a trusted certificate.",
    ),
    "refused": QT_TRANSLATE_NOOP(
        "services",
        "Nothing answers at {server}: the county server is not running there, or the host "
        "or port is wrong.",
    ),
    "unknown_host": QT_TRANSLATE_NOOP(
        "services",
        "The host name in {server} is not known: check the spelling of the address and "
        "the network connection.",
    ),
    "timeout": QT_TRANSLATE_NOOP(
        "services",
        "{server} did not answer in time: check the network connection, or try again later.",
    ),
    "offline": QT_TRANSLATE_NOOP(
        "services", "{server} cannot be reached: {detail}. Check the network and the address."
    ),
    "deadline": QT_TRANSLATE_NOOP(
        "services",
        "{server} answers too slowly; the round was stopped ({detail}). Try again later.",
    ),
    "wrong_path": QT_TRANSLATE_NOOP(
        "services",
        "{server} answers, but there is no county sync service at that address (HTTP "
        "{status}). Check the part after the host and port: the address is usually just "
        "http://HOST:PORT.",
    ),
    "not_protocol": QT_TRANSLATE_NOOP(
        "services",
        "The server at {server} does not speak the county sync protocol ({detail}). Is it "
        "the county server's address?",
    ),
    "server_error": QT_TRANSLATE_NOOP(
        "services",
        "The county server at {server} has a fault (HTTP {status}); tell its administrator. "
        "Details: {detail}",
    ),
    "invalid_credentials": QT_TRANSLATE_NOOP(
        "services",
        "The county server {server} refused the login: the user name or the password is wrong.",
    ),
    "too_many_attempts": QT_TRANSLATE_NOOP(
        "services",
        "The county server {server} refused the login after too many wrong passwords; "
        "wait a while and try again.",
    ),
    "login_refused": QT_TRANSLATE_NOOP(
        "services", "The county server {server} refused the login ({detail})."
    ),
    "not_configured": QT_TRANSLATE_NOOP("services", "No county server address is set."),
    "failed": QT_TRANSLATE_NOOP("services", "Sync with {server} failed: {detail}"),
}


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong (``code``, a key of :data:`TEXTS`) and the values of its template."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return TEXTS[self.code]

    def english(self) -> str:
        return self.template.format(**self.params)


_STATUS = re.compile(r"^(?:HTTP )?([1-5]\d\d)\b")


def http_status(error: SyncError) -> int | None:
    """The HTTP status a ``ServerFailed`` came from, if it names one."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    found = _STATUS.match(error.detail or "")
    return int(found.group(1)) if found else None


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def speaks_tls(host: str, port: int, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a TLS handshake succeeds at ``host:port`` (the certificate is not judged here)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except (OSError, ValueError):
        return False


def _tls_mismatch_of_plain_http(server_url: str) -> bool:
    parts = urlsplit(server_url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    try:
        port = parts.port or 80
    except ValueError:
        return False
    return speaks_tls(parts.hostname, port)


def diagnose(error: SyncError, server_url: str, *, probe: bool = True) -> Diagnosis:
    """What a person should know about ``error`` from a round against ``server_url``.

    With ``probe``, a connection dropped on an ``http://`` address is tried once more
    with TLS (a few seconds at most) to tell an https-only server from a broken one.
    """
    scheme = urlsplit(server_url).scheme
    base: dict[str, Any] = {"server": server_url, "detail": error.detail or error.code}
    if isinstance(error, NotConfigured):
        return Diagnosis("not_configured", base)
    if isinstance(error, LoginRequired):
        if error.code in ("invalid_credentials", "too_many_attempts"):
            return Diagnosis(error.code, base)
        return Diagnosis("login_refused", dict(base, detail=f"{error.code}: {error.detail}"))
    if isinstance(error, DeadlineExceeded):
        return Diagnosis("deadline", base)
    if isinstance(error, Offline):
        return _offline(error, server_url, scheme, base, probe)
    if isinstance(error, ServerFailed):
        status = http_status(error)
        params = dict(base, status=status or "")
        if status in (404, 405):
            return Diagnosis("wrong_path", params)
        if (
            status == 400
            and scheme == "http"
            and re.search(r"https|ssl|tls", error.detail, re.IGNORECASE)
        ):
            return Diagnosis("plain_to_tls", params)
        if error.code == "not_protocol":
            return Diagnosis("not_protocol", params)
        if status is not None and status >= 500:
            return Diagnosis("server_error", params)
    return Diagnosis("failed", base)


def _offline(
    error: Offline, server_url: str, scheme: str, base: dict[str, Any], probe: bool
) -> Diagnosis:
    chain = _causes(error)
    text = " ".join(str(e) for e in chain).lower()
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Diagnosis("certificate", dict(base, detail=cause.verify_message or str(cause)))
    if scheme == "https" and (
        any(isinstance(c, ssl.SSLError) for c in chain)
        or any(
            mark in text
            for mark in ("wrong_version_number", "wrong version number", "record layer failure")
        )
    ):
        return Diagnosis("tls_to_plain", base)
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return Diagnosis("unknown_host", base)
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return Diagnosis("refused", base)
    if "name or service not known" in text or "nodename nor servname" in text:
        return Diagnosis("unknown_host", base)
    if "connection refused" in text or "actively refused" in text:
        return Diagnosis("refused", base)
    if any(isinstance(c, httpx.TimeoutException) for c in chain):
        return Diagnosis("timeout", base)
    dropped = any(isinstance(c, (httpx.RemoteProtocolError, httpx.ReadError)) for c in chain)
    if dropped and probe and _tls_mismatch_of_plain_http(server_url):
        return Diagnosis("plain_to_tls", base)
    return Diagnosis("offline", base)
