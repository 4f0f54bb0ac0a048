"""The visitor's personal data after the visit: revealing one clear value
(permission-checked and audited) and the retention purge, which blanks the
visitor of old visits — also in the copies queued for the county — while the
visit and its case stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from models.enums import OutboxKind
from models.tables import OutboxItem, Visit
from models.types import utcnow
from services import settings as settings_service
from services.audit import audit
from services.cases.permissions import Actor, Permission, require
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.lookups import visit_for
from services.worktime.workdays import SHANGHAI

DATA_PURGED = QT_TRANSLATE_NOOP(
    "services",
    "The visitor's personal data was removed on {date} after the retention period; only the anonymous record is kept.",
)
REVEAL_FIELD_UNKNOWN = QT_TRANSLATE_NOOP(
    "services", "Only the name, phone, ID number and address can be shown."
)

REVEAL_FIELDS = {
    "name": "visitor_name",
    "phone": "visitor_phone",
    "id_number": "visitor_id_number",
    "address": "visitor_address",
}


def reveal_visitor(session: Session, actor: Actor, visit_id: str, field_name: str) -> str:
    """The clear value of one personal field of a visit; permission-checked and audited."""
    require(actor, Permission.REVEAL_PERSONAL_DATA)
    if field_name not in REVEAL_FIELDS:
        raise ValidationError(REVEAL_FIELD_UNKNOWN, field="field")
    visit = visit_for(session, actor, visit_id)
    if visit.personal_data_purged_at is not None:
        raise ValidationError(
            DATA_PURGED,
            field=field_name,
            date=visit.personal_data_purged_at.astimezone(SHANGHAI).date().isoformat(),
        )
    audit(session, actor, "personal_data_revealed", "visit", visit.id, field=field_name)
    return str(getattr(visit, REVEAL_FIELDS[field_name]) or "")


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    visits: int
    dry_run: bool


def retention_cutoff(session: Session, now: datetime | None = None) -> datetime:
    years = int(settings_service.get(session, "retention_years") or 3)
    local = (now or utcnow()).astimezone(SHANGHAI)
    try:
        start = local.replace(year=local.year - years)
    except ValueError:  # 29 February
        start = local.replace(year=local.year - years, day=28)
    return start


def purge_personal_data(
    session: Session, actor: Actor, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Blank the visitor of every visit older than the retention period.

    The visit stays (purpose, summary, time, its case), so the case and the
    statistics keep working; the name, phone, ID number, address and the keyed
    hashes go, also from the copies queued for the county. Audited.
    """
    require(actor, Permission.PURGE_PERSONAL_DATA)
    now = now or utcnow()
    cutoff = retention_cutoff(session, now)
    old = and_(Visit.at < cutoff, Visit.personal_data_purged_at.is_(None))
    ids = list(session.scalars(select(Visit.id).where(old)))
    if dry_run or not ids:
        return PurgeResult(cutoff=cutoff, visits=len(ids), dry_run=dry_run)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Visit)
            .where(Visit.id.in_(chunk))
            .values(
                visitor_name=None,
                visitor_phone=None,
                visitor_id_number=None,
                visitor_address=None,
                phone_key=None,
                id_number_key=None,
                personal_data_purged_at=now,
            )
        )
        for item in session.scalars(
            select(OutboxItem).where(
                OutboxItem.kind == OutboxKind.VISIT, OutboxItem.item_id.in_(chunk)
            )
        ):
            payload = dict(item.payload)
            visitor = dict(payload.get("visitor") or {})
            for key in ("name", "phone", "id_number", "address"):
                visitor[key] = None
            payload["visitor"] = visitor
            item.payload = payload
    audit(
        session,
        actor,
        "personal_data_purged",
        "visit",
        None,
        visits=len(ids),
        before=cutoff.isoformat(),
    )
    return PurgeResult(cutoff=cutoff, visits=len(ids), dry_run=False)


def daily_purge(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> PurgeResult | None:
    """The purge once a day at start (``device.last_purge_date``); None if done today."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date().isoformat()
    if settings_service.get(session, "device.last_purge_date") == today:
        return None
    result = purge_personal_data(session, actor, now=now)
    settings_service.put(session, "device.last_purge_date", today)
    return result
