"""``POST /api/v1/reveal`` (docs/protocol.md): one clear value of a visitor's
personal data, to a role allowed to see it, with an audit entry on the server.

Who may reveal what (the feed sends less, see ``feed.Viewer.visitor``):

* the phone — reception and coordinators of the visit's area, the
  administrator (all with ``reveal_personal_data``), and a department or grid
  worker for a visit of a case that was ever dispatched to them (to call the
  visitor back);
* the resident ID number — only reception and coordinators of the visit's street.

A visit the user may not see at all answers 404, as an unknown one does, so
that existence does not leak; a visit they may see but not this field, 403.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import Role
from models.tables import User, Visit
from services.audit import audit
from services.cases.permissions import Actor, Permission, has, in_scope
from services.protocol.schemas import check_reveal

from .feed import viewer_of
from .models import CaseScope


class RevealRefused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _visible(session: Session, user: User, visit: Visit) -> bool:
    viewer = viewer_of(user)
    if viewer.exact:
        if viewer.key is None or not visit.case_id:
            return False
        found = session.scalar(
            select(CaseScope.case_id).where(
                CaseScope.case_id == visit.case_id, CaseScope.scope == viewer.key
            )
        )
        return found is not None
    return in_scope(Actor.from_user(user), visit.org_unit_id)


def _may_reveal(user: User, visit: Visit, field: str) -> bool:
    if field == "id_number":
        return viewer_of(user).visitor(visit.org_unit_id) == "full"
    if user.role in (Role.DEPARTMENT, Role.GRID_WORKER):
        return True  # _visible already limited them to their own cases
    return has(Actor.from_user(user), Permission.REVEAL_PERSONAL_DATA)


def reveal(
    session: Session,
    user: User,
    body: dict[str, Any],
    *,
    address: str = "",
    device_id: str | None = None,
) -> dict[str, Any]:
    try:
        request = check_reveal(body)
    except Exception as exc:  # ItemRejected: a message naming the field
        field = getattr(exc, "field", None)
        raise RevealRefused(400, "invalid", str(exc), field) from exc
    visit = session.get(Visit, request.visit_id)
    if visit is None or not _visible(session, user, visit):
        raise RevealRefused(404, "not_found", "No such visit in your area.")
    if not _may_reveal(user, visit, request.field):
        raise RevealRefused(
            403, "forbidden", f"Your role may not see this visitor's {request.field}."
        )
    value = visit.visitor_phone if request.field == "phone" else visit.visitor_id_number
    audit(
        session,
        user,
        "reveal",
        "visit",
        visit.id,
        field=request.field,
        reason=request.reason,
        address=address,
        device_id=device_id,
        found=value is not None,
    )
    return {"visit_id": visit.id, "field": request.field, "value": value}
