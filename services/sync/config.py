"""Where the county is and how to talk to it: the connection settings, the HTTP
clients (one address, proxy, TLS and headers for both), the sync state rows,
the protocol's numbers (batch sizes, time-outs, back-off) and the state keys.
"""

from __future__ import annotations

import random
import socket
import ssl
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session

from models.tables import SyncState
from services import settings as settings_service
from services.sync.errors import (
    NotConfigured,
    SyncError,
)

PUSH_BATCH = 500
PULL_LIMIT = 500
TIMEOUT_SECONDS = 30.0
BACKOFF_BASE = 5.0
BACKOFF_CAP = 600.0

STATE_CURSOR = "cursor"
STATE_TOKEN = "token"  # 1.0 kept one token in clear here; emptied on the first 1.1 login
STATE_TOKENS = "tokens"  # secret-free index of who holds a county token on this desk
STATE_PULL_USER = "pull_user"
STATE_DESK_CODE = "desk_code"  # handed out by the county at login (case numbers, 1.1)
PROTOCOL_VERSION = "1.1"
STATE_LAST_SUCCESS = "last_success"
STATE_LAST_ERROR = "last_error"


# ---------------------------------------------------------------- errors
def backoff_delay(failures: int, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``failures`` failed rounds: exponential, capped, with jitter.

    Half the delay is fixed and half is random ("equal jitter"), so desktops
    that lost the network together do not all come back in the same second.
    """
    if failures <= 0:
        return 0.0
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(failures - 1, 20))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


# ---------------------------------------------------------------- settings
@dataclass(frozen=True)
class Connection:
    server_url: str
    proxy: str = ""
    ca_file: str = ""
    verify_tls: bool = True
    device_id: str = ""
    device_name: str = ""


def connection(session: Session) -> Connection:
    return Connection(
        server_url=str(settings_service.get(session, "device.server_url") or ""),
        proxy=str(settings_service.get(session, "device.proxy") or ""),
        ca_file=str(settings_service.get(session, "device.ca_file") or ""),
        verify_tls=bool(settings_service.get(session, "device.verify_tls")),
        device_id=settings_service.device_id(session),
        device_name=str(settings_service.get(session, "device.name") or socket.gethostname()),
    )


def tls_verify(conn: Connection) -> bool | ssl.SSLContext:
    """TLS verification: on by default; with the county's own CA file when one is set."""
    if not conn.verify_tls:
        return False
    if conn.ca_file:
        try:
            return ssl.create_default_context(cafile=conn.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SyncError(f"{conn.ca_file}: {exc}", code="bad_ca_file") from exc
    return True


def _client_options(conn: Connection, timeout: float) -> dict[str, Any]:
    """The same address, proxy, TLS and headers for the async and the blocking client."""
    if not conn.server_url:
        raise NotConfigured("no server address")
    return {
        "base_url": conn.server_url.rstrip("/") + "/api/v1",
        "proxy": conn.proxy or None,
        "verify": tls_verify(conn),
        "timeout": timeout,
        "trust_env": False,
        # Uncompressed answers only: the size cap counts what arrives, and a
        # compressed bomb cannot pass it.
        "headers": {"User-Agent": "GridDesk-sync/1.1", "Accept-Encoding": "identity"},
    }


def make_client(conn: Connection, *, timeout: float = TIMEOUT_SECONDS) -> httpx.AsyncClient:
    return httpx.AsyncClient(**_client_options(conn, timeout))


def make_blocking_client(conn: Connection, *, timeout: float = 15.0) -> httpx.Client:
    return httpx.Client(**_client_options(conn, timeout))


# ---------------------------------------------------------------- state
def get_state(session: Session, key: str) -> Any:
    row = session.get(SyncState, key)
    return row.value if row is not None else None


def put_state(session: Session, key: str, value: Any) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value
