"""Many rows in one statement on PostgreSQL: ``INSERT … SELECT … FROM json_populate_recordset``.

A push writes up to 500 events and their feed rows at once. Sent as bound parameters,
a multi-row ``VALUES`` of that size spends most of its time converting the statement
and its thousands of parameters; one JSON document as the single parameter is parsed
by the server in a fraction of that, and ``WITH ORDINALITY … ORDER BY`` makes the
serial numbers (``case_events.seq``, ``srv_changes.seq``) follow the order of the rows.
Values are given as the column types would bind them: times as naive UTC (``UTCDateTime``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(tzinfo=None).isoformat()
    return value


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` (all with the same keys, columns of ``table``) in one statement on
    PostgreSQL, in their order; with ``conflict``, ``ON CONFLICT (…) DO NOTHING``. Returns
    the ``returning`` column of the rows inserted (none without it)."""
    if not rows:
        return []
    names = list(rows[0])
    for name in (*names, *conflict, *([returning] if returning else [])):
        table.c[name]  # noqa: B018 - only columns of the table reach the statement
    columns = ", ".join(f'"{name}"' for name in names)
    sql = (
        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} '
        f'FROM json_populate_recordset(NULL::"{table.name}", CAST(:rows AS json)) '
        "WITH ORDINALITY AS r ORDER BY r.ordinality"
    )
    if conflict:
        sql += " ON CONFLICT (" + ", ".join(f'"{c}"' for c in conflict) + ") DO NOTHING"
    if returning:
        sql += f' RETURNING "{returning}"'
    payload = json.dumps(
        [{key: _plain(value) for key, value in row.items()} for row in rows],
        ensure_ascii=False,
        allow_nan=False,
    )
    result = session.execute(text(sql), {"rows": payload})
    return list(result.scalars()) if returning else []
