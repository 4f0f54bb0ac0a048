"""Forms saved as they are typed, so that a crash or a power cut loses nothing.

One draft per form and user. The draft is a plain JSON object of the form's
field values; the form decides what goes in it. Saving an empty draft removes
it, so "is there a draft?" stays a simple question at the next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.tables import Draft
from models.types import utcnow


@dataclass(frozen=True)
class SavedDraft:
    payload: dict[str, Any]
    updated_at: datetime


def draft_id(form: str, user_id: str | None) -> str:
    return f"{form}:{user_id or '-'}"


def _has_content(payload: dict[str, Any]) -> bool:
    for value in payload.values():
        if isinstance(value, str) and value.strip():
            return True
        if isinstance(value, (list, dict)) and value:
            return True
    return False


def save_draft(session: Session, form: str, user_id: str | None, payload: dict[str, Any]) -> bool:
    """Store the draft (or remove it when nothing was typed); True if one is stored now.

    Only text, lists and dicts count as typed content: a combo box left at its
    default does not make a draft on its own.
    """
    row = session.get(Draft, draft_id(form, user_id))
    if not _has_content(payload):
        if row is not None:
            session.delete(row)
        return False
    if row is None:
        session.add(
            Draft(
                id=draft_id(form, user_id),
                form=form,
                user_id=user_id,
                payload=dict(payload),
                updated_at=utcnow(),
            )
        )
    else:
        row.payload = dict(payload)
        row.updated_at = utcnow()
    return True


def load_draft(session: Session, form: str, user_id: str | None) -> SavedDraft | None:
    row = session.get(Draft, draft_id(form, user_id))
    if row is None or not _has_content(row.payload or {}):
        return None
    return SavedDraft(payload=dict(row.payload), updated_at=row.updated_at)


def clear_draft(session: Session, form: str, user_id: str | None) -> None:
    row = session.get(Draft, draft_id(form, user_id))
    if row is not None:
        session.delete(row)
