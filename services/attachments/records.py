"""Attachment entries of events (PROTOCOL 1.1 "Attachments") and the rows that
list them per case (``case_attachments``).

A pulled event that names attachments gets its rows here, so a case's detail
knows about its files before they are downloaded (the local copy follows in the
background, :mod:`services.sync.blobs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.queue import Attachment
from services.attachments.store import CONTENT_TYPES, MAX_BYTES, is_sha256, stored_name
from services.reports.exports import clean_file_name


@dataclass(frozen=True)
class Entry:
    """One well-formed attachment entry of an event's data."""

    sha256: str
    file_name: str
    size: int
    content_type: str  # "" when the entry does not say (recorded before 1.1)


def entries_of(data: Any) -> list[Entry]:
    """The well-formed attachment entries of an event's ``data`` (others left out)."""
    items = data.get("attachments") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        return []
    out: list[Entry] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        sha = item.get("sha256")
        if not isinstance(sha, str) or not is_sha256(sha.lower()):
            continue
        size = item.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_BYTES:
            size = 0
        name = item.get("file_name")
        file_name = clean_file_name(name, fallback=sha[:12]) if isinstance(name, str) else ""
        content_type = item.get("content_type")
        out.append(
            Entry(
                sha.lower(),
                file_name or sha[:12].lower(),
                size,
                content_type if content_type in CONTENT_TYPES else "",
            )
        )
    return out


def note_event_attachments(
    session: Session, case_id: str, event_id: str, actor_id: str | None, data: Any
) -> int:
    """Add the ``case_attachments`` rows of one event that it does not have yet."""
    entries = entries_of(data)
    if not entries:
        return 0
    known = set(session.scalars(select(Attachment.sha256).where(Attachment.event_id == event_id)))
    added = 0
    for entry in entries:
        if entry.sha256 in known:
            continue
        known.add(entry.sha256)
        session.add(
            Attachment(
                case_id=case_id,
                event_id=event_id,
                file_name=entry.file_name[:255],
                stored_name=stored_name(entry.sha256, entry.content_type),
                sha256=entry.sha256,
                size=entry.size,
                added_by=actor_id,
            )
        )
        added += 1
    return added
