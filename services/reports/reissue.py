"""Re-exporting an archived bulletin with the figures it had (docs/figures.md "The archive").

:func:`reexport` computes the assessment of the archived period and scope as at
the archived moment: ``now`` is the recorded ``as_at`` (so an unfinished period
ends where it ended then) and only the events stored up to the recorded
``event_seq`` count, with the county's rejection marks as they stood then.
Events recorded since — synced from other desks, typed late, rejected later —
leave the figures alone. It writes the file in the archived format, says
whether its figures' digest equals the archived one, and writes an audit line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.audit import audit
from services.cases.permissions import Actor
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.archive import (
    ArchivedBulletin,
    SessionFactory,
    figures_digest,
    file_digest,
    get_export,
)
from services.reports.assessment import assess
from services.reports.bulletin import Cancelled, Progress, write_bulletin
from services.reports.periods import parse_period
from services.reports.results import Assessment
from services.worktime.workdays import load_calendar

Writer = Callable[[Assessment, Path, Progress | None, Cancelled | None], Path]

WRITERS: dict[str, Writer] = {"xlsx": write_bulletin}
"""How each archived format is written again from an assessment (all or nothing)."""

AUDIT_ACTION = "bulletin_reexported"


@dataclass(frozen=True)
class Reexport:
    """What a re-export wrote and whether its figures are those archived."""

    path: Path
    archived: ArchivedBulletin
    assessment: Assessment
    figures_sha256: str
    file_sha256: str

    @property
    def matches(self) -> bool:
        return self.figures_sha256 == self.archived.figures_sha256


def reexport(
    read: SessionFactory,
    write: SessionFactory,
    actor: Actor,
    export_id: str,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Reexport:
    """Write the archived bulletin ``export_id`` again to ``path``, as at its as-at time.

    Needs the export permission and the scope in the actor's area (PermissionDenied);
    the figures come from a reading session, the audit line from a writing one.
    """
    with read() as session:
        archived = get_export(session, actor, export_id)
        writer = WRITERS.get(archived.format)
        if writer is None:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "A {format} bulletin cannot be written again by this version of GridDesk.",
                ),
                field="format",
                format=archived.format,
            )
        assessment = assess(
            session,
            actor,
            parse_period(archived.period_key),
            load_calendar(session),
            archived.scope_id,
            now=archived.as_at,
            events_up_to=archived.event_seq,
        )
    path = Path(path)
    writer(assessment, path, progress, cancelled)
    result = Reexport(
        path=path,
        archived=archived,
        assessment=assessment,
        figures_sha256=figures_digest(assessment),
        file_sha256=file_digest(path),
    )
    with write() as session:
        audit(
            session,
            actor,
            AUDIT_ACTION,
            "bulletin_export",
            archived.id,
            period=archived.period_key,
            scope_id=archived.scope_id,
            format=archived.format,
            file_name=path.name,
            file_sha256=result.file_sha256,
            figures_sha256=result.figures_sha256,
            figures_match=result.matches,
        )
    return result
