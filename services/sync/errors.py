"""Why a sync round could not finish; ``code`` says why (the views translate it)."""

from __future__ import annotations


class SyncError(Exception):
    """A round that could not finish."""

    code = "sync_failed"

    def __init__(self, detail: str = "", *, code: str | None = None) -> None:
        if code:
            self.code = code
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


class Offline(SyncError):
    """The server could not be reached, or the connection broke (the outcome is not known)."""

    code = "offline"


class ServerFailed(SyncError):
    """The server answered 5xx or something that is not the protocol."""

    code = "server_error"


class DeadlineExceeded(ServerFailed):
    """The round's overall deadline passed (a trickling or never-ending server)."""

    code = "deadline"


class LoginRequired(SyncError):
    """No valid token: ``invalid_credentials``, ``token_expired``, ``too_many_attempts`` …"""

    code = "login_required"


class NotConfigured(SyncError):
    code = "not_configured"


class RevealRefused(SyncError):
    """The county would not reveal the value (``forbidden`` or ``not_found``)."""

    code = "forbidden"
