"""The demo district: a database full of plausible history, for training, demos and load tests.

A centre that tries GridDesk, a trainer who teaches it and a developer who
measures the dispatch queue on a million cases all need the same thing: a
district with two months of cases in every state, created at the hours real
cases are created, with deadlines that are met, missed, extended and
supervised. :func:`seed_demo` loads the demo county of :mod:`services.demo.district`
and writes that history.

Every case is generated as a list of :class:`~services.cases.projection.Event` and
run through the shared :func:`~services.cases.projection.apply`, and the rows are the
ones :mod:`services.cases.records` would write (``event_columns`` / ``case_columns``,
outbox payloads from ``Event.to_wire``). So a demo case is indistinguishable
from a recorded one: replaying its events gives its row, and every event was
legal in the state it was recorded in. Only the writing differs: SQLAlchemy
Core bulk inserts, one transaction per chunk of cases, because the service
path (one ORM flush per event) would take hours for a million cases.

The generation is deterministic: the same ``seed``, number of cases and
``today`` give the same rows, UUIDs included (they are drawn from the seeded
generator), so a county server seeded the same way holds the same case and
event ids as the desktop. ``today`` left out is the date in Beijing, and the
history ends at 00:00 of it whatever the hour (:mod:`services.demo.anchor`),
so a desk and a county seeded on the same day hold the same district. The exceptions are the secret visitor hash key
(``device.visitor_hash_key``, random per installation, so ``phone_key`` and
``id_number_key`` differ between databases) and the password hashes (salted).
"""

from __future__ import annotations

import gc
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import CaseState, EventType, Source, Urgency
from models.tables import Case, User
from services import settings as settings_service
from services.accounts.auth import hash_password
from services.cases.records import case_columns, street_code
from services.demo.anchor import DEFAULT_CASES, demo_day, history_end
from services.demo.bulk import indexes_deferred, write_batch
from services.demo.district import COUNTY_NAME, DEMO_PASSWORD, demo_reference
from services.demo.draws import Batch, CaseDraft, Draws, Stop, Weighted
from services.demo.histories import Histories
from services.demo.people import visit_row
from services.demo.subjects import Content, Subjects
from services.demo.world import Grid, World
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.reference import load_reference
from services.worktime.workdays import SHANGHAI

CENTRE_NAME = f"{COUNTY_NAME}网格化服务管理中心"
WINDOW_DAYS = 60
"""Cases are created over this many days before ``today``."""
CHUNK_CASES = 20_000
"""Cases written per transaction: big enough for fast bulk inserts, small enough for memory."""
RECENT_DAYS = 5
"""Cases created this close to the end are where every open state is made sure to appear."""
FORCED_OPEN_STATES = (
    CaseState.REGISTERED,
    CaseState.RETURNED,
    CaseState.SUSPENDED,
    CaseState.ESCALATED,
    CaseState.VOIDED,
    CaseState.DISPATCHED,
    CaseState.ACKNOWLEDGED,
    CaseState.HANDLED,
)
FORCED_PER_STATE = 2
"""At least this many recent cases end in each of :data:`FORCED_OPEN_STATES`, even for a small N."""

# ---------------------------------------------------------------------------- mixes
_SOURCE_SHARES: tuple[tuple[str, float], ...] = (
    (Source.WALK_IN.value, 0.35),
    (Source.PATROL.value, 0.30),
    (Source.HOTLINE.value, 0.25),
    (Source.ONLINE.value, 0.10),
)
ON_THE_SPOT_SHARE = 0.08
URGENT_SHARE = 0.05
VOID_SHARE = 0.02
ESCALATE_SHARE = 0.01
_SOURCES = Weighted.of(*_SOURCE_SHARES)


@dataclass
class DemoSummary:
    """What :func:`seed_demo` wrote, and how long it took."""

    org_units: int
    departments: int
    users: int
    cases: int
    events: int
    visits: int
    seconds: float
    today: date
    """The day the history ends at the start of (Beijing time)."""


def seed_demo(
    db: Database,
    *,
    cases: int = DEFAULT_CASES,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    outbox: bool = False,
) -> DemoSummary:
    """Load the demo county and generate ``cases`` cases over the 60 days before ``today``.

    ``today`` is a local (Asia/Shanghai) date, by default the date in Beijing
    now; the history ends at the start of that day, so that the same arguments
    give the same rows at any hour (:mod:`services.demo.anchor`). A ``today``
    after the real date is refused: the history never reaches the future.

    ``progress(done, total)`` is called after each committed chunk.
    ``outbox=True`` queues every visit and event for the push to the county,
    as the recording services do; leave it off when the county is seeded the
    same way. Refuses (:class:`ValidationError`) a database that already holds
    cases: the demo history would mix with real work.
    """
    started = time.perf_counter()
    if cases < 0:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The number of demo cases must be zero or more."),
            field="cases",
        )
    today = demo_day(today)
    now = history_end(today)
    reference = demo_reference(seed)
    with db.session() as session:
        if session.scalar(select(Case.id).limit(1)) is not None:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "This database already holds cases; the demo district can only be loaded into an empty database.",
                ),
                field="cases",
            )
        _load_reference(session, reference)
        settings_service.put(session, "centre_name", CENTRE_NAME)
        world = World.load(session, reference)

    generator = _Generator(world, random.Random(seed), now, today)
    written_cases = written_events = written_visits = 0
    # Millions of short-lived dicts and events make the cyclic garbage collector
    # scan the whole chunk again and again; nothing generated here forms a
    # cycle, so it is paused and run once per chunk instead.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with indexes_deferred(db, cases):
            for batch in generator.batches(cases, CHUNK_CASES):
                with db.session() as session:
                    written_events += write_batch(session, batch, outbox)
                written_cases += len(batch.cases)
                written_visits += len(batch.visits)
                del batch
                gc.collect()
                if progress is not None:
                    progress(written_cases, cases)
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress is not None and cases == 0:
        progress(0, 0)
    return DemoSummary(
        org_units=len(reference["org_units"]),
        departments=len(reference["departments"]),
        users=len(reference["users"]),
        cases=written_cases,
        events=written_events,
        visits=written_visits,
        seconds=time.perf_counter() - started,
        today=today,
    )


def _load_reference(session: Session, reference: Mapping[str, Any]) -> None:
    """Load the reference file, hashing the shared demo password once instead of per user.

    An Argon2 hash costs a fifth of a second by design; hashing the same
    password for every demo user would make each seeding seconds slower for
    nothing. A user that already had a password here (an administrator made
    at first start, replaced by the demo account of the same name) keeps it.
    """
    users = [
        {key: value for key, value in user.items() if key != "password"}
        for user in reference["users"]
    ]
    load_reference(session, {**reference, "users": users})
    with_password = [user["id"] for user in reference["users"] if user.get("password")]
    if with_password:
        session.execute(
            update(User)
            .where(User.id.in_(with_password), User.password_hash.is_(None))
            .values(password_hash=hash_password(DEMO_PASSWORD))
        )


# ---------------------------------------------------------------------------- the generator
class _Generator(Draws):
    """Draws the cases, day by day in creation order, and lives their lives.

    What a case is about comes from :class:`~services.demo.subjects.Subjects`,
    its visitor from :func:`~services.demo.people.visit_row`, its life from
    :class:`~services.demo.histories.Histories`; all draw from the one ``rng``.
    """

    def __init__(self, world: World, rng: random.Random, now: datetime, today: date) -> None:
        super().__init__(rng, world.calendar, now)
        self.world = world
        self.today = today
        self.subjects = Subjects(world, rng, now)
        self.histories = Histories(world, rng, now)
        self.recent_from = now - timedelta(days=RECENT_DAYS)
        self.forced_left: dict[str, int] = dict.fromkeys(FORCED_OPEN_STATES, FORCED_PER_STATE)
        self.forced_turn = 0
        self.last_in_grid: dict[str, tuple[str, Content]] = {}
        self.grid_weights = list(accumulate(rng.uniform(0.5, 2.0) for _ in world.grids))
        self.reporters = self.subjects.texts.reporters

    # -- when cases are created --------------------------------------------------------
    def _day_segments(self, day: date) -> list[tuple[datetime, float, float]]:
        """(start, length in seconds, weight) of the times of ``day`` cases are created in.

        Working days: office hours busy, early morning, lunch and evening quiet
        (hotline and online cases); rest days: a trickle from 08:00 to 20:00.
        Cut at the end of the history.
        """
        midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        spans: list[tuple[int, int, float]] = []
        if self.calendar.is_workday(day):
            previous = 7 * 60
            for start_t, end_t in self.calendar.office_hours.periods:
                start = start_t.hour * 60 + start_t.minute
                end = end_t.hour * 60 + end_t.minute
                if start > previous:
                    spans.append((previous, start, 1.2))
                spans.append((start, end, 10.0))
                previous = end
            if previous < 21 * 60:
                spans.append((previous, 21 * 60, 1.2))
        else:
            spans.append((8 * 60, 20 * 60, 1.5))
        segments = []
        for start_min, end_min, density in spans:
            begin = (midnight + timedelta(minutes=start_min)).astimezone(UTC)
            finish = min((midnight + timedelta(minutes=end_min)).astimezone(UTC), self.now)
            if finish > begin:
                seconds = (finish - begin).total_seconds()
                segments.append((begin, seconds, density * seconds / 3600))
        return segments

    def _allocate(self, total: int) -> list[tuple[date, list[tuple[datetime, float, float]], int]]:
        """How many cases each day of the window gets (largest remainders, so they add up)."""
        days = []
        for offset in range(WINDOW_DAYS, -1, -1):
            day = self.today - timedelta(days=offset)
            segments = self._day_segments(day)
            weight = sum(s[2] for s in segments) * self.rng.uniform(0.85, 1.15)
            days.append((day, segments, weight))
        total_weight = sum(w for _, _, w in days)
        if total_weight <= 0 or total == 0:
            return []
        shares = [total * w / total_weight for _, _, w in days]
        counts = [int(s) for s in shares]
        order = sorted(range(len(days)), key=lambda i: (counts[i] - shares[i], i))
        for i in order[: total - sum(counts)]:
            counts[i] += 1
        return [(d, segs, n) for (d, segs, _), n in zip(days, counts, strict=True) if n]

    def _creation_times(
        self, segments: list[tuple[datetime, float, float]], count: int
    ) -> list[datetime]:
        cumulative = list(accumulate(s[2] for s in segments))
        rng = self.rng
        times = []
        for _ in range(count):
            start, seconds, _ = segments[
                min(bisect(cumulative, rng.random() * cumulative[-1]), len(segments) - 1)
            ]
            times.append(start + timedelta(seconds=int(rng.random() * seconds)))
        times.sort()
        return times

    def batches(self, total: int, size: int) -> Iterator[Batch]:
        """The cases in creation order, ``size`` at a time."""
        batch = Batch()
        for day, segments, count in self._allocate(total):
            serials: dict[str, int] = {}
            for created in self._creation_times(segments, count):
                self._case(created, day, serials, batch)
                if len(batch.cases) >= size:
                    yield batch
                    batch = Batch()
        if batch.cases:
            yield batch

    # -- one case -------------------------------------------------------------------
    def _next_forced(self) -> str | None:
        states = FORCED_OPEN_STATES
        for step in range(len(states)):
            state = states[(self.forced_turn + step) % len(states)]
            if self.forced_left[state] > 0:
                self.forced_turn = (self.forced_turn + step + 1) % len(states)
                return state
        return None

    def _fate(self, source: str, created: datetime) -> tuple[bool, str | None, str]:
        """(closed on the spot?, the open state it is made to end in, its fate)."""
        on_the_spot = source == Source.WALK_IN and self.rng.random() < ON_THE_SPOT_SHARE
        forced = None if on_the_spot or created < self.recent_from else self._next_forced()
        if forced in (CaseState.VOIDED, CaseState.ESCALATED):
            return on_the_spot, forced, forced
        if on_the_spot:
            return on_the_spot, forced, "on_the_spot"
        u = self.rng.random()
        if u < VOID_SHARE:
            return on_the_spot, forced, CaseState.VOIDED
        if u < VOID_SHARE + ESCALATE_SHARE:
            return on_the_spot, forced, CaseState.ESCALATED
        return on_the_spot, forced, "normal"

    def _case(self, created: datetime, day: date, serials: dict[str, int], batch: Batch) -> None:
        rng = self.rng
        world = self.world
        grid = world.grids[
            min(
                bisect(self.grid_weights, rng.random() * self.grid_weights[-1]),
                len(world.grids) - 1,
            )
        ]
        street = street_code(grid.id)
        source = self.pick(_SOURCES)
        on_the_spot, forced, fate = self._fate(source, created)
        case_id = self.new_id()
        duplicate_of = None
        content = None
        if fate == CaseState.VOIDED and rng.random() < 0.6:
            earlier = self.last_in_grid.get(grid.id)
            if earlier is not None:
                duplicate_of, content = earlier
        if content is None:
            content = self.subjects.content(grid, on_the_spot, day.month)
            self.last_in_grid[grid.id] = (case_id, content)
        urgent = fate != "on_the_spot" and rng.random() < URGENT_SHARE
        serial = serials.get(street, 0) + 1
        serials[street] = serial
        coordinator = world.coordinators.get(street) or next(
            iter(world.coordinators.values()), None
        )
        reception = world.receptions.get(street) or coordinator
        c = CaseDraft(
            case_id,
            self.now,
            self.new_id,
            category=content.category,
            urgent=urgent,
            coordinator=coordinator,
            reception=reception,
            forced=forced,
            duplicate_of=duplicate_of,
        )
        visit_id = None
        if source == Source.WALK_IN:
            visit_id = self.new_id()
            visit_at = created - timedelta(minutes=self.randint(3, 20), seconds=self.randint(0, 59))
            batch.visits.append(
                visit_row(
                    self,
                    world,
                    visit_id,
                    visit_at,
                    reception,
                    street,
                    case_id,
                    content,
                    on_the_spot,
                )
            )
        created_data = {
            "number": f"{street}-{day:%Y%m%d}-{serial:04d}",
            "title": content.title,
            "description": f"{self.reporters[source]}：{content.detail}",
            "category_code": content.category,
            "source": source,
            "urgency": Urgency.URGENT.value if urgent else Urgency.NORMAL.value,
            "org_unit_id": grid.id,
            "address": content.address,
            "lat": content.lat,
            "lon": content.lon,
            "visit_id": visit_id,
        }
        created_by = reception if source == Source.WALK_IN else coordinator
        self._live(c, fate, grid, created, created_by, created_data)
        batch.cases.append(self._row(c))
        batch.events.extend(c.events)

    def _live(
        self,
        c: CaseDraft,
        fate: str,
        grid: Grid,
        created: datetime,
        created_by: str | None,
        data: dict[str, Any],
    ) -> None:
        """Register the case and live its fate, up to the end of the history."""
        histories = self.histories
        try:
            c.add(EventType.CREATED, created, created_by, data)
            if fate == "on_the_spot":
                histories.on_the_spot(c)
            elif fate == CaseState.VOIDED:
                histories.void(c)
            elif fate == CaseState.ESCALATED:
                histories.escalate(c, grid)
            else:
                histories.normal(c, grid)
        except Stop:
            pass
        if c.forced is not None and c.state == c.forced:
            self.forced_left[c.forced] -= 1
        histories.supervise_overdue(c)

    @staticmethod
    def _row(c: CaseDraft) -> dict[str, Any]:
        """The ``cases`` row: the projection after the case's events."""
        assert c.proj is not None
        columns = case_columns(c.proj)
        columns["updated_at"] = c.proj.last_event_at
        return columns
