"""The demo generator's random draws and the case being generated.

Every part of the generator (:mod:`~services.demo.subjects`,
:mod:`~services.demo.histories`, :mod:`~services.demo.generator`) is a
:class:`Draws` on the one seeded ``random.Random``, so the whole district comes
from a single stream of numbers: the order of the draws is what makes a seed
give the same rows every time. :class:`CaseDraft` records a case's events
through the shared projection, exactly as :mod:`services.cases.records` would.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from services.cases.projection import CaseProjection, Event, apply
from services.worktime.workdays import WorkCalendar

_SECOND = timedelta(seconds=1)
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def seeded_uuid4(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, without building a UUID object.

    The demo draws millions of ids; the same bits are set (RFC 4122 variant,
    version 4) and the text is the same, as the tests check.
    """
    value = f"{(rng.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET:032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


@dataclass(frozen=True)
class Weighted:
    """Values with relative weights, ready for a draw by bisection."""

    values: tuple[str, ...]
    cumulative: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, *pairs: tuple[str, float]) -> Weighted:
        cumulative = tuple(accumulate(w for _, w in pairs))
        return cls(tuple(v for v, _ in pairs), cumulative[:-1] + (float("inf"),), cumulative[-1])


class Stop(Exception):
    """The case's next step would lie after the end of the history (or its chosen end)."""


class CaseDraft:
    """A case being generated: its events so far and its projection after them."""

    __slots__ = (
        "category",
        "coordinator",
        "duplicate_of",
        "events",
        "forced",
        "id",
        "last",
        "new_id",
        "now",
        "proj",
        "reception",
        "stop_at",
        "urgent",
    )

    def __init__(
        self,
        case_id: str,
        now: datetime,
        new_id: Callable[[], str],
        *,
        category: str,
        urgent: bool,
        coordinator: str | None,
        reception: str | None,
        forced: str | None,
        duplicate_of: str | None,
    ) -> None:
        self.id = case_id
        self.now = now
        self.new_id = new_id
        self.category = category
        self.urgent = urgent
        self.coordinator = coordinator
        self.reception = reception
        self.forced = forced
        self.stop_at = forced
        self.duplicate_of = duplicate_of
        self.events: list[Event] = []
        self.proj: CaseProjection | None = None
        self.last = datetime.min.replace(tzinfo=UTC)

    @property
    def state(self) -> str:
        assert self.proj is not None
        return self.proj.state

    def when(self, at: datetime) -> datetime:
        """``at``, nudged after the previous event; :class:`Stop` if it lies after the end."""
        if at <= self.last:
            at = self.last + _SECOND
        if at > self.now:
            raise Stop
        return at

    def add(
        self, event_type: str, at: datetime, actor: str | None, data: dict[str, Any]
    ) -> datetime:
        """Record one event through the shared projection; returns its time."""
        at = self.when(at)
        event = Event(
            id=self.new_id(), case_id=self.id, type=event_type, at=at, actor_id=actor, data=data
        )
        self.proj = apply(self.proj, event)
        self.events.append(event)
        self.last = at
        if self.proj.state == self.stop_at:
            raise Stop
        return at


@dataclass
class Batch:
    """One chunk of generated rows, written in one transaction."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)


class Draws:
    """Random draws on the generator's one seeded stream, with the workday calendar."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, now: datetime) -> None:
        self.rng = rng
        self.calendar = calendar
        self.now = now

    def new_id(self) -> str:
        return seeded_uuid4(self.rng)

    def randint(self, low: int, high: int) -> int:
        """Like ``random.randint`` (both ends included), several times faster on the hot path."""
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, options: Weighted) -> str:
        return options.values[bisect(options.cumulative, self.rng.random() * options.total)]

    def office_after(self, t: datetime, low: int, high: int) -> datetime:
        """``t`` plus a random number of office minutes (and seconds, so times do not tie)."""
        minutes = self.randint(low, high)
        return self.calendar.add_office_minutes(t, minutes) + timedelta(
            seconds=int(self.rng.random() * 60)
        )

    def natural_after(self, t: datetime, low: int, high: int) -> datetime:
        return t + timedelta(minutes=self.randint(low, high), seconds=int(self.rng.random() * 60))

    def after(self, c: CaseDraft, t: datetime, low: int, high: int) -> datetime:
        """Office minutes for a normal case; urgent cases run on the natural clock."""
        if c.urgent:
            return self.natural_after(t, max(1, low // 4), max(1, high // 4))
        return self.office_after(t, low, high)
