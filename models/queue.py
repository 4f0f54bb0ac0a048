"""Tables of the dispatch queue: saved filters, attachment records and alert bookkeeping.

The full-text index over cases (``cases_fts``, SQLite FTS5 with the trigram
tokenizer) is not a mapped table: it is created by migration ``0003`` together
with the triggers that keep it in step with ``cases``, and queried with plain
SQL by ``services.cases.queue``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base, SeqType
from .types import utcnow

FTS_TABLE = "cases_fts"
"""The FTS5 table (SQLite only) over number, title, description and address of ``cases``."""


class SavedFilter(Base):
    """A named queue filter of one user (the ``QueueFilter`` as JSON)."""

    __tablename__ = "queue_saved_filters"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_queue_saved_filter_name"),)


class Attachment(Base):
    """A file attached to a case event, copied into the data folder.

    ``stored_name`` is the file's name under the attachments folder
    (``<sha256><suffix>``: the same file attached twice is stored once).
    """

    __tablename__ = "case_attachments"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36))
    event_id: Mapped[str] = mapped_column(String(36))
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    added_by: Mapped[str | None] = mapped_column(String(36))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_case_attachments_case", "case_id", "seq"),)


class QueueAlert(Base):
    """An overdue or near-deadline alert already raised for a user.

    One row per (user, case, kind, deadline): the same case and deadline never
    alerts the same person twice, while a new deadline (after an extension or a
    re-dispatch) may alert again.
    """

    __tablename__ = "queue_alerts"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36))
    case_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[datetime] = mapped_column()
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("user_id", "case_id", "kind", "deadline", name="uq_queue_alert"),
        Index("ix_queue_alerts_user_seen", "user_id", "seen"),
    )


# ---------------------------------------------------------------- full-text index (SQLite)
# External content: the text stays in ``cases``; the index keeps only trigrams
# (detail=none keeps it small; services.cases.queue checks candidates with LIKE).
FTS_COLUMNS = ("number", "title", "description", "address")
_COLS = ", ".join(FTS_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)

FTS_TRIGGERS = ("cases_fts_ai", "cases_fts_ad", "cases_fts_au")

FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLS}, content='cases', "
    "content_rowid='rowid', tokenize='trigram', detail='none')",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_ai AFTER INSERT ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.rowid, {_NEW}); END",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_ad AFTER DELETE ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.rowid, {_OLD}); END",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_au AFTER UPDATE OF {_COLS} ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.rowid, {_OLD}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.rowid, {_NEW}); END",
)
FTS_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
FTS_DROP = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in FTS_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

# The default order of the coordinators' queue: running cases first (so the
# overdue ones, whose deadlines are the earliest, lead), then cases waiting for
# a decision, then suspended, then finished ones; by deadline within each rank.
# Kept as literal SQL so that the index below and the ORDER BY are the same
# expression (SQLite only uses an expression index for an identical expression).
DUE_RANK_SQL = (
    "CASE WHEN state IN ('dispatched', 'acknowledged', 'handled') THEN 0 "
    "WHEN state IN ('registered', 'returned', 'escalated') THEN 1 "
    "WHEN state = 'suspended' THEN 2 ELSE 3 END"
)
NO_DEADLINE_SQL = "CASE WHEN deadline IS NULL THEN 1 ELSE 0 END"
"""Sorting by deadline puts cases without one last, in either direction."""

# Indexes on ``cases`` for the queue's sort orders (expression indexes: the same
# SQL text is used in the ORDER BY). Title gets one too: sorting a million
# titles without it takes seconds.
QUEUE_INDEXES: dict[str, str] = {
    "ix_cases_due_rank": f"(({DUE_RANK_SQL}), deadline)",
    "ix_cases_no_deadline": f"(({NO_DEADLINE_SQL}), deadline)",
    "ix_cases_title": "(title)",
}
QUEUE_INDEXES_CREATE = tuple(
    f"CREATE INDEX IF NOT EXISTS {name} ON cases {columns}"
    for name, columns in QUEUE_INDEXES.items()
)
