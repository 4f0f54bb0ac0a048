"""Names of the small reference tables, loaded once, for showing rows of the
large ones (cases, visits) without a join per row; the queue's filter choices,
scoped to the actor; and the one event look-up the verify dialog needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, EventType, OrgLevel, Role
from models.tables import CaseEvent, Category, Department, OrgUnit, User
from services.cases import records as cases_service
from services.cases.permissions import Actor, Permission, has, require_can_see


@dataclass
class Names:
    categories: dict[str, str] = field(default_factory=dict)
    category_parent: dict[str, str | None] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    org_units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Names:
        names = cls()
        for code, name, parent in session.execute(
            select(Category.code, Category.name, Category.parent_code)
        ):
            names.categories[code] = name
            names.category_parent[code] = parent
        names.departments = {
            k: v for k, v in session.execute(select(Department.id, Department.name))
        }
        names.users = {k: v for k, v in session.execute(select(User.id, User.display_name))}
        names.org_units = {k: v for k, v in session.execute(select(OrgUnit.id, OrgUnit.name))}
        return names

    def category(self, code: str | None) -> str:
        if not code:
            return ""
        return self.categories.get(code, code)

    def category_path(self, code: str | None) -> str:
        """ "大类 / 小类" for a 小类, the name alone for a top-level class."""
        if not code:
            return ""
        parts = [self.category(code)]
        parent = self.category_parent.get(code)
        while parent:
            parts.insert(0, self.category(parent))
            parent = self.category_parent.get(parent)
        return " / ".join(parts)

    def org_unit(self, unit_id: str | None) -> str:
        if not unit_id:
            return ""
        return self.org_units.get(unit_id, unit_id)

    def assignee(self, assignee_type: str | None, assignee_id: str | None) -> str:
        if not assignee_id:
            return ""
        if assignee_type == AssigneeType.DEPARTMENT:
            return self.departments.get(assignee_id, assignee_id)
        if assignee_type == AssigneeType.GRID_WORKER:
            return self.users.get(assignee_id, assignee_id)
        if assignee_type == AssigneeType.ORG_UNIT:
            return self.org_units.get(assignee_id, assignee_id)
        return assignee_id

    def user(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        return self.users.get(user_id, user_id)


# ---------------------------------------------------------------- the queue's filters
@dataclass(frozen=True)
class Choice:
    """One entry of a filter's list: the value filtered on and the name shown.
    ``parent`` is a category's parent code, ``level`` an org unit's level."""

    value: str
    name: str
    parent: str | None = None
    level: str = ""


@dataclass
class FilterChoices:
    categories: list[Choice] = field(default_factory=list)
    departments: list[Choice] = field(default_factory=list)
    grid_workers: list[Choice] = field(default_factory=list)
    areas: list[Choice] = field(default_factory=list)


def filter_choices(session: Session, actor: Actor) -> FilterChoices:
    """What the queue's filters offer ``actor``: every category, and only the
    assignees and areas whose cases the actor can see (the rule of
    ``queue_clauses.scope_clause``): a department its own department and no grid
    workers, a grid worker itself, a unit's staff the workers and areas of
    their unit."""
    if not has(actor, Permission.VIEW_CASES):
        return FilterChoices()
    own = actor.org_unit_id or ""
    categories = session.scalars(select(Category).order_by(Category.sort_order, Category.code))
    departments = select(Department).order_by(Department.name)
    workers = select(User).where(User.role == Role.GRID_WORKER).order_by(User.username)
    units = select(OrgUnit).where(OrgUnit.level != OrgLevel.COUNTY).order_by(OrgUnit.id)
    if actor.role == Role.DEPARTMENT:
        departments = departments.where(Department.id == (actor.department_id or ""))
        workers = workers.where(false())
    elif actor.role == Role.GRID_WORKER:
        departments = departments.where(false())
        workers = workers.where(User.id == actor.id)
        if own:
            units = units.where(OrgUnit.id.startswith(own))
    elif own:
        workers = workers.where(User.org_unit_id.startswith(own))
        units = units.where(OrgUnit.id.startswith(own))
    return FilterChoices(
        categories=[Choice(c.code, c.name, parent=c.parent_code) for c in categories],
        departments=[Choice(d.id, d.name) for d in session.scalars(departments)],
        grid_workers=[Choice(u.id, u.display_name) for u in session.scalars(workers)],
        areas=[Choice(u.id, u.name, level=u.level) for u in session.scalars(units)],
    )


# ---------------------------------------------------------------- events
def last_feedback_result(session: Session, actor: Actor, case_id: str) -> str:
    """What the handler's latest feedback says was done (empty: no feedback yet)."""
    case = cases_service.get_case(session, case_id)
    require_can_see(actor, case)
    data = session.scalar(
        select(CaseEvent.data)
        .where(
            CaseEvent.case_id == case_id,
            CaseEvent.type == EventType.FEEDBACK,
            CaseEvent.rejected_code.is_(None),
        )
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    )
    return str((data or {}).get("result") or "")
