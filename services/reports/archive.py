"""The bulletin archive: every bulletin file exported at this desk, and how to check one.

Each export (the workbook, the 通报 document, the PDF — any format) is recorded
by :func:`record_export` in the caller's transaction: period, scope, the moment
its figures were taken (``as_at``, the assessment's ``generated_at``) with the
last event stored then (``event_seq``), who exported it (a user, or the
scheduled-export actor ``system``), the format, the file's name, and two SHA-256
hashes: of the file's bytes, and of its figures (:func:`figures_digest`).

A workbook's bytes change with every save (its properties and zip entries carry
the time of writing), and a PDF or document carries its own timestamps, so a
re-export is compared by its figures: the digest of a canonical JSON form of
every figure of the assessment, which is the same for a workbook, a document and
a PDF of one assessment. The file hash identifies the very file that was sent.

Who may list and re-export archived bulletins is who may export bulletins
(``Permission.EXPORT_BULLETIN``), and only for scopes in their area. The
re-export itself lives in :mod:`services.reports.reissue`. docs/figures.md
"The archive" says all this for the office.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import BulletinExport, User
from models.types import utcnow
from services.cases.permissions import SYSTEM_ACTOR, Actor, Permission, in_scope, require
from services.errors import NotFound, PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.results import Assessment

SessionFactory = Callable[[], AbstractContextManager[Session]]
"""``ViewContext.read``/``write`` or ``Database.session``: opens a session."""

FORMATS = ("xlsx", "docx", "pdf")
"""The formats a bulletin is exported in (the file's extension)."""

LISTED = 500
"""The newest archived bulletins listed at most."""

NOT_FIGURES = frozenset({"generated_at", "event_seq", "sign_off"})
"""Assessment fields that are not figures: when they were taken (recorded apart) and the
落款 printed under them (settings of the day)."""

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchivedBulletin:
    """One archived export, as the reports screen lists it."""

    id: str
    period_key: str
    scope_id: str
    scope_name: str
    as_at: datetime
    event_seq: int
    format: str
    file_name: str
    file_sha256: str
    figures_sha256: str
    exported_by: str
    exported_by_name: str
    """The user's display name; empty for the scheduled export or a user no longer known."""
    exported_at: datetime

    @property
    def scheduled(self) -> bool:
        """Written by ``export-bulletin`` (cron, Task Scheduler), not by a person."""
        return self.exported_by == SYSTEM_ACTOR.id

    @property
    def short_hash(self) -> str:
        """The figures' hash as shown on screen (its first 12 hex digits)."""
        return self.figures_sha256[:12]


# ----------------------------------------------------------------------------- digests
def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data that says the same whatever order sums were taken in."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):  # one instant, one text, whatever its time zone
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Sums of working minutes are floats: an equal figure summed in another order
        # may differ in the last bits. Six decimals keep every real difference.
        return None if math.isnan(value) else round(value, 6) + 0.0
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return value


def figures_digest(assessment: Assessment) -> str:
    """SHA-256 of every figure of ``assessment`` (period, scope, names, rows, overdue
    cases, daily counts, weights), leaving out only when they were taken."""
    body = {
        f.name: _plain(getattr(assessment, f.name))
        for f in dataclasses.fields(assessment)
        if f.name not in NOT_FIGURES
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def format_of(path: Path, given: str | None = None) -> str:
    """The export format: ``given``, else the file's extension; one of :data:`FORMATS`."""
    fmt = (given or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "A bulletin is exported as {formats}; {format} is not one of them.",
            ),
            field="format",
            formats=", ".join(FORMATS),
            format=fmt or "?",
        )
    return fmt


# ----------------------------------------------------------------------------- recording
def record_export(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    path: Path,
    *,
    format: str | None = None,
) -> BulletinExport:
    """Record the bulletin just written to ``path`` from ``assessment`` (in the caller's
    transaction). ``format`` defaults to the file's extension."""
    require(actor, Permission.EXPORT_BULLETIN)
    fmt = format_of(path, format)
    path = Path(path)
    row = BulletinExport(
        id=str(uuid.uuid4()),
        period_key=assessment.period.key,
        scope_id=assessment.scope_id,
        scope_name=assessment.scope_name[:100],
        as_at=assessment.generated_at,
        event_seq=int(assessment.event_seq or 0),
        format=fmt,
        file_name=path.name[:255],
        file_sha256=file_digest(path),
        figures_sha256=figures_digest(assessment),
        exported_by=actor.id,
        exported_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def record_written(
    write: SessionFactory,
    actor: Actor,
    assessment: Assessment,
    path: Path,
    *,
    format: str | None = None,
) -> str:
    """:func:`record_export` in a transaction of its own (for an export written from an
    assessment computed earlier, such as the reports screen's); returns the record's id."""
    with write() as session:
        return record_export(session, actor, assessment, path, format=format).id


# ----------------------------------------------------------------------------- reading
def _archived(row: BulletinExport, names: dict[str, str]) -> ArchivedBulletin:
    return ArchivedBulletin(
        id=row.id,
        period_key=row.period_key,
        scope_id=row.scope_id,
        scope_name=row.scope_name,
        as_at=row.as_at,
        event_seq=int(row.event_seq),
        format=row.format,
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        figures_sha256=row.figures_sha256,
        exported_by=row.exported_by,
        exported_by_name=names.get(row.exported_by, ""),
        exported_at=row.exported_at,
    )


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return {user_id: name for user_id, name in rows}


def list_exports(session: Session, actor: Actor, limit: int = LISTED) -> list[ArchivedBulletin]:
    """The archived bulletins of scopes in the actor's area, newest export first."""
    require(actor, Permission.EXPORT_BULLETIN)
    query = select(BulletinExport)
    if actor.org_unit_id is None:
        return []
    if actor.org_unit_id:  # the unit's subtree: unit codes are hierarchical prefixes
        query = query.where(BulletinExport.scope_id.startswith(actor.org_unit_id, autoescape=True))
    query = query.order_by(BulletinExport.exported_at.desc(), BulletinExport.id.desc()).limit(limit)
    rows = [row for row in session.scalars(query) if in_scope(actor, row.scope_id)]
    names = _names(session, {row.exported_by for row in rows})
    return [_archived(row, names) for row in rows]


def archived(read: SessionFactory, actor: Actor) -> list[ArchivedBulletin]:
    """:func:`list_exports` in a reading session of its own (the reports screen's op)."""
    with read() as session:
        return list_exports(session, actor)


def get_export(session: Session, actor: Actor, export_id: str) -> ArchivedBulletin:
    """One archived bulletin; NotFound for an unknown id, PermissionDenied outside the area."""
    require(actor, Permission.EXPORT_BULLETIN)
    row = session.get(BulletinExport, export_id)
    if row is None:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "No archived bulletin {export_id} is held here."),
            export_id=export_id,
        )
    if not in_scope(actor, row.scope_id):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP(
                "services", "{name} lies outside your area, so you cannot see its assessment."
            ),
            name=row.scope_name,
        )
    return _archived(row, _names(session, {row.exported_by}))
