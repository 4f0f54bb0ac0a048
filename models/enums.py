"""The fixed vocabularies of docs/protocol.md.

Values are the wire and database spellings; they are stored as plain strings so
that SQLite and PostgreSQL hold the same data and the protocol needs no mapping.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RECEPTION = "reception"
    COORDINATOR = "coordinator"
    DEPARTMENT = "department"
    GRID_WORKER = "grid_worker"
    OFFICIAL = "official"
    ADMIN = "admin"


class OrgLevel(StrEnum):
    COUNTY = "county"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


class CaseState(StrEnum):
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    ESCALATED = "escalated"
    HANDLED = "handled"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    VOIDED = "voided"


class EventType(StrEnum):
    CREATED = "created"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    FEEDBACK = "feedback"
    VERIFIED = "verified"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    ESCALATED = "escalated"
    SUPERVISED = "supervised"
    EXTENDED = "extended"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    VOIDED = "voided"
    COMMENTED = "commented"


class AssigneeType(StrEnum):
    DEPARTMENT = "department"
    GRID_WORKER = "grid_worker"
    ORG_UNIT = "org_unit"


class Source(StrEnum):
    WALK_IN = "walk_in"
    PATROL = "patrol"
    HOTLINE = "hotline"
    ONLINE = "online"
    COUNTY = "county"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class Purpose(StrEnum):
    COMPLAINT = "complaint"
    REQUEST = "request"
    CONSULTATION = "consultation"
    DISPUTE = "dispute"
    OTHER = "other"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class EvaluationMethod(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    SMS = "sms"
    ON_SITE = "on_site"


class CloseResolution(StrEnum):
    ON_THE_SPOT = "on_the_spot"
    VERIFIED = "verified"
    OTHER = "other"


class HolidayKind(StrEnum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"
    DISCARDED = "discarded"


class OutboxKind(StrEnum):
    VISIT = "visit"
    CASE_EVENT = "case_event"
