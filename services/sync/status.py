"""What the sync screen shows: who holds a county token on this desk, whose
items wait for them to log in, and the overview (pending, rejected,
quarantined, last success, last error, the last round's report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import OutboxStatus
from models.tables import OutboxItem, User
from models.types import utcnow
from services import settings as settings_service
from services.cases.event_checks import parse_time
from services.cases.records import desk_code
from services.sync.authors import pending_items, plan_push
from services.sync.checks import (
    quarantined_count,
)
from services.sync.config import STATE_LAST_ERROR, STATE_LAST_SUCCESS, STATE_TOKENS, get_state
from services.sync.report import RoundReport, last_report
from services.sync.tokens import index_entry_usable


@dataclass
class Waiting:
    """Items that wait until ``user_id`` logs in to the county on this desk."""

    user_id: str
    username: str
    display_name: str
    count: int


@dataclass
class Overview:
    """What the sync screen and the status bar show."""

    server_url: str
    pending: int
    rejected: int
    last_success: datetime | None
    last_error: str
    logged_in_as: str
    token_valid: bool
    waiting: list[Waiting] = field(default_factory=list)
    quarantined: int = 0
    logged_in: list[str] = field(default_factory=list)
    last_report: RoundReport | None = None  # what the last round moved, per type
    desk_code: str | None = None  # this desk's 2-digit code from the county (case numbers)


def token_index(session: Session, server: str) -> dict[str, dict[str, Any]]:
    """Who holds a county token on this desk for ``server`` (user id → entry, no secrets)."""
    raw = get_state(session, STATE_TOKENS) or {}
    prefix = server.rstrip("/") + "|"
    out: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):
        for key, entry in raw.items():
            if isinstance(key, str) and key.startswith(prefix) and isinstance(entry, dict):
                out[key[len(prefix) :]] = entry
    return out


def usable_users(session: Session, server: str) -> list[str]:
    """Users with a usable county login here, most recent login last."""
    now = utcnow()
    return [
        user_id
        for user_id, entry in token_index(session, server).items()
        if index_entry_usable(entry, now)
    ]


def waiting_for_login(session: Session, server: str | None = None) -> list[Waiting]:
    """Pending items whose author (or whose earlier step's author) has no login here."""
    if server is None:
        server = str(settings_service.get(session, "device.server_url") or "")
    usable = set(usable_users(session, server)) if server else set()
    plan = plan_push(pending_items(session), usable.__contains__)
    out = []
    for user_id, count in plan.waiting.items():
        user = session.get(User, user_id) if user_id else None
        out.append(
            Waiting(
                user_id=user_id,
                username=user.username if user is not None else "",
                display_name=(user.display_name or user.username) if user is not None else user_id,
                count=count,
            )
        )
    return sorted(out, key=lambda w: (-w.count, w.display_name))


def overview(session: Session) -> Overview:
    counts = dict(
        session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
    )
    last = get_state(session, STATE_LAST_SUCCESS)
    server = str(settings_service.get(session, "device.server_url") or "")
    users = usable_users(session, server) if server else []
    index = token_index(session, server) if server else {}
    names = [str(index[u].get("display_name") or index[u].get("username") or u) for u in users]
    pending = int(counts.get(OutboxStatus.PENDING, 0))
    return Overview(
        server_url=server,
        pending=pending,
        rejected=int(counts.get(OutboxStatus.REJECTED, 0)),
        last_success=parse_time(last, "last_success") if last else None,
        last_error=str(get_state(session, STATE_LAST_ERROR) or ""),
        logged_in_as=", ".join(names),
        token_valid=bool(users),
        waiting=waiting_for_login(session, server) if pending else [],
        quarantined=quarantined_count(session),
        logged_in=names,
        last_report=last_report(session),
        desk_code=desk_code(session),
    )
