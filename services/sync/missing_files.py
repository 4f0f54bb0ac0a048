"""Steps the county keeps answering ``missing_blob``, shown to a person.

A case event whose attachment the county lacks after the round's uploads stays
pending, marked with :data:`~services.sync.outbox.MISSING_BLOB_NOTE`
(services.sync.engine), and the case's later items wait behind it. Usually the
file is not on this computer any more (a store folder copied without it, a file
removed by hand), so there is nothing to upload. A person may put it back:
:func:`reattach_file` takes a file from disk and, when it is the file the step
names — the same bytes, or the same photo made smaller or stripped as the desk
does when attaching — puts it into the local store; the next round uploads it and
sends the step. Audited as ``sync.reattach_file``.

A recorded step is never changed (SPEC: events are never edited; PROTOCOL 1.1 has
no way to send an event without an attachment it names), so there is no "send
without the file": docs/sync-rules.md says what to do when the file is lost.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import OutboxKind, OutboxStatus
from models.tables import Case, OutboxItem, User
from services.attachments.photos import prepare
from services.attachments.records import entries_of
from services.attachments.store import BlobMismatch, local_blob, write_blob
from services.audit import audit
from services.cases.event_checks import parse_time
from services.cases.permissions import Actor, Permission, require
from services.errors import DomainError, NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.exports import clean_file_name
from services.sync.outbox import MISSING_BLOB_NOTE

log = logging.getLogger(__name__)

NOT_WAITING = QT_TRANSLATE_NOOP(
    "services", "This step no longer waits for a file: it was sent or is handled elsewhere."
)
NOT_THE_FILE = QT_TRANSLATE_NOOP(
    "services",
    "{name} is not the file this step names (its content differs). Pick {wanted}: "
    "the photo or document exactly as it was attached.",
)
CANNOT_READ = QT_TRANSLATE_NOOP("services", "{name} cannot be read; check that it still exists.")
CANNOT_STORE = QT_TRANSLATE_NOOP(
    "services", "{name} could not be saved in the data folder: {reason}"
)


@dataclass(frozen=True)
class NamedFile:
    sha256: str
    file_name: str
    size: int
    here: bool
    """In this desk's store (the county still lacks it: it goes up next round)."""


@dataclass(frozen=True)
class WaitingForFile:
    """A pending step the county answered ``missing_blob``, with the files it names."""

    seq: int
    item_id: str
    case_id: str | None
    case_number: str | None
    event_type: str
    at: datetime | None
    actor: str
    attempts: int
    files: tuple[NamedFile, ...]

    @property
    def missing(self) -> tuple[NamedFile, ...]:
        """The files not on this computer (those a person must find)."""
        return tuple(f for f in self.files if not f.here)


def _items(session: Session) -> list[OutboxItem]:
    return list(
        session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.status == OutboxStatus.PENDING,
                OutboxItem.kind == OutboxKind.CASE_EVENT,
                OutboxItem.last_error == MISSING_BLOB_NOTE,
            )
            .order_by(OutboxItem.seq)
        )
    )


def waiting_for_files(session: Session, folder: Path | None) -> list[WaitingForFile]:
    """The steps waiting for a file the county lacks, oldest first."""
    out: list[WaitingForFile] = []
    for item in _items(session):
        payload: dict[str, Any] = dict(item.payload or {})
        case_id = payload.get("case_id") if isinstance(payload.get("case_id"), str) else None
        case = session.get(Case, case_id) if case_id else None
        actor_id = payload.get("actor_id")
        user = session.get(User, actor_id) if isinstance(actor_id, str) else None
        try:
            at = parse_time(payload.get("at"), "at") if payload.get("at") else None
        except DomainError:
            at = None
        files = tuple(
            NamedFile(
                e.sha256,
                e.file_name,
                e.size,
                folder is not None and local_blob(folder, e.sha256) is not None,
            )
            for e in entries_of(payload.get("data"))
        )
        out.append(
            WaitingForFile(
                seq=item.seq,
                item_id=item.item_id,
                case_id=case_id,
                case_number=case.number if case is not None else None,
                event_type=str(payload.get("type") or ""),
                at=at,
                actor=(user.display_name or user.username) if user is not None else "",
                attempts=item.attempts or 0,
                files=files,
            )
        )
    return out


def _candidates(source: Path) -> list[tuple[bytes, str]]:
    """The bytes the desk could have stored for ``source``: as it is, or as attaching
    makes it (a large photo smaller, a document without its location data)."""
    try:
        data = source.read_bytes()
    except OSError:
        raise ValidationError(
            CANNOT_READ, field="file", name=clean_file_name(source.name)
        ) from None
    out = [(data, hashlib.sha256(data).hexdigest())]
    for document in (False, True):
        try:
            made = prepare(source, keep_original=False, document=document)
        except (ValidationError, OSError):
            continue
        out.append((made.data, made.sha256))
    return out


def reattach_file(
    session: Session, actor: Actor, folder: Path, seq: int, source: Path
) -> NamedFile:
    """Put ``source`` into the local store for the waiting step ``seq`` when it is one of
    the files the step names; the step is tried at the next round. Raises
    ValidationError (field ``file``) naming the file wanted otherwise."""
    require(actor, Permission.SYNC)
    item = session.get(OutboxItem, seq)
    if (
        item is None
        or item.status != OutboxStatus.PENDING
        or item.kind != OutboxKind.CASE_EVENT
        or item.last_error != MISSING_BLOB_NOTE
    ):
        raise NotFound(NOT_WAITING)
    payload = dict(item.payload or {})
    named = {e.sha256: e for e in entries_of(payload.get("data"))}
    source = Path(source)
    name = clean_file_name(source.name)
    found = next(((d, s) for d, s in _candidates(source) if s in named), None)
    if found is None:
        wanted = [e.file_name for sha, e in named.items() if local_blob(folder, sha) is None]
        raise ValidationError(
            NOT_THE_FILE,
            field="file",
            name=name,
            wanted="、".join(wanted or [e.file_name for e in named.values()]),
        )
    data, sha = found
    try:
        write_blob(folder, sha, [data])
    except (BlobMismatch, OSError) as exc:
        raise ValidationError(CANNOT_STORE, field="file", name=name, reason=str(exc)) from None
    item.next_attempt_at = None
    entry = named[sha]
    audit(
        session,
        actor,
        "sync.reattach_file",
        item.kind,
        item.item_id,
        sha256=sha,
        file_name=entry.file_name,
        picked=name,
        case_id=payload.get("case_id"),
    )
    log.info("file %s put back for step %s", sha[:12], item.item_id)
    return NamedFile(sha, entry.file_name, entry.size, True)
