"""Writing the demo district: SQLAlchemy Core bulk inserts, one transaction per chunk.

The service path (one ORM flush per event) would take hours for a million
cases. These inserts write the very rows :mod:`services.cases.records` would
(``event_columns`` / ``case_columns``, outbox payloads from ``Event.to_wire``),
through the columns' own bind processors, with the secondary indexes of the
bulk tables dropped during the load and rebuilt once afterwards (SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import OutboxKind, OutboxStatus
from models.tables import Base, Case, CaseEvent, OutboxItem, Visit
from models.types import UTCDateTime
from services.cases.records import event_columns
from services.demo.draws import Batch
from services.protocol.wire import visit_wire

_BY_AT = attrgetter("at")


def _outbox_row(kind: str, item_id: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "item_id": item_id,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": None,
        "last_error": None,
        "reject_code": None,
        "reject_message": None,
        "created_at": at,
        "updated_at": at,
    }


BULK_TABLES = ("cases", "case_events", "visits", "sync_outbox")


@contextmanager
def indexes_deferred(db: Database, cases: int) -> Iterator[None]:
    """Drop the secondary indexes of the bulk tables and build them again afterwards (SQLite).

    Keeping a dozen indexes up to date row by row costs more than half of the
    load on a million cases; building each once from the finished table is a
    sort. The indexes are recreated from their own stored ``CREATE INDEX``
    text, so the schema ends exactly as the migrations made it, and they are
    recreated even when the load fails. The unique constraints (the ids) stay
    in force throughout.
    """
    if db.engine.dialect.name != "sqlite" or cases == 0:
        yield
        return
    marks = ", ".join("?" for _ in BULK_TABLES)
    with db.engine.begin() as conn:
        saved = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",
            BULK_TABLES,
        ).all()
        for name, _sql in saved:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for _name, sql in saved:
                conn.exec_driver_sql(sql)


def _bulk_insert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    times: dict[datetime, Any],
) -> None:
    """``session.execute(insert(table), rows)``, without SQLAlchemy's per-row work.

    The values go through the columns' own bind processors (``UTCDateTime``,
    ``JSON``), so the database holds exactly what the ORM would have written;
    only the per-row parameter bookkeeping is skipped, which is most of the
    time of a bulk insert of millions of small rows. All rows have the keys of
    the first. ``times`` remembers converted ``UTCDateTime`` values: a case
    row repeats the times of its events, so most are converted only once.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup) if compiled.positional and compiled.positiontup else keys
    columns: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            columns.append(values)
        elif isinstance(table.c[name].type, UTCDateTime):
            converted: list[Any] = []
            for v in values:
                if v is None:
                    converted.append(None)
                else:
                    done = times.get(v)
                    if done is None:
                        done = times[v] = process(v)
                    converted.append(done)
            columns.append(converted)
        elif process(None) is None:  # NULL stays NULL: skip the call chain for the many Nones
            columns.append([None if v is None else process(v) for v in values])
        else:
            columns.append([process(v) for v in values])
    params: list[Any]
    if compiled.positional:
        params = list(zip(*columns, strict=True))
    else:
        params = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    connection.exec_driver_sql(compiled.string, params)


def write_batch(session: Session, batch: Batch, outbox: bool) -> int:
    """Bulk-insert one chunk; events in time order, so ``seq`` follows ``at`` within it."""
    events = sorted(batch.events, key=_BY_AT)
    times: dict[datetime, Any] = {}
    _bulk_insert(session, Visit, batch.visits, times)
    _bulk_insert(session, Case, batch.cases, times)
    _bulk_insert(session, CaseEvent, [event_columns(e) for e in events], times)
    if outbox:
        rows = [
            _outbox_row(OutboxKind.VISIT, v["id"], visit_wire(v), v["at"]) for v in batch.visits
        ]
        rows += [_outbox_row(OutboxKind.CASE_EVENT, e.id, e.to_wire(), e.at) for e in events]
        _bulk_insert(session, OutboxItem, rows, times)
    return len(events)
