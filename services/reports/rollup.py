"""Rolling the aggregated groups of the SQL up into the rows of each sheet.

The SQL (:mod:`services.reports.queries`) answers a few hundred groups —
assignee × street × community × category for the case figures, assignee ×
street × community for dispatches and evaluations. :func:`roll_up` adds each
group, in one loop, to the totals, to its assignee's row (a department or a
grid worker) and to its street's and community's rows, then gives every active
department, grid worker, street and community in the scope a row even when it
had nothing to do in the period. :func:`category_rows` builds the category
sheet. What each figure means: docs/figures.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, OrgLevel, Role
from models.tables import Department, OrgUnit, User
from services.cases.lookups import Names
from services.reports.results import CategoryRow, Figures


@dataclass(frozen=True)
class Part:
    """One aggregated group: what it adds to its assignee's row and to the other rows.

    ``org`` differs from ``handler`` only in the durations: an assignee's
    平均处置时长 runs from its dispatch, an org unit's from the case's creation.
    """

    handler: Figures
    org: Figures
    a_type: str | None
    a_id: str | None
    street_id: str | None
    community_id: str | None
    category_code: str | None = None
    overdue: int = 0


def _part(row: Mapping[str, Any], a_type: str, a_id: str, figures: Figures) -> Part:
    return Part(figures, figures, row[a_type], row[a_id], row["street_id"], row["community_id"])


def parts(raw: Mapping[str, list[Any]]) -> Iterator[Part]:
    """Every group of the SQL's answer (:func:`~services.reports.queries.run_queries`) as a Part."""
    for g in raw["groups"]:
        counts = Figures(
            "",
            "",
            "",
            created=int(g["created"]),
            due=int(g["due"]),
            closed=int(g["closed"]),
            on_time=int(g["on_time"]),
            rework=int(g["rework"]),
        )
        handler = replace(
            counts,
            duration_minutes=float(g["handle_minutes"] or 0),
            duration_count=int(g["handle_n"] or 0),
        )
        org = replace(
            counts,
            duration_minutes=float(g["life_minutes"] or 0),
            duration_count=int(g["life_n"] or 0),
        )
        yield Part(
            handler,
            org,
            g["a_type"],
            g["a_id"],
            g["street_id"],
            g["community_id"],
            g["category_code"],
            int(g["overdue"]),
        )
    for r in raw["dispatch"]:
        yield _part(
            r,
            "a_type",
            "a_id",
            Figures(
                "",
                "",
                "",
                dispatched=int(r["dispatched"]),
                ack_on_time=int(r["ack_on_time"]),
                returned=int(r["returned"]),
            ),
        )
    for r in raw["evaluation"]:
        yield _part(
            r,
            "assignee_type",
            "assignee_id",
            Figures("", "", "", evaluations=int(r["evaluations"]), satisfied=int(r["satisfied"])),
        )


@dataclass
class RollUp:
    """The rows being filled: the totals, one per assignee, one per street or community."""

    unit: OrgUnit
    names: Names
    minutes_per_day: int
    totals: Figures = field(init=False)
    assignees: dict[tuple[str, str], Figures] = field(default_factory=dict)
    units: dict[str, Figures] = field(default_factory=dict)
    category_counts: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )

    def __post_init__(self) -> None:
        self.totals = self.row(self.unit.id, self.unit.name, "total")

    def row(self, key: str, name: str, kind: str, parent: str | None = None) -> Figures:
        return Figures(key, name, kind, minutes_per_day=self.minutes_per_day, parent_key=parent)

    def assignee(self, a_type: str | None, a_id: str | None) -> Figures | None:
        """The row of a department or grid worker (None for no assignee)."""
        if a_type not in (AssigneeType.DEPARTMENT, AssigneeType.GRID_WORKER) or not a_id:
            return None
        found = self.assignees.get((a_type, a_id))
        if found is None:
            found = self.row(a_id, self.names.assignee(a_type, a_id), a_type)
            self.assignees[(a_type, a_id)] = found
        return found

    def org_unit(self, key: str, kind: str, name: str | None = None) -> Figures:
        """The row of a street or community (a community's parent is its street)."""
        found = self.units.get(key)
        if found is None:
            parent = key[:9] if kind == OrgLevel.COMMUNITY else None
            found = self.row(key, name or self.names.org_unit(key), kind, parent)
            self.units[key] = found
        return found

    def add(self, part: Part) -> None:
        self.totals.add(part.org)
        target = self.assignee(part.a_type, part.a_id)
        if target is not None:
            target.add(part.handler)
        streets = ((part.street_id, OrgLevel.STREET), (part.community_id, OrgLevel.COMMUNITY))
        for key, kind in streets:
            if key:
                self.org_unit(key, kind).add(part.org)
        if part.category_code is not None:
            counts = self.category_counts[part.category_code]
            counts[0] += part.org.created
            counts[1] += part.org.closed
            counts[2] += part.overdue

    def include_idle(self, session: Session) -> None:
        """A row for every active department, grid worker, street and community in scope."""
        unit = self.unit
        for dept_id, dept_name in session.execute(
            select(Department.id, Department.name).where(Department.active.is_(True))
        ):
            key = (AssigneeType.DEPARTMENT, dept_id)
            self.assignees.setdefault(key, self.row(dept_id, dept_name, AssigneeType.DEPARTMENT))
        for user_id, user_name, user_unit in session.execute(
            select(User.id, User.display_name, User.org_unit_id).where(
                User.active.is_(True), User.role == Role.GRID_WORKER
            )
        ):
            if user_unit and (user_unit.startswith(unit.id) or unit.id.startswith(user_unit)):
                key = (AssigneeType.GRID_WORKER, user_id)
                self.assignees.setdefault(
                    key, self.row(user_id, user_name, AssigneeType.GRID_WORKER)
                )
        for ou in session.scalars(
            select(OrgUnit).where(
                OrgUnit.level.in_((OrgLevel.STREET, OrgLevel.COMMUNITY)),
                OrgUnit.active.is_(True),
                OrgUnit.id >= unit.id,
                OrgUnit.id < unit.id + ":",
            )
        ):
            self.org_unit(ou.id, ou.level, ou.name)

    def of_kind(self, kind: str) -> list[Figures]:
        """The assignee or org-unit rows of one kind, unranked."""
        if kind in (AssigneeType.DEPARTMENT, AssigneeType.GRID_WORKER):
            return [f for (t, _), f in self.assignees.items() if t == kind]
        return [f for f in self.units.values() if f.kind == kind]


def roll_up(
    session: Session, raw: Mapping[str, list[Any]], unit: OrgUnit, names: Names, minutes: int
) -> RollUp:
    """The rows of every sheet from the SQL's answer; ``minutes`` per working day."""
    rollup = RollUp(unit, names, minutes)
    for part in parts(raw):
        rollup.add(part)
    rollup.include_idle(session)
    return rollup


def _levels(code: str, names: Names) -> list[str]:
    chain = [code]
    parent = names.category_parent.get(code)
    while parent:
        chain.insert(0, parent)
        parent = names.category_parent.get(parent)
    return chain


def category_rows(counts: dict[str, list[int]], names: Names) -> list[CategoryRow]:
    """大类 subtotal rows, each followed by its 小类 rows (a 细项 counts in its 小类)."""
    parents: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    children: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for code, (created, closed, overdue) in counts.items():
        if not (created or closed or overdue):
            continue
        chain = _levels(code, names)
        top = chain[0]
        sub = chain[1] if len(chain) > 1 else ""
        for bucket in (parents[top], children[(top, sub)]):
            bucket[0] += created
            bucket[1] += closed
            bucket[2] += overdue
    rows: list[CategoryRow] = []
    for top in sorted(parents):
        top_name = names.category(top)
        rows.append(CategoryRow(top, top_name, None, top_name, *parents[top]))
        for (parent, sub), values in sorted(children.items()):
            if parent != top:
                continue
            sub_name = names.category(sub) if sub else ""  # recorded at the 大类 itself
            rows.append(CategoryRow(top, top_name, sub or "", sub_name, *values))
    return rows
