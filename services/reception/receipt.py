"""The receipt (回执单) handed to the visitor: what it prints, for the first print or a re-print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.enums import CaseState
from models.tables import Case
from services import settings as settings_service
from services.cases import records as case_service
from services.cases.permissions import Actor, Permission, require
from services.reception.identity import mask_name, mask_phone
from services.reception.labels import visit_outcome
from services.reception.lookups import visit_for
from services.reception.visits import query_code
from services.worktime.workdays import WorkCalendar


@dataclass(frozen=True)
class Receipt:
    """What the receipt (回执单) prints; the visitor is masked, the ID number never printed."""

    centre_name: str
    visit_id: str
    at: datetime
    visitor_name: str
    visitor_phone: str
    purpose: str
    summary: str
    outcome: str
    case_id: str | None
    case_number: str | None
    category_name: str | None
    place: str | None
    deadline: datetime | None
    state: str | None
    query_code: str
    clerk_name: str


def receipt_data(session: Session, actor: Actor, calendar: WorkCalendar, visit_id: str) -> Receipt:
    """The receipt of a visit, for the first print or a re-print from the history."""
    require(actor, Permission.REGISTER_VISIT)
    visit = visit_for(session, actor, visit_id)
    from services.cases.lookups import Names

    names = Names.load(session)
    case = session.get(Case, visit.case_id) if visit.case_id else None
    centre = str(settings_service.get(session, "centre_name") or "") or names.org_unit(
        visit.org_unit_id
    )
    deadline = None
    if case is not None and case.state not in (CaseState.CLOSED, CaseState.VOIDED):
        deadline = case.deadline
        if deadline is None:
            _ack, deadline = case_service.compute_deadlines(
                session, calendar, case.category_code, case.urgency, case.created_at
            )
    place = None
    if case is not None:
        place = " ".join(p for p in (names.org_unit(case.org_unit_id), case.address or "") if p)
    return Receipt(
        centre_name=centre,
        visit_id=visit.id,
        at=visit.at,
        visitor_name=mask_name(visit.visitor_name),
        visitor_phone=mask_phone(visit.visitor_phone),
        purpose=visit.purpose,
        summary=visit.summary,
        outcome=visit_outcome(
            visit.resolved_on_the_spot, visit.case_id, case.visit_id if case else None, visit.id
        ),
        case_id=case.id if case else None,
        case_number=case.number if case else None,
        category_name=names.category_path(case.category_code) if case else None,
        place=place,
        deadline=deadline,
        state=case.state if case else None,
        query_code=query_code(case.id if case else visit.id),
        clerk_name=names.user(visit.received_by),
    )
