"""The life of a demo case after it is registered: dispatch, sign-for, feedback, verification.

Each step is an event recorded through the shared projection
(:class:`~services.demo.draws.CaseDraft`), at a time drawn in office minutes
(natural minutes for urgent cases) after the previous one; the shares below
say how often a case is returned, suspended, extended, late, reworked or
supervised. The words of each step come from ``resources/demo/texts.json``.
"""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from models.enums import AssigneeType, CaseState, EventType
from services.cases.records import iso
from services.demo.district import COUNTY_CODE
from services.demo.draws import CaseDraft, Draws, Stop, Weighted
from services.demo.texts import case_texts
from services.demo.world import Grid, World

GRID_WORKER_SHARE = 0.30
RETURN_SHARE = 0.05
ACK_ON_TIME_SHARE = 0.90
FEEDBACK_ON_TIME_SHARE = 0.80
FAILED_VERIFICATION_SHARE = 0.08
EVALUATED_SHARE = 0.70
EXTENDED_SHARE = 0.05
SUSPENDED_SHARE = 0.02
SUPERVISE_OVERDUE_SHARE = 0.50

SATISFACTION = Weighted.of(
    ("satisfied", 0.70), ("basically_satisfied", 0.22), ("dissatisfied", 0.08)
)
METHODS = Weighted.of(("phone", 0.6), ("sms", 0.2), ("visit", 0.12), ("on_site", 0.08))
RUNNING = frozenset({CaseState.DISPATCHED, CaseState.ACKNOWLEDGED, CaseState.HANDLED})


class Histories(Draws):
    """Lives the life of each case after its registration."""

    def __init__(self, world: World, rng: random.Random, now: datetime) -> None:
        super().__init__(rng, world.calendar, now)
        self.world = world
        self.texts = case_texts()

    # -- the fates of a registered case ---------------------------------------------
    def on_the_spot(self, c: CaseDraft) -> None:
        c.add(
            EventType.CLOSED,
            self.natural_after(c.last, 2, 12),
            c.reception,
            {"resolution": "on_the_spot", "note": self.rng.choice(self.texts.spot_notes)},
        )
        self.after_close(c, on_site=True)

    def void(self, c: CaseDraft) -> None:
        rng = self.rng
        data: dict[str, Any]
        if c.duplicate_of is not None:
            data = {"reason": self.texts.duplicate_reason, "duplicate_of": c.duplicate_of}
        else:
            data = {"reason": rng.choice(self.texts.void_reasons), "duplicate_of": None}
        at = c.add(EventType.VOIDED, self.office_after(c.last, 10, 240), c.coordinator, data)
        if rng.random() < 0.2:
            c.add(
                EventType.COMMENTED,
                self.office_after(at, 5, 120),
                c.coordinator,
                {"text": self.texts.comment_voided},
            )

    def escalate(self, c: CaseDraft, grid: Grid) -> None:
        rng = self.rng
        at = c.add(
            EventType.ESCALATED,
            self.office_after(c.last, 30, 480),
            c.coordinator,
            {"to_org_unit_id": COUNTY_CODE, "reason": rng.choice(self.texts.escalate_reasons)},
        )
        u = rng.random()
        # The county centre's coordinator answers what was escalated to it.
        county = self.world.county_coordinator
        if u < 0.5:
            department = self.world.limits[c.category].department_id
            self.dispatch(
                c,
                self.office_after(at, 60, 900),
                county,
                AssigneeType.DEPARTMENT,
                department,
                False,
            )
        elif u < 0.75:
            at = c.add(
                EventType.RETURNED,
                self.office_after(at, 60, 900),
                county,
                {"reason": self.texts.county_return_reason},
            )
            kind, target = self.assignee(c, grid, None)
            self.dispatch(c, self.office_after(at, 10, 240), c.coordinator, kind, target, False)

    def normal(self, c: CaseDraft, grid: Grid) -> None:
        rng = self.rng
        t = c.last
        if rng.random() < 0.04:
            t = c.add(
                EventType.COMMENTED,
                self.office_after(t, 5, 90),
                c.coordinator,
                {"text": rng.choice(self.texts.comments_open)},
            )
        kind, target = self.assignee(c, grid, None)
        self.dispatch(c, self.after(c, t, 5, 120), c.coordinator, kind, target, True, grid)

    # -- dispatch and who handles it ------------------------------------------------
    def assignee(
        self, c: CaseDraft, grid: Grid, previous: tuple[str, str] | None
    ) -> tuple[str, str]:
        """Where the coordinator sends the case: the category's department, or the grid's worker."""
        rng = self.rng
        department = self.world.limits[c.category].department_id
        if previous is None:
            if grid.workers and rng.random() < GRID_WORKER_SHARE:
                return AssigneeType.GRID_WORKER, rng.choice(grid.workers)
            return AssigneeType.DEPARTMENT, department
        # After a return: somebody else.
        if previous[0] == AssigneeType.DEPARTMENT and grid.workers and rng.random() < 0.5:
            return AssigneeType.GRID_WORKER, rng.choice(grid.workers)
        others = [d for d in self.world.departments if d != previous[1]]
        if previous[1] != department:
            return AssigneeType.DEPARTMENT, department
        return AssigneeType.DEPARTMENT, rng.choice(others)

    def handler(self, kind: str, target: str) -> str | None:
        if kind == AssigneeType.GRID_WORKER:
            return target
        users = self.world.department_users.get(target)
        return self.rng.choice(users) if users else None

    def deadlines(self, c: CaseDraft, at: datetime) -> tuple[datetime, datetime]:
        """As :func:`services.cases.records.compute_deadlines` computes them."""
        lim = self.world.limits[c.category]
        return self.calendar.deadlines_for(
            at,
            ack_hours=lim.ack_hours,
            handle_days=lim.handle_days,
            urgent=c.urgent,
            urgent_ack_hours=self.world.urgent_ack_hours,
            urgent_hours=lim.urgent_hours,
        )

    def dispatch(
        self,
        c: CaseDraft,
        at: datetime,
        actor: str | None,
        kind: str,
        target: str,
        may_return: bool,
        grid: Grid | None = None,
    ) -> None:
        at = c.when(at)
        ack_deadline, deadline = self.deadlines(c, at)
        c.add(
            EventType.DISPATCHED,
            at,
            actor,
            {
                "assignee_type": kind,
                "assignee_id": target,
                "ack_deadline": iso(ack_deadline),
                "deadline": iso(deadline),
                "note": self.rng.choice(self.texts.dispatch_notes),
            },
        )
        self.handle(c, kind, target, at, ack_deadline, deadline, may_return, grid)

    def handle(
        self,
        c: CaseDraft,
        kind: str,
        target: str,
        dispatched: datetime,
        ack_deadline: datetime,
        deadline: datetime,
        may_return: bool,
        grid: Grid | None,
    ) -> None:
        """The assignee's part: return it, or sign for it, maybe park it, and answer."""
        handler = self.handler(kind, target)
        if c.forced == CaseState.RETURNED or (may_return and self.rng.random() < RETURN_SHARE):
            at = c.add(
                EventType.RETURNED,
                self.after(c, dispatched, 10, 300),
                handler,
                {"reason": self.rng.choice(self.texts.return_reasons)},
            )
            if grid is not None:
                kind, target = self.assignee(c, grid, (kind, target))
                self.dispatch(c, self.office_after(at, 10, 240), c.coordinator, kind, target, False)
            return
        at = c.add(EventType.ACKNOWLEDGED, self._sign_for(c, dispatched, ack_deadline), handler, {})
        resumed = self._suspend(c, at, deadline)
        if resumed is None:
            return
        at, deadline = self._extend(c, *resumed)
        at = self.feedback(c, handler, at, deadline)
        self._verify(c, handler, at)

    def _sign_for(self, c: CaseDraft, dispatched: datetime, ack_deadline: datetime) -> datetime:
        """When the assignee signs for the case (签收): mostly within the sign-for limit."""
        if self.rng.random() < ACK_ON_TIME_SHARE:
            if c.urgent:
                window = max(1, int((ack_deadline - dispatched).total_seconds() // 60) * 9 // 10)
                return min(self.natural_after(dispatched, 1, window), ack_deadline)
            ack_hours = self.world.limits[c.category].ack_hours
            return min(
                self.office_after(dispatched, 1, max(1, ack_hours * 60 * 9 // 10)), ack_deadline
            )
        return self.after(c, ack_deadline, 10, 600)

    def _suspend(
        self, c: CaseDraft, at: datetime, deadline: datetime
    ) -> tuple[datetime, datetime] | None:
        """挂账: parked, half of them taken up again later with a new deadline.

        ``None`` when the case stays parked, else (time, deadline) after it.
        """
        rng = self.rng
        if not (c.forced == CaseState.SUSPENDED or rng.random() < SUSPENDED_SHARE):
            return at, deadline
        at = c.add(
            EventType.SUSPENDED,
            self.office_after(at, 60, 900),
            c.coordinator,
            {"reason": rng.choice(self.texts.suspend_reasons)},
        )
        if rng.random() < 0.5:
            return None
        at = c.add(EventType.RESUMED, self.office_after(at, 450 * 3, 450 * 15), c.coordinator, {})
        new_deadline = self.calendar.handling_deadline(
            at, self.world.limits[c.category].handle_days
        )
        if new_deadline > deadline:
            at = c.add(
                EventType.EXTENDED,
                self.office_after(at, 1, 30),
                c.coordinator,
                {"new_deadline": iso(new_deadline), "reason": self.texts.resume_extend_reason},
            )
            deadline = new_deadline
        return at, deadline

    def _extend(self, c: CaseDraft, at: datetime, deadline: datetime) -> tuple[datetime, datetime]:
        """延期: a few cases get a later deadline before theirs runs out."""
        if self.rng.random() >= EXTENDED_SHARE:
            return at, deadline
        new_deadline = self.later_deadline(c, deadline)
        at = c.add(
            EventType.EXTENDED,
            self.before(c, at, deadline),
            c.coordinator,
            {
                "new_deadline": iso(new_deadline),
                "reason": self.rng.choice(self.texts.extend_reasons),
            },
        )
        return at, new_deadline

    def _verify(self, c: CaseDraft, handler: str | None, at: datetime) -> None:
        """Verification, after a rework for some, and the close."""
        rng = self.rng
        if rng.random() < FAILED_VERIFICATION_SHARE:
            at = c.add(
                EventType.VERIFIED,
                self.after(c, at, 30, 900),
                c.coordinator,
                {"passed": False, "note": rng.choice(self.texts.fail_notes)},
            )
            at = c.add(
                EventType.FEEDBACK,
                self.after(c, at, 60, 1350),
                handler,
                {"result": self.result(c), "attachments": []},
            )
        c.add(
            EventType.VERIFIED,
            self.after(c, at, 30, 900),
            c.coordinator,
            {"passed": True, "note": rng.choice(self.texts.pass_notes)},
        )
        self.after_close(c, on_site=False)

    # -- times, answers and what follows the close ----------------------------------
    def before(self, c: CaseDraft, start: datetime, deadline: datetime) -> datetime:
        """A random moment between ``start`` and ``deadline`` (in office time for normal cases)."""
        if deadline <= start:
            return self.after(c, start, 1, 60)
        if c.urgent:
            return start + (deadline - start) * (0.05 + 0.9 * self.rng.random())
        window = self.calendar.office_minutes_between(start, deadline)
        if window < 2:
            return start + (deadline - start) * self.rng.random()
        return self.calendar.add_office_minutes(start, self.randint(1, max(1, window * 95 // 100)))

    def later_deadline(self, c: CaseDraft, deadline: datetime) -> datetime:
        if c.urgent:
            return deadline + timedelta(hours=self.randint(24, 72))
        return self.calendar.handling_deadline(deadline, self.randint(2, 5))

    def feedback(
        self, c: CaseDraft, handler: str | None, start: datetime, deadline: datetime
    ) -> datetime:
        rng = self.rng
        if rng.random() < FEEDBACK_ON_TIME_SHARE and deadline > start:
            at = min(self.before(c, start, deadline), deadline)
        else:
            late_from = max(start, deadline)
            at = self.after(c, late_from, 30, 450 * 8)
            if rng.random() < 0.4:
                urge = self.after(c, late_from, 10, 240)
                if urge < at:
                    c.add(
                        EventType.SUPERVISED,
                        urge,
                        self.world.official,
                        {"note": rng.choice(self.texts.supervise_notes)},
                    )
        return c.add(EventType.FEEDBACK, at, handler, {"result": self.result(c), "attachments": []})

    def result(self, c: CaseDraft) -> str:
        parent = self.world.limits[c.category].parent
        return self.rng.choice(self.texts.results.get(parent, self.texts.default_results))

    def after_close(self, c: CaseDraft, *, on_site: bool) -> None:
        rng = self.rng
        at = c.last
        if rng.random() < EVALUATED_SHARE:
            at = c.add(
                EventType.EVALUATED,
                self.office_after(at, 60, 1350),
                c.coordinator,
                {
                    "satisfaction": self.pick(SATISFACTION),
                    "method": "on_site" if on_site else self.pick(METHODS),
                    "note": "",
                },
            )
        if rng.random() < 0.03:
            c.add(
                EventType.COMMENTED,
                self.office_after(at, 30, 900),
                c.coordinator,
                {"text": rng.choice(self.texts.comments_closed)},
            )

    def supervise_overdue(self, c: CaseDraft) -> None:
        """Half of the cases still open past their deadline get an official's 督办."""
        p = c.proj
        if p is None or p.state not in RUNNING or p.deadline is None or p.deadline >= self.now:
            return
        if self.rng.random() >= SUPERVISE_OVERDUE_SHARE:
            return
        start = max(c.last, p.deadline)
        at = self.office_after(start, 10, 900)
        if at > self.now:
            at = start + (self.now - start) * self.rng.random()
        c.stop_at = None
        with suppress(Stop):
            c.add(
                EventType.SUPERVISED,
                at,
                self.world.official,
                {"note": self.rng.choice(self.texts.supervise_notes)},
            )
