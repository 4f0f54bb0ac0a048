"""Who may do what: role permissions and org-unit scope.

Every service that changes or reveals something calls :func:`require` (and,
for cases, :func:`require_case_action`) itself; the screens only hide what the
user cannot do. The county server enforces the same rules on every push.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from models.enums import AssigneeType, CaseState, EventType, Role
from services.errors import PermissionDenied
from services.i18n import QT_TRANSLATE_NOOP


class Permission(StrEnum):
    VIEW_CASES = "view_cases"
    REGISTER_VISIT = "register_visit"
    ENQUIRE_PROGRESS = "enquire_progress"
    CREATE_CASE = "create_case"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    RETURN = "return"
    FEEDBACK = "feedback"
    VERIFY = "verify"
    CLOSE = "close"
    CLOSE_ON_THE_SPOT = "close_on_the_spot"
    EVALUATE = "evaluate"
    ESCALATE = "escalate"
    SUPERVISE = "supervise"
    EXTEND = "extend"
    SUSPEND = "suspend"
    VOID = "void"
    COMMENT = "comment"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    PURGE_PERSONAL_DATA = "purge_personal_data"
    VIEW_REPORTS = "view_reports"
    EXPORT_BULLETIN = "export_bulletin"
    VIEW_MAP = "view_map"
    SYNC = "sync"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"


P = Permission

_HANDLER = frozenset(
    {P.VIEW_CASES, P.ACKNOWLEDGE, P.RETURN, P.FEEDBACK, P.COMMENT, P.VIEW_MAP, P.SYNC}
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.RECEPTION: frozenset(
        {
            P.VIEW_CASES,
            P.REGISTER_VISIT,
            P.ENQUIRE_PROGRESS,
            P.CREATE_CASE,
            P.CLOSE_ON_THE_SPOT,
            P.COMMENT,
            P.REVEAL_PERSONAL_DATA,
            P.VIEW_MAP,
            P.SYNC,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            P.VIEW_CASES,
            P.REGISTER_VISIT,
            P.ENQUIRE_PROGRESS,
            P.CREATE_CASE,
            P.CLOSE_ON_THE_SPOT,
            P.DISPATCH,
            P.VERIFY,
            P.CLOSE,
            P.EVALUATE,
            P.ESCALATE,
            P.SUPERVISE,
            P.EXTEND,
            P.SUSPEND,
            P.VOID,
            P.COMMENT,
            P.REVEAL_PERSONAL_DATA,
            P.VIEW_REPORTS,
            P.EXPORT_BULLETIN,
            P.VIEW_MAP,
            P.SYNC,
        }
    ),
    Role.DEPARTMENT: _HANDLER,
    Role.GRID_WORKER: _HANDLER,
    Role.OFFICIAL: frozenset(
        {
            P.VIEW_CASES,
            P.SUPERVISE,
            P.COMMENT,
            P.VIEW_REPORTS,
            P.EXPORT_BULLETIN,
            P.VIEW_MAP,
            P.SYNC,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.VIEW_CASES,
            P.VIEW_REPORTS,
            P.VIEW_MAP,
            P.SYNC,
            P.MANAGE_USERS,
            P.MANAGE_SETTINGS,
            P.PURGE_PERSONAL_DATA,
            P.REVEAL_PERSONAL_DATA,
        }
    ),
}

ROLE_LABELS: dict[str, str] = {
    Role.RECEPTION: QT_TRANSLATE_NOOP("services", "reception staff"),
    Role.COORDINATOR: QT_TRANSLATE_NOOP("services", "coordinator"),
    Role.DEPARTMENT: QT_TRANSLATE_NOOP("services", "department"),
    Role.GRID_WORKER: QT_TRANSLATE_NOOP("services", "grid worker"),
    Role.OFFICIAL: QT_TRANSLATE_NOOP("services", "official"),
    Role.ADMIN: QT_TRANSLATE_NOOP("services", "administrator"),
}

PERMISSION_LABELS: dict[str, str] = {
    P.VIEW_CASES: QT_TRANSLATE_NOOP("services", "view cases"),
    P.REGISTER_VISIT: QT_TRANSLATE_NOOP("services", "register visits"),
    P.ENQUIRE_PROGRESS: QT_TRANSLATE_NOOP("services", "look up a case's progress for a visitor"),
    P.CREATE_CASE: QT_TRANSLATE_NOOP("services", "open cases"),
    P.DISPATCH: QT_TRANSLATE_NOOP("services", "dispatch cases"),
    P.ACKNOWLEDGE: QT_TRANSLATE_NOOP("services", "sign for cases"),
    P.RETURN: QT_TRANSLATE_NOOP("services", "return cases"),
    P.FEEDBACK: QT_TRANSLATE_NOOP("services", "report results"),
    P.VERIFY: QT_TRANSLATE_NOOP("services", "verify results"),
    P.CLOSE: QT_TRANSLATE_NOOP("services", "close cases"),
    P.CLOSE_ON_THE_SPOT: QT_TRANSLATE_NOOP("services", "close cases on the spot"),
    P.EVALUATE: QT_TRANSLATE_NOOP("services", "record evaluations"),
    P.ESCALATE: QT_TRANSLATE_NOOP("services", "escalate cases"),
    P.SUPERVISE: QT_TRANSLATE_NOOP("services", "supervise cases"),
    P.EXTEND: QT_TRANSLATE_NOOP("services", "extend deadlines"),
    P.SUSPEND: QT_TRANSLATE_NOOP("services", "suspend and resume cases"),
    P.VOID: QT_TRANSLATE_NOOP("services", "void cases"),
    P.COMMENT: QT_TRANSLATE_NOOP("services", "comment on cases"),
    P.REVEAL_PERSONAL_DATA: QT_TRANSLATE_NOOP("services", "reveal personal data"),
    P.PURGE_PERSONAL_DATA: QT_TRANSLATE_NOOP("services", "purge personal data"),
    P.VIEW_REPORTS: QT_TRANSLATE_NOOP("services", "view reports"),
    P.EXPORT_BULLETIN: QT_TRANSLATE_NOOP("services", "export the bulletin"),
    P.VIEW_MAP: QT_TRANSLATE_NOOP("services", "view the map"),
    P.SYNC: QT_TRANSLATE_NOOP("services", "synchronise with the county"),
    P.MANAGE_USERS: QT_TRANSLATE_NOOP("services", "manage users"),
    P.MANAGE_SETTINGS: QT_TRANSLATE_NOOP("services", "change settings"),
}

# The permission each case event needs (``closed`` depends on how: see require_case_action).
EVENT_PERMISSION: dict[str, Permission] = {
    EventType.CREATED: P.CREATE_CASE,
    EventType.DISPATCHED: P.DISPATCH,
    EventType.ACKNOWLEDGED: P.ACKNOWLEDGE,
    EventType.RETURNED: P.RETURN,
    EventType.FEEDBACK: P.FEEDBACK,
    EventType.VERIFIED: P.VERIFY,
    EventType.CLOSED: P.CLOSE,
    EventType.EVALUATED: P.EVALUATE,
    EventType.ESCALATED: P.ESCALATE,
    EventType.SUPERVISED: P.SUPERVISE,
    EventType.EXTENDED: P.EXTEND,
    EventType.SUSPENDED: P.SUSPEND,
    EventType.RESUMED: P.SUSPEND,
    EventType.VOIDED: P.VOID,
    EventType.COMMENTED: P.COMMENT,
}

# Events only the current assignee may record.
ASSIGNEE_EVENTS = frozenset({EventType.ACKNOWLEDGED, EventType.FEEDBACK})


@dataclass(frozen=True)
class Actor:
    """The person acting, as the services need to know them."""

    id: str
    role: str
    org_unit_id: str | None
    department_id: str | None = None
    grid_ids: tuple[str, ...] = field(default_factory=tuple)
    username: str = ""
    display_name: str = ""

    @classmethod
    def from_user(cls, user: Any) -> Actor:
        return cls(
            id=user.id,
            role=user.role,
            org_unit_id=user.org_unit_id,
            department_id=user.department_id,
            grid_ids=tuple(user.grid_ids or ()),
            username=user.username,
            display_name=user.display_name,
        )

    @property
    def is_handler(self) -> bool:
        return self.role in (Role.DEPARTMENT, Role.GRID_WORKER)


SYSTEM_ACTOR = Actor(id="system", role=Role.ADMIN, org_unit_id="", username="system")


def has(actor: Actor, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(actor.role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    if not has(actor, permission):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP("services", "Your role ({role_label}) may not {action_label}."),
            role_label=ROLE_LABELS.get(actor.role, actor.role),
            action_label=PERMISSION_LABELS[permission],
        )


def in_scope(actor: Actor, org_unit_id: str | None) -> bool:
    """True if ``org_unit_id`` lies in the subtree of the actor's org unit.

    Unit codes are hierarchical (6/9/12/15 digits), so the subtree is a prefix.
    An actor with an empty org unit (the system itself) sees everything.
    """
    if actor.org_unit_id == "":
        return True
    if actor.org_unit_id is None or org_unit_id is None:
        return False
    return org_unit_id.startswith(actor.org_unit_id)


def is_assignee(actor: Actor, assignee_type: str | None, assignee_id: str | None) -> bool:
    if assignee_type == AssigneeType.DEPARTMENT:
        return actor.department_id is not None and actor.department_id == assignee_id
    if assignee_type == AssigneeType.GRID_WORKER:
        return actor.id == assignee_id
    if assignee_type == AssigneeType.ORG_UNIT:
        return actor.org_unit_id is not None and actor.org_unit_id == assignee_id
    return False


def can_see_case(actor: Actor, case: Any) -> bool:
    if not has(actor, P.VIEW_CASES):
        return False
    if actor.is_handler:
        return is_assignee(actor, case.assignee_type, case.assignee_id)
    if in_scope(actor, case.org_unit_id):
        return True
    # A higher unit sees what was escalated or dispatched to it.
    return bool(case.escalated_to and in_scope(actor, case.escalated_to)) or (
        case.assignee_type == AssigneeType.ORG_UNIT and in_scope(actor, case.assignee_id)
    )


def require_can_see(actor: Actor, case: Any) -> None:
    """Raise :class:`PermissionDenied` unless ``case`` lies in ``actor``'s view."""
    if not can_see_case(actor, case):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP(
                "services", "Case {number} lies outside your area of responsibility."
            ),
            number=case.number,
        )


def require_case_action(
    actor: Actor, case: Any, event_type: str, data: dict[str, Any] | None = None
) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may record ``event_type`` on ``case``.

    ``case`` is the current projection (a Case row or CaseProjection), or None for ``created``.
    """
    data = data or {}
    if event_type == EventType.CLOSED and data.get("resolution") == "on_the_spot":
        require(actor, P.CLOSE_ON_THE_SPOT)
    else:
        require(actor, EVENT_PERMISSION[event_type])
    if case is None:
        return
    if event_type in ASSIGNEE_EVENTS or (
        actor.is_handler and event_type in (EventType.RETURNED, EventType.COMMENTED)
    ):
        if not is_assignee(actor, case.assignee_type, case.assignee_id):
            raise PermissionDenied(
                QT_TRANSLATE_NOOP(
                    "services", "Case {number} is not assigned to you, so you cannot act on it."
                ),
                number=case.number,
            )
        return
    if case.state == CaseState.ESCALATED and event_type in (
        EventType.DISPATCHED,
        EventType.RETURNED,
    ):
        # "dispatched (by the county)": only the unit it was escalated to answers it.
        if not (case.escalated_to and in_scope(actor, case.escalated_to)):
            raise PermissionDenied(
                QT_TRANSLATE_NOOP(
                    "services",
                    "Case {number} was escalated to the county; only the county centre can act on it now.",
                ),
                number=case.number,
            )
        return
    require_can_see(actor, case)


def roles_with(permission: Permission) -> Iterable[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
