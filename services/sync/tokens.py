"""Per-user, device-bound county tokens (docs/protocol.md), kept out of the database.

Every person who logged in to the county on this desk while it was reachable
has a record: the short token, the refresh token (bound to this desk's
``device_id``) and their expiry times. The secret part is stored with the
platform's credential store through ``keyring`` (service "GridDesk", key
``<server url>|<user id>``) when a real backend is available; otherwise in a
file under the data folder that only this OS user can read (mode 0600 in a
0700 folder on POSIX). The database keeps only a secret-free index of who has a
token and until when (``sync_state["tokens"]``), so the sync screen can say whose
login is needed without touching the credential store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from models.types import utcnow
from services.cases.event_checks import parse_time

log = logging.getLogger(__name__)

SERVICE = "GridDesk"
FOLDER = "county-tokens"
# A short token this close to its end is refreshed rather than used.
MARGIN = timedelta(seconds=60)


@dataclass
class TokenRecord:
    """One user's county login on this desk."""

    server: str
    user_id: str
    username: str
    display_name: str
    device_id: str
    token: str
    expires_at: str | None
    refresh_token: str = ""
    refresh_expires_at: str | None = None

    @property
    def key(self) -> str:
        return token_key(self.server, self.user_id)

    def token_usable(self, now: datetime | None = None) -> bool:
        return bool(self.token) and _later_than(self.expires_at, (now or utcnow()) + MARGIN)

    def refresh_usable(self, now: datetime | None = None) -> bool:
        return bool(self.refresh_token) and _later_than(self.refresh_expires_at, now or utcnow())

    def usable(self, now: datetime | None = None) -> bool:
        return self.token_usable(now) or self.refresh_usable(now)

    @classmethod
    def from_answer(cls, server: str, device_id: str, body: Mapping[str, Any]) -> TokenRecord:
        """The record of a login or refresh answer (already checked to carry a user)."""
        user = body["user"]
        return cls(
            server=server,
            user_id=str(user["id"]),
            username=str(user.get("username") or ""),
            display_name=str(user.get("display_name") or user.get("username") or ""),
            device_id=device_id,
            token=str(body["token"]),
            expires_at=_text_or_none(body.get("expires_at")),
            refresh_token=str(body.get("refresh_token") or ""),
            refresh_expires_at=_text_or_none(body.get("refresh_expires_at")),
        )

    def index_entry(self) -> dict[str, Any]:
        """What the database may know: who, until when — never a token."""
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "expires_at": self.expires_at,
            "refresh_expires_at": self.refresh_expires_at if self.refresh_token else None,
        }


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


def _later_than(value: str | None, moment: datetime) -> bool:
    if not value:
        return False
    try:
        return parse_time(value, "expires_at") > moment
    except Exception:  # noqa: BLE001 - a time we cannot read is no valid time
        return False


def token_key(server: str, user_id: str) -> str:
    return f"{server.rstrip('/')}|{user_id}"


def index_entry_usable(entry: Mapping[str, Any], now: datetime | None = None) -> bool:
    now = now or utcnow()
    return _later_than(entry.get("refresh_expires_at"), now) or _later_than(
        entry.get("expires_at"), now + MARGIN
    )


# ---------------------------------------------------------------- backends
class SecretBackend(Protocol):
    name: str

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class KeyringBackend:
    name = "keyring"

    def __init__(self, keyring_module: Any) -> None:
        self._keyring = keyring_module

    def get(self, key: str) -> str | None:
        value = self._keyring.get_password(SERVICE, key)
        return str(value) if value is not None else None

    def put(self, key: str, value: str) -> None:
        self._keyring.set_password(SERVICE, key, value)

    def delete(self, key: str) -> None:
        try:
            self._keyring.delete_password(SERVICE, key)
        except Exception:  # noqa: BLE001 - PasswordDeleteError: already gone
            log.debug("no keyring entry to delete for %s", key)


class FileBackend:
    """One file per record, readable by this OS user only."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + ".json")

    def _ensure_folder(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def put(self, key: str, value: str) -> None:
        self._ensure_folder()
        path = self._path(key)
        temporary = path.with_suffix(".tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(value)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        if os.name == "posix":
            os.chmod(temporary, 0o600)
        os.replace(temporary, path)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def real_keyring() -> Any | None:
    """The ``keyring`` module when it has a real backend (not the fail/null one)."""
    if os.environ.get("GRIDDESK_TOKEN_STORE") == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - keyring missing or broken: use the file
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
        return None
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return None
    return keyring


def default_backend(data_dir: Path | None) -> SecretBackend:
    found = real_keyring()
    if found is not None:
        return KeyringBackend(found)
    if data_dir is None:
        data_dir = Path.home() / ".griddesk"
    return FileBackend(data_dir / FOLDER)


class TokenStore:
    """Read and write token records; the caller keeps the database index in step."""

    def __init__(self, backend: SecretBackend) -> None:
        self.backend = backend

    def load(self, server: str, user_id: str) -> TokenRecord | None:
        key = token_key(server, user_id)
        try:
            text = self.backend.get(key)
        except Exception as exc:  # noqa: BLE001 - a locked keyring is no token
            log.warning("the credential store could not be read (%s): %s", self.backend.name, exc)
            return None
        if not text:
            return None
        try:
            record = TokenRecord(**json.loads(text))
        except (ValueError, TypeError) as exc:
            log.warning("a stored county token could not be read, dropping it: %s", exc)
            self.forget(server, user_id)
            return None
        if record.server.rstrip("/") != server.rstrip("/") or record.user_id != user_id:
            return None
        return record

    def save(self, record: TokenRecord) -> None:
        self.backend.put(record.key, json.dumps(asdict(record)))

    def forget(self, server: str, user_id: str) -> None:
        try:
            self.backend.delete(token_key(server, user_id))
        except Exception as exc:  # noqa: BLE001
            log.warning("a county token could not be removed: %s", exc)


_OVERRIDE: TokenStore | None = None


def use_store(store: TokenStore | None) -> None:
    """Tests (and the packaged app, if it must) choose the store explicitly."""
    global _OVERRIDE
    _OVERRIDE = store


def store_for(data_dir: Path | None) -> TokenStore:
    if _OVERRIDE is not None:
        return _OVERRIDE
    return TokenStore(default_backend(data_dir))


def running_on_posix() -> bool:
    return os.name == "posix" and sys.platform != "win32"


__all__ = [
    "FileBackend",
    "KeyringBackend",
    "TokenRecord",
    "TokenStore",
    "default_backend",
    "index_entry_usable",
    "store_for",
    "token_key",
    "use_store",
]
