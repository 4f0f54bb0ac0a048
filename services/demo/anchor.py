"""Where the demo history ends: the same instant for every program that seeds on the same day.

The desktop (``main.py seed-demo``, ``main.py --demo``) and the county server
(``python -m county_server seed-demo``) draw the same district, ids included,
from the same seed, number of cases and end of the history: the generator
spreads the cases over the days by how much of each day the history covers, so
a history that ended at the clock's minute gave, an hour later, another
district under the same ids (and a desk that synced with it two cases per
number).

So the history ends at 00:00, Beijing time, of its day: ``--today`` when given,
else the date in Beijing when it is seeded. Every event lies before that
instant, never in the future (the county refuses event times past its clock
plus a day; a desk should not show tomorrow's work), and a day after today's
date is refused. This module is the one place the demo reads the clock.

It imports nothing heavy: the command-line parsers read :data:`DEFAULT_CASES`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

DEFAULT_CASES = 3000
"""The demo district's size when none is given, on the desktop and on the county alike."""

_BEIJING = ZoneInfo("Asia/Shanghai")  # the zone of services.worktime.workdays.SHANGHAI


def clock() -> datetime:
    """The real time, aware UTC (tests replace this function)."""
    return datetime.now(UTC)


def local_today() -> date:
    """The date in Beijing now."""
    return clock().astimezone(_BEIJING).date()


def demo_day(today: date | None = None) -> date:
    """The day at whose start the history ends: ``today``, or the date in Beijing now.

    Refuses (:class:`ValidationError`) a day after today's date, whose history
    would reach past the clock.
    """
    current = local_today()
    if today is None:
        return current
    if today > current:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The demo's day {day} is after today ({today}); its history would lie in the future.",
            ),
            field="today",
            day=today.isoformat(),
            today=current.isoformat(),
        )
    return today


def history_end(day: date) -> datetime:
    """00:00 of ``day`` in Beijing, as aware UTC: the end of the demo history of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=_BEIJING).astimezone(UTC)
