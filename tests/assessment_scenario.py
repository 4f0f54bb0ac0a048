"""A hand-built district with known assessment answers (see tests/test_assessment.py).

Period under test: 2026-11-H1 = [2026-11-01 00:00, 2026-11-16 00:00) Asia/Shanghai.
November 2026 has no public holiday; office hours are the default (450 min/day).
Every case lies in 长河街道 朝阳社区 第1网格 and has category 06 (8 working
hours to sign for, 3 working days to handle). The comments on each case give
what it must contribute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import Case
from services.cases import records as cases
from services.cases.permissions import Actor
from services.demo.district import demo_user_id
from services.worktime.workdays import WorkCalendar
from tests.builders import GRID, actor, load_demo_reference, local

S = local(2026, 11, 1, 0, 0)
E = local(2026, 11, 16, 0, 0)
CAL = WorkCalendar()
GW1 = demo_user_id("gw_1")


class Story:
    """Records the events of one case at given local times, with the right actors."""

    def __init__(self, session: Session, at: datetime, *, on_the_spot: bool = False) -> None:
        self.s = session
        self.coordinator = actor(session, "coordinator")
        who = actor(session, "reception") if on_the_spot else self.coordinator
        case = cases.create_case(
            session,
            who,
            title="测试案件",
            description="",
            category_code="06",
            org_unit_id=GRID,
            at=at,
        )
        self.id = case.id
        self.handler: Actor | None = None

    def dispatch(self, at: datetime, to: str) -> Story:
        kind = "grid_worker" if to == GW1 else "department"
        cases.dispatch(self.s, self.coordinator, CAL, self.id, kind, to, at=at)
        self.handler = actor(self.s, "gw_1") if to == GW1 else actor(self.s, to)
        return self

    def by_handler(self, type_: str, at: datetime, data: dict[str, Any] | None = None) -> Story:
        assert self.handler is not None
        cases.record(self.s, self.handler, self.id, type_, data or {}, at=at)
        return self

    def ack(self, at: datetime) -> Story:
        return self.by_handler("acknowledged", at)

    def feedback(self, at: datetime) -> Story:
        return self.by_handler("feedback", at, {"result": "已处理"})

    def returned(self, at: datetime) -> Story:
        return self.by_handler("returned", at, {"reason": "不属于本单位职责"})

    def coord(self, type_: str, at: datetime, data: dict[str, Any] | None = None) -> Story:
        cases.record(self.s, self.coordinator, self.id, type_, data or {}, at=at)
        return self

    def verify(self, at: datetime, passed: bool) -> Story:
        return self.coord("verified", at, {"passed": passed})

    def evaluate(self, at: datetime, satisfaction: str) -> Story:
        return self.coord("evaluated", at, {"satisfaction": satisfaction, "method": "phone"})


def build_district(db: Database) -> Database:
    load_demo_reference(db)
    with db.session() as s:
        # A: signed for in time, feedback Nov 4 10:00 verified → on time; satisfied.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(local(2026, 11, 2, 10, 0), "dept_huanwei").ack(
            local(2026, 11, 2, 11, 0)
        ).feedback(local(2026, 11, 4, 10, 0)).verify(local(2026, 11, 4, 15, 0), True).evaluate(
            local(2026, 11, 5, 10, 0), "satisfied"
        )
        # B: signed for late (deadline Nov 3 10:30), rework, accepted feedback after the
        # deadline (Nov 5 17:30) → closed late, 1 rework; dissatisfied.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(local(2026, 11, 2, 10, 0), "dept_huanwei").ack(
            local(2026, 11, 3, 11, 0)
        ).feedback(local(2026, 11, 4, 10, 0)).verify(local(2026, 11, 4, 16, 0), False).feedback(
            local(2026, 11, 6, 10, 0)
        ).verify(local(2026, 11, 6, 11, 0), True).evaluate(
            local(2026, 11, 9, 10, 0), "dissatisfied"
        )
        # C: extended to Nov 10 17:30, feedback Nov 9 → on time.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(
            local(2026, 11, 2, 10, 0), "dept_chengguan"
        ).ack(local(2026, 11, 2, 10, 30)).coord(
            "extended",
            local(2026, 11, 5, 9, 0),
            {"new_deadline": local(2026, 11, 10, 17, 30).isoformat(), "reason": "需协调"},
        ).feedback(local(2026, 11, 9, 10, 0)).verify(local(2026, 11, 9, 11, 0), True)
        # D: due Nov 12 17:30, still open at E → overdue 1.0 working day (Fri Nov 13).
        # Closed after E: must not change the first half's figures.
        Story(s, local(2026, 11, 9, 9, 0)).dispatch(
            local(2026, 11, 9, 10, 0), "dept_chengguan"
        ).ack(local(2026, 11, 9, 11, 0)).coord("supervised", local(2026, 11, 13, 9, 0)).feedback(
            local(2026, 11, 17, 10, 0)
        ).verify(local(2026, 11, 17, 11, 0), True)
        # E: suspended at E → not due (never signed for: one late dispatch).
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(
            local(2026, 11, 2, 10, 0), "dept_chengguan"
        ).coord("suspended", local(2026, 11, 3, 9, 0), {"reason": "需申请资金"})
        # E2: suspended and resumed → due again, open past its deadline → overdue.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(
            local(2026, 11, 2, 10, 0), "dept_chengguan"
        ).ack(local(2026, 11, 2, 11, 0)).coord(
            "suspended", local(2026, 11, 3, 9, 0), {"reason": "待协调"}
        ).coord("resumed", local(2026, 11, 4, 9, 0))
        # F: closed on the spot (10 minutes) → due, closed, on time, no assignee.
        Story(s, local(2026, 11, 3, 9, 0), on_the_spot=True)
        # G: returned by 供电 (a return, a dispatch not signed for), re-dispatched to 环卫,
        # signed for in time, open past its deadline → overdue for 环卫.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(
            local(2026, 11, 2, 10, 0), "dept_gongdian"
        ).returned(local(2026, 11, 2, 14, 0)).dispatch(
            local(2026, 11, 2, 15, 0), "dept_huanwei"
        ).ack(local(2026, 11, 3, 9, 0))
        # H: voided → dispatched once, never due.
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(
            local(2026, 11, 2, 10, 0), "dept_huanwei"
        ).coord("voided", local(2026, 11, 3, 9, 0), {"reason": "重复上报"})
        # I: registered exactly at E → belongs to the second half.
        Story(s, E)
        # J: registered exactly at S → belongs to the first half.
        Story(s, S)
        # K: dispatched in October, feedback Nov 3 (before the Nov 4 17:30 deadline),
        # verified exactly at E → open (awaiting verification) and overdue in H1,
        # closed on time in H2.
        Story(s, local(2026, 10, 30, 9, 0)).dispatch(
            local(2026, 10, 30, 10, 0), "dept_huanwei"
        ).ack(local(2026, 10, 30, 11, 0)).feedback(local(2026, 11, 3, 10, 0)).verify(E, True)
        # L: closed on the spot in October, evaluated exactly at S → counts in H1.
        Story(s, local(2026, 10, 28, 9, 0), on_the_spot=True)
        # M: registered in H1, dispatched exactly at E → its dispatch is H2's.
        Story(s, local(2026, 11, 15, 23, 0)).dispatch(E, "dept_huanwei")
        # N: grid worker, on time, 1.0 working day from dispatch to feedback.
        Story(s, local(2026, 11, 10, 9, 0)).dispatch(local(2026, 11, 10, 10, 0), GW1).ack(
            local(2026, 11, 10, 10, 5)
        ).feedback(local(2026, 11, 11, 10, 0)).verify(local(2026, 11, 11, 11, 0), True)
    # the on-the-spot closures (F, L) and L's evaluation
    with db.session() as s:
        reception = actor(s, "reception")
        coordinator = actor(s, "coordinator")
        spot = [
            c.id
            for c in s.scalars(select(Case).where(Case.state == "registered"))
            if c.created_at in (local(2026, 11, 3, 9, 0), local(2026, 10, 28, 9, 0))
        ]
        for case_id in spot:
            created = s.get(Case, case_id).created_at
            cases.record(
                s,
                reception,
                case_id,
                "closed",
                {"resolution": "on_the_spot"},
                at=created.replace(minute=10),
            )
            if created == local(2026, 10, 28, 9, 0):
                cases.record(
                    s,
                    coordinator,
                    case_id,
                    "evaluated",
                    {"satisfaction": "basically_satisfied", "method": "phone"},
                    at=S,
                )
    return db
