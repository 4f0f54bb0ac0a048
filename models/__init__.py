"""SQLAlchemy tables, vocabularies and database set-up. Imports nothing of ours."""

from .tables import (
    AuditEntry,
    Base,
    Case,
    CaseEvent,
    Category,
    Department,
    Draft,
    Holiday,
    OrgUnit,
    OutboxItem,
    Setting,
    SyncState,
    User,
    Visit,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Case",
    "CaseEvent",
    "Category",
    "Department",
    "Draft",
    "Holiday",
    "OrgUnit",
    "OutboxItem",
    "Setting",
    "SyncState",
    "User",
    "Visit",
]
