"""The tables of GridDesk, shared by the desktop and the county server.

Times are ``UTCDateTime`` (aware UTC in Python, naive UTC in the database).
Vocabulary columns hold the plain strings of :mod:`models.enums`.
The ``cases`` table is a projection of ``case_events``: it is only ever written
by ``services.cases.records`` from the events through ``services.cases.projection.apply``, never edited by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime, utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class OrgUnit(Base):
    """County, street, community or grid; the id is the unit code (6/9/12/15 digits)."""

    __tablename__ = "org_units"

    id: Mapped[str] = mapped_column(String(15), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(15), ForeignKey("org_units.id"), index=True
    )
    level: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    center_lat: Mapped[float | None] = mapped_column(Float)
    center_lon: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    org_unit_id: Mapped[str | None] = mapped_column(String(15), ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Category(Base):
    """大类 / 小类 / 细项; limits of a child left empty fall back to its parent's."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        String(20), ForeignKey("categories.code"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    ack_hours: Mapped[int] = mapped_column(Integer, default=8)
    handle_days: Mapped[int] = mapped_column(Integer, default=3)
    urgent_hours: Mapped[int] = mapped_column(Integer, default=24)
    default_department_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("departments.id")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[str | None] = mapped_column(String(15), ForeignKey("org_units.id"))
    department_id: Mapped[str | None] = mapped_column(String(40), ForeignKey("departments.id"))
    grid_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Argon2id hash; null for a user known only from the county who never logged in here.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    # When the county last changed this user's password, disabled or revoked them
    # (docs/protocol.md): a desk drops a password hash it cached before that time.
    credentials_changed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Visit(Base):
    """One walk-in at the reception desk. Personal data may be purged later."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_unit_id: Mapped[str] = mapped_column(String(15), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    received_by: Mapped[str | None] = mapped_column(String(36))
    visitor_name: Mapped[str | None] = mapped_column(String(60))
    visitor_phone: Mapped[str | None] = mapped_column(String(20))
    visitor_id_number: Mapped[str | None] = mapped_column(String(18))
    visitor_gender: Mapped[str | None] = mapped_column(String(8))
    visitor_address: Mapped[str | None] = mapped_column(String(200))
    # Keyed hashes (HMAC) of the normalised phone and ID number, to find returning visitors.
    phone_key: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_key: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resolved_on_the_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who brought the visit to the county, from which desk and when (docs/protocol.md).
    received_at: Mapped[datetime | None] = mapped_column()
    pushed_by: Mapped[str | None] = mapped_column(String(36))
    pushed_device: Mapped[str | None] = mapped_column(String(100))
    pushed_address: Mapped[str | None] = mapped_column(String(64))
    push_protocol: Mapped[str | None] = mapped_column(String(8))


class Case(Base):
    """The projection of a case's events (see ``services.cases.projection.project``)."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    category_code: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(12))
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    org_unit_id: Mapped[str] = mapped_column(String(15), index=True)
    street_id: Mapped[str | None] = mapped_column(String(15), index=True)
    community_id: Mapped[str | None] = mapped_column(String(15), index=True)
    grid_id: Mapped[str | None] = mapped_column(String(15), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    visit_id: Mapped[str | None] = mapped_column(String(36))

    state: Mapped[str] = mapped_column(String(16), index=True)
    state_before_suspend: Mapped[str | None] = mapped_column(String(16))
    assignee_type: Mapped[str | None] = mapped_column(String(12))
    assignee_id: Mapped[str | None] = mapped_column(String(40))
    dispatched_at: Mapped[datetime | None] = mapped_column()
    ack_deadline: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    deadline: Mapped[datetime | None] = mapped_column(index=True)
    feedback_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    voided_at: Mapped[datetime | None] = mapped_column()
    suspended_at: Mapped[datetime | None] = mapped_column()
    escalated_to: Mapped[str | None] = mapped_column(String(15))
    duplicate_of: Mapped[str | None] = mapped_column(String(36))
    satisfaction: Mapped[str | None] = mapped_column(String(24))

    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    supervise_count: Mapped[int] = mapped_column(Integer, default=0)
    event_count: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    last_event_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    __table_args__ = (
        Index("ix_cases_assignee", "assignee_type", "assignee_id", "state"),
        Index("ix_cases_state_deadline", "state", "deadline"),
        # The queue's sort orders by urgency and by assignee (rowid last: a page is a seek).
        Index("ix_cases_urgency", "urgency"),
        Index("ix_cases_assignee_order", "assignee_type", "assignee_id"),
    )


class CaseEvent(Base):
    """One step of a case (全程留痕). Append-only: never deleted; a local event's
    only later change is the county's answer (``server_seq`` or the rejection mark).

    ``seq`` is the local order of acceptance; ``server_seq`` the county's, once
    known. The few columns after ``data`` copy values out of ``data`` so that
    the assessment can aggregate in SQL.
    """

    __tablename__ = "case_events"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    server_seq: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime | None] = mapped_column()
    # Who pushed the event to the county, from which desk (name) and address
    # (docs/protocol.md); ``push_protocol`` is "1.0" for events accepted before
    # authorship was checked (their ``pushed_by`` is copied from the actor).
    pushed_by: Mapped[str | None] = mapped_column(String(36))
    pushed_device: Mapped[str | None] = mapped_column(String(100))
    pushed_address: Mapped[str | None] = mapped_column(String(64))
    push_protocol: Mapped[str | None] = mapped_column(String(8))
    # A local event the county refused keeps its place here, marked with the
    # county's code and message (docs/sync-rules.md "Two desks, one case"). The
    # projection, the queue and the figures leave marked events out; the
    # timeline shows them struck through. A person's resend clears the mark.
    rejected_code: Mapped[str | None] = mapped_column(String(30))
    rejected_message: Mapped[str | None] = mapped_column(Text)
    rejected_at: Mapped[datetime | None] = mapped_column()

    assignee_type: Mapped[str | None] = mapped_column(String(12))
    assignee_id: Mapped[str | None] = mapped_column(String(40))
    ack_deadline: Mapped[datetime | None] = mapped_column()
    deadline: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(24))

    __table_args__ = (
        Index("ix_case_events_case", "case_id", "seq"),
        Index("ix_case_events_type_at", "type", "at"),
    )


class AuditEntry(Base):
    """Who did what to personal data or configuration, and when."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Holiday(Base):
    """The county's holiday table (docs/protocol.md ``holiday``)."""

    __tablename__ = "holidays"

    date: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40), default="")


class OutboxItem(Base):
    """A local record waiting to be pushed to the county, written with the record."""

    __tablename__ = "sync_outbox"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    item_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    reject_code: Mapped[str | None] = mapped_column(String(30))
    reject_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("kind", "item_id", name="uq_sync_outbox_item"),)


class SyncState(Base):
    """Cursor, last successful sync and similar bookkeeping of the sync engine."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Draft(Base):
    """What a person is typing into a form, saved as they type."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    form: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PulledQuarantine(Base):
    """A pulled item that breaks a rule of the protocol: kept aside, reported, never applied."""

    __tablename__ = "sync_quarantine"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(80), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[Any] = mapped_column(JSON)
    server: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncPrune(Base):
    """Items held from an older scope, to drop unless the full re-pull delivers them again."""

    __tablename__ = "sync_prune"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class BulletinExport(Base):
    """A bulletin file as it was exported (issue 16's archive, docs/figures.md "The archive").

    ``as_at`` is the moment the figures were taken and ``event_seq`` the last
    event stored then (``case_events.seq``): a re-export counts only the events
    up to it, so it gives the same figures whatever arrived since.
    ``figures_sha256`` hashes the figures (the same for every format and every
    re-export); ``file_sha256`` the file's bytes as written.
    """

    __tablename__ = "bulletin_exports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(40))
    scope_id: Mapped[str] = mapped_column(String(15))
    scope_name: Mapped[str] = mapped_column(String(100))
    as_at: Mapped[datetime] = mapped_column()
    event_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str] = mapped_column(String(8))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    figures_sha256: Mapped[str] = mapped_column(String(64))
    exported_by: Mapped[str] = mapped_column(String(36))
    exported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
