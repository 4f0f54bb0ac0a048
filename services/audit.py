"""The audit log: who did what to personal data, configuration or the sync
queue, and when. One call writes one entry, in the caller's transaction, so an
action and its audit line are stored together or not at all."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from models.tables import AuditEntry


class _Someone(Protocol):
    """A person as the services know them (``Actor``) or as stored (``User``)."""

    @property
    def id(self) -> str: ...


def audit(
    session: Session,
    who: _Someone | str | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry for ``who`` (a person, a user id, or None for the
    system) doing ``action`` to ``target_type``/``target_id``; ``detail`` is
    stored as JSON, so its values must be JSON-ready."""
    user_id = who if who is None or isinstance(who, str) else who.id
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )
    session.add(entry)
    return entry
