"""docs/figures.md's worked example, built and assessed: the table in the doc must
be what GridDesk computes, so the doc cannot go stale.

The table between ``<!-- worked-example -->`` and ``<!-- /worked-example -->``
has one row per figure (the workbook's header text in the first column) and a
column each for the totals, 区环境卫生管理中心 and 区城市管理综合行政执法局.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.db import Database, open_database
from services.cases import records
from services.reports.assessment import assess
from services.reports.figures import DAYS, RANK_COLUMN, RATE, SCORE, SUMMARY_FIGURES, Column
from services.reports.periods import parse_period
from services.reports.results import Assessment, Figures
from tests.assessment_scenario import CAL, E, Story
from tests.builders import actor, load_demo_reference, local

DOC = Path(__file__).resolve().parents[1] / "docs" / "figures.md"
HUANWEI, CHENGGUAN = "dept_huanwei", "dept_chengguan"


def build_example(db: Database) -> Database:
    """The five cases of the doc's worked example (November 2026, first half)."""
    load_demo_reference(db)
    with db.session() as s:
        # 1: signed for in time, closed on time, satisfied
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(local(2026, 11, 2, 10, 0), HUANWEI).ack(
            local(2026, 11, 2, 11, 0)
        ).feedback(local(2026, 11, 4, 10, 0)).verify(local(2026, 11, 4, 15, 0), True).evaluate(
            local(2026, 11, 5, 10, 0), "satisfied"
        )
        # 2: signed for late, one failed verification, accepted feedback after the deadline
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(local(2026, 11, 2, 10, 0), HUANWEI).ack(
            local(2026, 11, 3, 11, 0)
        ).feedback(local(2026, 11, 4, 10, 0)).verify(local(2026, 11, 4, 16, 0), False).feedback(
            local(2026, 11, 6, 10, 0)
        ).verify(local(2026, 11, 6, 11, 0), True).evaluate(
            local(2026, 11, 9, 10, 0), "dissatisfied"
        )
        # 3: still open at E, past its deadline; its feedback after E changes nothing
        Story(s, local(2026, 11, 9, 9, 0)).dispatch(local(2026, 11, 9, 10, 0), CHENGGUAN).ack(
            local(2026, 11, 9, 11, 0)
        ).feedback(local(2026, 11, 17, 10, 0))
        # 5: never signed for, suspended at E
        Story(s, local(2026, 11, 2, 9, 0)).dispatch(local(2026, 11, 2, 10, 0), CHENGGUAN).coord(
            "suspended", local(2026, 11, 3, 9, 0), {"reason": "需申请资金"}
        )
        # 4: closed on the spot by reception in ten minutes
        spot = Story(s, local(2026, 11, 3, 9, 0), on_the_spot=True)
        records.record(
            s,
            actor(s, "reception"),
            spot.id,
            "closed",
            {"resolution": "on_the_spot"},
            at=local(2026, 11, 3, 9, 10),
        )
    assert local(2026, 11, 16, 0, 0) == E
    return db


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assessment]:
    db = build_example(open_database(tmp_path_factory.mktemp("figures_doc")))
    try:
        with db.sessions() as s:
            yield assess(s, actor(s, "official"), parse_period("2026-11-H1"), CAL)
    finally:
        db.dispose()


def shown(column: Column, value: Any) -> str:
    """A figure as the doc writes it (the workbook's formats)."""
    if value is None:
        return "—"
    if column.kind == RATE:
        return f"{float(value) * 100:.1f}%"
    if column.kind == DAYS:
        return f"{float(value):.1f}"
    if column.kind == SCORE:
        return f"{float(value):.2f}"
    return str(value)


def doc_table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- worked-example -->(.*?)<!-- /worked-example -->", text, re.S)
    assert match, "docs/figures.md lost its worked-example table"
    rows: dict[str, list[str]] = {}
    for line in match.group(1).strip().splitlines()[2:]:  # past the header and the rule
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def department(a: Assessment, key: str) -> Figures:
    return next(d for d in a.departments if d.key == key)


def test_the_worked_example_table_is_what_griddesk_computes(example: Assessment) -> None:
    table = doc_table()
    rows = (example.totals, department(example, HUANWEI), department(example, CHENGGUAN))
    for column in (*SUMMARY_FIGURES, RANK_COLUMN):
        expected = [shown(column, column.value(row)) for row in rows]
        if column is RANK_COLUMN:
            expected[0] = "—"  # the totals have no rank
        assert table.get(column.header) == expected, column.header
    assert set(table) == {c.header for c in (*SUMMARY_FIGURES, RANK_COLUMN)}


def test_the_worked_example_overdue_cases(example: Assessment) -> None:
    text = DOC.read_text(encoding="utf-8")
    days = sorted((round(c.overdue_days, 1) for c in example.overdue), reverse=True)
    assert days == [1.0, 0.2]
    assert "超期时长 1.0" in text and "超期时长 0.2" in text
    assert [d.last_place for d in example.departments if d.rank is not None] == [False, True]
