"""What a person reads for a case's states, events and event fields.

Labels are English source texts (``QT_TRANSLATE_NOOP``), translated by the
desktop, and used in the messages of :mod:`services.cases.projection`,
:mod:`services.cases.event_checks` and :mod:`services.protocol.schemas`.
This module imports nothing of GridDesk but the translation marker, so every
one of them can read it.
"""

from __future__ import annotations

from services.i18n import QT_TRANSLATE_NOOP

# Labels are English source texts, translated by the desktop. State labels read
# after "This case is …"; event labels are nouns, so that they never share an
# English source text with a state label (Qt keys translations by source text,
# and 已派遣 must not become the translation of the action 派遣).

STATE_LABELS: dict[str, str] = {
    "registered": QT_TRANSLATE_NOOP("services", "registered"),
    "dispatched": QT_TRANSLATE_NOOP("services", "dispatched"),
    "acknowledged": QT_TRANSLATE_NOOP("services", "being handled"),
    "returned": QT_TRANSLATE_NOOP("services", "returned"),
    "escalated": QT_TRANSLATE_NOOP("services", "escalated"),
    "handled": QT_TRANSLATE_NOOP("services", "awaiting verification"),
    "suspended": QT_TRANSLATE_NOOP("services", "suspended"),
    "closed": QT_TRANSLATE_NOOP("services", "closed"),
    "voided": QT_TRANSLATE_NOOP("services", "voided"),
}

EVENT_LABELS: dict[str, str] = {
    "created": QT_TRANSLATE_NOOP("services", "registration"),
    "dispatched": QT_TRANSLATE_NOOP("services", "dispatch"),
    "acknowledged": QT_TRANSLATE_NOOP("services", "acknowledgement"),
    "returned": QT_TRANSLATE_NOOP("services", "return"),
    "feedback": QT_TRANSLATE_NOOP("services", "feedback"),
    "verified": QT_TRANSLATE_NOOP("services", "verification"),
    "closed": QT_TRANSLATE_NOOP("services", "closing"),
    "evaluated": QT_TRANSLATE_NOOP("services", "evaluation"),
    "escalated": QT_TRANSLATE_NOOP("services", "escalation"),
    "supervised": QT_TRANSLATE_NOOP("services", "supervision"),
    "extended": QT_TRANSLATE_NOOP("services", "deadline extension"),
    "suspended": QT_TRANSLATE_NOOP("services", "suspension"),
    "resumed": QT_TRANSLATE_NOOP("services", "resumption"),
    "voided": QT_TRANSLATE_NOOP("services", "voiding"),
    "commented": QT_TRANSLATE_NOOP("services", "comment"),
}

# Names of the wire fields as a person reads them in an error message.
FIELD_LABELS: dict[str, str] = {
    "id": QT_TRANSLATE_NOOP("services", "event id"),
    "case_id": QT_TRANSLATE_NOOP("services", "case id"),
    "type": QT_TRANSLATE_NOOP("services", "event type"),
    "at": QT_TRANSLATE_NOOP("services", "event time"),
    "actor_id": QT_TRANSLATE_NOOP("services", "acting user"),
    "data": QT_TRANSLATE_NOOP("services", "event data"),
    "number": QT_TRANSLATE_NOOP("services", "case number"),
    "title": QT_TRANSLATE_NOOP("services", "title"),
    "description": QT_TRANSLATE_NOOP("services", "description"),
    "category_code": QT_TRANSLATE_NOOP("services", "category"),
    "source": QT_TRANSLATE_NOOP("services", "source"),
    "urgency": QT_TRANSLATE_NOOP("services", "urgency"),
    "org_unit_id": QT_TRANSLATE_NOOP("services", "org unit"),
    "address": QT_TRANSLATE_NOOP("services", "address"),
    "lat": QT_TRANSLATE_NOOP("services", "latitude"),
    "lon": QT_TRANSLATE_NOOP("services", "longitude"),
    "visit_id": QT_TRANSLATE_NOOP("services", "visit"),
    "assignee_type": QT_TRANSLATE_NOOP("services", "assignee type"),
    "assignee_id": QT_TRANSLATE_NOOP("services", "assignee"),
    "ack_deadline": QT_TRANSLATE_NOOP("services", "acknowledgement deadline"),
    "deadline": QT_TRANSLATE_NOOP("services", "handling deadline"),
    "note": QT_TRANSLATE_NOOP("services", "note"),
    "reason": QT_TRANSLATE_NOOP("services", "reason"),
    "result": QT_TRANSLATE_NOOP("services", "result"),
    "attachments": QT_TRANSLATE_NOOP("services", "attachments"),
    "passed": QT_TRANSLATE_NOOP("services", "verification outcome"),
    "resolution": QT_TRANSLATE_NOOP("services", "resolution"),
    "satisfaction": QT_TRANSLATE_NOOP("services", "satisfaction"),
    "method": QT_TRANSLATE_NOOP("services", "evaluation method"),
    "to_org_unit_id": QT_TRANSLATE_NOOP("services", "higher org unit"),
    "new_deadline": QT_TRANSLATE_NOOP("services", "new deadline"),
    "duplicate_of": QT_TRANSLATE_NOOP("services", "original case"),
    "text": QT_TRANSLATE_NOOP("services", "comment text"),
}
