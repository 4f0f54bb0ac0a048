"""The overdue sheet's case rows, streamed into the saved workbook (issue 17.4): many
rows, in order, each cell styled as before (border, font, alignment, number format),
wrapped rows made taller, awkward texts kept as text, progress through the rows and a
cancel in the middle of them leaving no file."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.db import Database, open_database
from services.reports.assessment import assess
from services.reports.bulletin import (
    CHECK_EVERY,
    LINE_HEIGHT,
    BulletinCancelled,
    wrapped_lines,
    write_bulletin,
)
from services.reports.figures import OVERDUE_COLUMNS
from services.reports.periods import parse_period
from services.reports.results import Assessment
from tests.assessment_scenario import CAL, build_district
from tests.builders import actor

ROWS = 2 * CHECK_EVERY + 37
AWKWARD = {
    3: "a & <b> \"c\" 'd'",
    4: "  spaced out  ",
    5: "bell\x07and\x1bescape",
    6: '=HYPERLINK("http://e.vil","x")',
    7: "two\r\nlines",
    8: "-2+3",
}
LONG = "社区网格员巡查发现沿街商铺占道经营并堆放杂物，影响行人通行，多次劝导未果"


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = build_district(open_database(tmp_path_factory.mktemp("stream")))
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def big(district: Database) -> Assessment:
    """The district's assessment with ROWS overdue cases made from its own."""
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), parse_period("2026-11-H1"), CAL)
    base = a.overdue
    assert base, "the district has overdue cases"
    cases = []
    for i in range(ROWS):
        case = replace(base[i % len(base)], number=f"N-{i:05d}", title=f"案件{i}")
        if i in AWKWARD:
            case = replace(case, title=AWKWARD[i])
        if i == 10:
            case = replace(case, title=LONG, address="")
        if i == 11:
            case = replace(case, deadline=None, assignee="")
        cases.append(case)
    return replace(a, overdue=cases)


def _rows(path: Path) -> tuple[int, list[list[object]]]:
    ws = load_workbook(path)["超期案件明细"]
    header = next(r for r in range(1, 8) if ws.cell(r, 1).value == "序号")
    return header, [
        [c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_row=header + ROWS)
    ]


def test_every_case_is_a_row_in_order(big: Assessment, tmp_path: Path) -> None:
    path = write_bulletin(big, tmp_path / "b.xlsx")
    header, rows = _rows(path)
    assert [r[0] for r in rows] == list(range(1, ROWS + 1))
    assert [r[1] for r in rows] == [f"N-{i:05d}" for i in range(ROWS)]
    wb = load_workbook(path)
    ws = wb["超期案件明细"]
    # The note follows one empty row after the last case, as before.
    assert ws.cell(header + ROWS + 1, 1).value is None
    assert str(ws.cell(header + ROWS + 2, 1).value).startswith("注：列出截至统计期末超期的案件")
    assert f"A{header + ROWS + 2}:J{header + ROWS + 2}" in {str(m) for m in ws.merged_cells}
    assert ws.print_title_rows == f"$1:${header}" and ws.freeze_panes == f"C{header + 1}"
    assert ws.max_row == header + ROWS + 2
    # No cell of the sheet is a formula.
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet5.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_cells_keep_their_styles(big: Assessment, tmp_path: Path) -> None:
    path = write_bulletin(big, tmp_path / "b.xlsx")
    ws = load_workbook(path)["超期案件明细"]
    header, _ = _rows(path)
    keys = [c.key for c in OVERDUE_COLUMNS]
    first = header + 1
    for col in range(1, len(keys) + 1):
        cell = ws.cell(first, col)
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        assert cell.font.name == "宋体" and cell.font.sz == 10
    assert ws.cell(first, keys.index("position") + 1).number_format == "0"
    assert ws.cell(first, keys.index("position") + 1).alignment.horizontal == "center"
    deadline = ws.cell(first, keys.index("deadline") + 1)
    assert isinstance(deadline.value, datetime) and deadline.number_format == "yyyy-mm-dd hh:mm"
    assert ws.cell(first, keys.index("title") + 1).alignment.wrap_text
    assert ws.cell(first, keys.index("number") + 1).alignment.horizontal == "left"
    assert ws.cell(first, keys.index("overdue_days") + 1).alignment.horizontal == "right"
    # A case without a deadline or assignee shows "—", centred, with no number format.
    row = first + 11
    for key in ("deadline", "assignee"):
        cell = ws.cell(row, keys.index(key) + 1)
        assert cell.value == "—" and cell.alignment.horizontal == "center"
        assert cell.number_format == "General"
    # A long title wraps, and its row is made tall enough; the others keep the default.
    width = OVERDUE_COLUMNS[keys.index("title")].width
    lines = wrapped_lines(LONG, width)
    assert lines > 1
    assert ws.row_dimensions[first + 10].height == LINE_HEIGHT * lines + 3
    assert ws.row_dimensions[first + 20].height is None


def test_awkward_texts_stay_text(big: Assessment, tmp_path: Path) -> None:
    path = write_bulletin(big, tmp_path / "b.xlsx")
    ws = load_workbook(path)["超期案件明细"]
    header, rows = _rows(path)
    col = [c.key for c in OVERDUE_COLUMNS].index("title")
    titles = {i: rows[i][col] for i in AWKWARD}
    assert titles[3] == AWKWARD[3]
    assert titles[4] == AWKWARD[4]  # the spaces kept
    assert titles[5] == "bellandescape"  # controls XML cannot hold are dropped
    assert titles[7] == "two\r\nlines"
    for i in (6, 8):  # what a spreadsheet would evaluate: text with the quote prefix
        cell = ws.cell(header + 1 + i, col + 1)
        assert cell.value == AWKWARD[i] and cell.data_type == "s" and cell.quotePrefix
    assert not ws.cell(header + 1 + 3, col + 1).quotePrefix


def test_progress_moves_through_the_rows_and_cancel_stops_them(
    big: Assessment, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    write_bulletin(big, tmp_path / "ok.xlsx", progress=lambda d, t: seen.append((d, t)))
    total = seen[-1][1]
    assert seen[-1][0] == total and total > ROWS
    done = [d for d, _ in seen]
    assert done == sorted(done)
    # A report at least every CHECK_EVERY rows while the rows are written.
    assert sum(1 for d in done if total - ROWS <= d < total) >= ROWS // CHECK_EVERY
    last = [0]

    def cancel_in_the_rows() -> bool:  # once the first chunk of rows was reported
        return last[0] > total - ROWS

    with pytest.raises(BulletinCancelled):
        write_bulletin(
            big,
            tmp_path / "cancelled.xlsx",
            progress=lambda d, t: last.__setitem__(0, d),
            cancelled=cancel_in_the_rows,
        )
    assert total - ROWS < last[0] < total - CHECK_EVERY  # stopped among the rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx"]


def test_a_period_without_overdue_cases_says_so(big: Assessment, tmp_path: Path) -> None:
    empty = replace(big, overdue=[], generated_at=datetime(2026, 11, 20, tzinfo=UTC))
    ws = load_workbook(write_bulletin(empty, tmp_path / "none.xlsx"))["超期案件明细"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "本期无超期案件" in values
    assert not any(isinstance(v, str) and v.startswith("N-") for v in values)
