"""Names of the small reference tables, loaded once, for showing rows of the
large ones (cases, visits) without a join per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import AssigneeType
from models.tables import Category, Department, OrgUnit, User


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
