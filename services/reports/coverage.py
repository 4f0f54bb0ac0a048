"""Which scopes this database holds completely, and which periods may be reported.

A desk holds the cases its feed brings (docs/protocol.md, "Scope by role"): a
street coordinator's desk holds that street's cases and no other street's, so a
county bulletin made there would present part of the county as the whole of it.
:func:`data_unit` names the org unit whose cases this database holds in full:

* a desk that pulls from a county: the unit of its feed's scope key
  (``full:<unit>`` or ``masked:<unit>``); a department's or grid worker's feed
  holds no unit completely;
* a desk not (yet) pulling: its home unit (``device.home_org_unit_id``), what it
  records cases for;
* a database with neither — the county server, the demo district, a desk's data
  folder assembled for testing: every unit in it.

:func:`check_held` refuses a scope outside that unit (the county's bulletin comes
from the county centre, ``python -m county_server export-bulletin``);
:func:`check_period` refuses a period that has not begun and says how far an
unfinished one goes (:func:`as_of`). The reports screen, the export button and
the ``export-bulletin`` command all go through :func:`services.reports.assessment.assess`,
which calls both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import OrgLevel
from models.tables import OrgUnit, SyncState
from services import settings as settings_service
from services.cases.permissions import Actor, in_scope
from services.errors import PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.periods import Period
from services.sync.config import STATE_CURSOR
from services.worktime.workdays import SHANGHAI

ASSESSED_LEVELS = (OrgLevel.COUNTY, OrgLevel.STREET, OrgLevel.COMMUNITY)

COUNTY_EXPORT_COMMAND = "python -m county_server export-bulletin"

NOT_HELD_COUNTY = QT_TRANSLATE_NOOP(
    "services",
    "This computer holds only the cases of {held}, not those of the whole of {name}; "
    "the bulletin of {name} comes from the county centre ({command}). "
    "Choose {held} or a unit inside it.",
)
NOT_HELD = QT_TRANSLATE_NOOP(
    "services",
    "This computer holds only the cases of {held}, not those of {name}; its bulletin comes from "
    "{name}'s own desk or from the county centre ({command}). Choose {held} or a unit inside it.",
)
NOTHING_HELD = QT_TRANSLATE_NOOP(
    "services",
    "This computer holds only the cases dispatched to one department or grid worker, "
    "so it holds no street's or community's complete figures; the bulletin comes from "
    "the county centre ({command}).",
)
FUTURE_PERIOD = QT_TRANSLATE_NOOP(
    "services",
    "The period {period} has not begun yet (it starts on {start}); choose a period that has begun.",
)


@dataclass(frozen=True)
class Held:
    """What this database holds: every case under ``unit_id`` ("" = every unit in it),
    or no unit completely (``unit_id`` None)."""

    unit_id: str | None

    def covers(self, unit_id: str) -> bool:
        return self.unit_id is not None and unit_id.startswith(self.unit_id)


def data_unit(session: Session) -> Held:
    """The org unit whose cases this database holds completely (module docstring)."""
    row = session.get(SyncState, STATE_CURSOR)
    state = row.value if row is not None else None
    scope = state.get("scope") if isinstance(state, dict) else None
    if isinstance(scope, str) and scope:
        kind, _, unit = scope.partition(":")
        return Held(unit if kind in ("full", "masked") and unit else None)
    home = str(settings_service.get(session, "device.home_org_unit_id") or "")
    return Held(home)


def _unit_name(session: Session, unit_id: str) -> str:
    unit = session.get(OrgUnit, unit_id)
    return unit.name if unit is not None else unit_id


def check_held(session: Session, unit: OrgUnit) -> None:
    """Refuse a scope whose cases this database does not hold completely."""
    held = data_unit(session)
    if held.covers(unit.id):
        return
    if held.unit_id is None:
        raise PermissionDenied(NOTHING_HELD, field="scope", command=COUNTY_EXPORT_COMMAND)
    template = NOT_HELD_COUNTY if unit.level == OrgLevel.COUNTY else NOT_HELD
    raise PermissionDenied(
        template,
        field="scope",
        name=unit.name,
        held=_unit_name(session, held.unit_id),
        command=COUNTY_EXPORT_COMMAND,
    )


def default_scope(session: Session, actor: Actor) -> str | None:
    """The scope shown and exported when none is chosen: the actor's own unit, or, where
    this database holds only part of it, the part it holds (for the scheduled export,
    whose actor has no unit: what the data folder holds)."""
    held = data_unit(session)
    own = actor.org_unit_id or ""
    if held.unit_id and held.unit_id.startswith(own) and in_scope(actor, held.unit_id):
        return held.unit_id
    if own:
        return own
    return session.scalar(
        select(OrgUnit.id).where(OrgUnit.level == OrgLevel.COUNTY).order_by(OrgUnit.id)
    )


def scopes_held(session: Session, actor: Actor) -> list[OrgUnit]:
    """The county, streets and communities ``actor`` may assess and this database holds
    completely, in tree order (the choices of the screen and of ``--list-units``)."""
    held = data_unit(session)
    units = session.scalars(
        select(OrgUnit).where(OrgUnit.level.in_(ASSESSED_LEVELS)).order_by(OrgUnit.id)
    ).all()
    return [u for u in units if in_scope(actor, u.id) and held.covers(u.id)]


def check_period(period: Period, now: datetime) -> datetime | None:
    """Refuse a period that has not begun; the instant an unfinished one is counted up to
    (``now``), or None for a period that has ended."""
    if period.start > now:
        raise ValidationError(
            FUTURE_PERIOD,
            field="period",
            period=period.key,
            start=period.first_day.isoformat(),
        )
    return now if now < period.end else None


def as_of_text(at: datetime) -> str:
    """The mark of an unfinished period, as the workbook and the dashboard print it."""
    return f"本期尚未结束，数据截至 {at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
