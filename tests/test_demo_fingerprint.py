"""The demo district is pinned: for a fixed seed and day, the ids, counts and texts never move.

:func:`services.demo.generator.seed_demo` promises that a county server seeded the
same way holds the same case and event ids as the desktop, so moving the
generator's texts into ``resources/demo/`` or splitting it into modules must not
change a single drawn value. The fingerprints below were computed before that
move; each is a SHA-256 (first 16 hex digits) over the rows in id order of
(a) the ids alone and (b) a fixed list of columns, so that a new column added to
a table later does not disturb them.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.db import open_database
from models.tables import Case, CaseEvent, OrgUnit, User, Visit
from services.demo.generator import seed_demo

TODAY = date(2026, 11, 20)

COLUMNS: dict[Any, tuple[tuple[str, ...], Any]] = {
    Case: (
        (
            "id", "number", "title", "description", "category_code", "source", "urgency",
            "grid_id", "address", "lat", "lon", "visit_id", "state", "assignee_id",
            "deadline", "closed_at", "satisfaction", "event_count", "created_at",
        ),
        Case.id,
    ),
    CaseEvent: (("id", "case_id", "type", "at", "actor_id", "data"), CaseEvent.seq),
    Visit: (
        (
            "id", "at", "visitor_name", "visitor_phone", "visitor_id_number",
            "visitor_address", "purpose", "summary", "case_id",
        ),
        Visit.id,
    ),
    OrgUnit: (("id", "name", "boundary"), OrgUnit.id),
    User: (("id", "username", "display_name"), User.id),
}  # fmt: skip

# seed, cases -> (cases, events, visits, users, org units, departments), then per
# table (rows, ids digest, columns digest).
PINNED: dict[tuple[int, int], tuple[tuple[int, ...], dict[str, tuple[int, str, str]]]] = {
    (2026, 300): (
        (300, 1667, 111, 43, 71, 12),
        {
            "cases": (300, "a73b67d1c4caaba3", "15d6edf6f4168ee7"),
            "case_events": (1667, "9b715ca2ee23adfc", "af7601d74dc79bb2"),
            "visits": (111, "9ed082a2ef432b9c", "8169ef78e93772ae"),
            "org_units": (71, "1b05be6af8c38939", "b7fd97478a13c831"),
            "users": (43, "f886324bbfaa0287", "b7d78163acc97f00"),
        },
    ),
    (7, 120): (
        (120, 679, 44, 43, 71, 12),
        {
            "cases": (120, "c73215e9044605f8", "3e21ba03327cbb32"),
            "case_events": (679, "1110e98a2975b965", "de7fdf66883a383d"),
            "visits": (44, "37459ac9c31aaade", "b7c30e158be2cfb5"),
            "org_units": (71, "1b05be6af8c38939", "b19116b1252c0102"),
            "users": (43, "f886324bbfaa0287", "10923f0095602076"),
        },
    ),
}


def fingerprint(path: Path, seed: int, cases: int) -> tuple[tuple[int, ...], dict[str, Any]]:
    db = open_database(path)
    try:
        s = seed_demo(db, cases=cases, seed=seed, today=TODAY, outbox=True)
        counts = (s.cases, s.events, s.visits, s.users, s.org_units, s.departments)
        tables: dict[str, Any] = {}
        with db.session() as session:
            for table, (columns, order) in COLUMNS.items():
                ids, content, n = hashlib.sha256(), hashlib.sha256(), 0
                for row in session.scalars(select(table).order_by(order)):
                    n += 1
                    ids.update(f"{row.id}\n".encode())
                    values = [getattr(row, c) for c in columns]
                    text = json.dumps(values, default=str, ensure_ascii=False)
                    content.update(text.encode() + b"\n")
                tables[table.__tablename__] = (n, ids.hexdigest()[:16], content.hexdigest()[:16])
        return counts, tables
    finally:
        db.dispose()


@pytest.mark.parametrize(("seed", "cases"), sorted(PINNED))
def test_the_demo_district_is_unchanged_for_a_fixed_seed_and_day(
    tmp_path: Path, seed: int, cases: int
) -> None:
    assert fingerprint(tmp_path, seed, cases) == PINNED[(seed, cases)]


def test_the_demo_texts_are_read_from_resources_and_shipped() -> None:
    """The generator's words live in resources/demo/, which the installer bundles."""
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "resources" / "demo").glob("*"))
    assert [f.name for f in files] == ["people.json", "texts.json"]
    for f in files:
        assert json.loads(f.read_text(encoding="utf-8"))  # valid UTF-8 JSON, not empty
    spec = (root / "installer" / "griddesk.spec").read_text(encoding="utf-8")
    collected = re.search(r'_tree\("resources", \(([^)]*)\)\)', spec)
    assert collected is not None, "the spec no longer collects resources/ with _tree"
    patterns = re.findall(r'"([^"]+)"', collected.group(1))
    assert all(any(fnmatch(f.name, p) for p in patterns) for f in files)
    # No corpus left behind in the generator's code.
    generator = (root / "services" / "demo").glob("*.py")
    assert not any("网格员巡查发现" in p.read_text(encoding="utf-8") for p in generator)
