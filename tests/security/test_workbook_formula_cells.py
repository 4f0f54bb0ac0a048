"""Formula cells: case numbers, titles and the names of departments, units,
categories and people come from other desks and the county; in a workbook they
are text, never a formula (no ``<f>`` element), and one that a spreadsheet
would evaluate once edited carries Excel's quote prefix. Numbers stay numbers."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from models.db import Database, open_database
from models.tables import Case, Category, Department, OrgUnit, User, Visit
from services.reception.export import export_visits
from services.reception.history import VisitSearch
from services.reports.assessment import assess
from services.reports.bulletin import SHEETS, default_filename, export_bulletin
from services.reports.exports import FORMULA_LEADS, clean_file_name, literal_workbook
from services.reports.periods import parse_period
from tests.assessment_scenario import CAL, build_district
from tests.builders import actor

FORMULAS = {
    "hyperlink": '=HYPERLINK("http://e.vil","x")',
    "sum": "=1+1",
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1+1)",
}
# What carries a hostile name, and the sheets where it shows.
CARRIERS = {
    "department": ("部门考核", "超期案件明细"),
    "community": ("街道社区考核",),
    "grid_worker": ("网格员考核",),
    "category": ("分类统计", "超期案件明细"),
    "case_number": ("超期案件明细",),
}


def hostile(kind: str, carrier: str, i: int) -> str:
    return f"{FORMULAS[kind]}{carrier[:3]}{i}"


@pytest.fixture(scope="module", params=list(FORMULAS))
def bulletin(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The bulletin of a district whose every name and case number starts with one formula."""
    kind = request.param
    db = build_district(open_database(tmp_path_factory.mktemp("formula-bulletin")))
    with db.session() as session:
        for i, dept in enumerate(session.scalars(select(Department)).all()):
            dept.name = hostile(kind, "department", i)
        for i, unit in enumerate(session.scalars(select(OrgUnit)).all()):
            if unit.level == "county":
                unit.name = FORMULAS[kind]  # the scope: title row and file name
            else:
                unit.name = hostile(kind, "community", i)
        for i, user in enumerate(session.scalars(select(User)).all()):
            user.display_name = hostile(kind, "grid_worker", i)
        for i, category in enumerate(session.scalars(select(Category)).all()):
            category.name = hostile(kind, "category", i)
        for i, case_id in enumerate(session.scalars(select(Case.id)).all()):
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(number=hostile(kind, "case_number", i), title=FORMULAS[kind])
            )
    out = tmp_path_factory.mktemp("formula-out") / "通报.xlsx"
    with db.sessions() as session:
        export_bulletin(session, actor(session, "official"), parse_period("2026-11-H1"), CAL, out)
    yield out
    db.dispose()


def kind_of(path: Path) -> str:
    title = load_workbook(path).worksheets[0]["A1"].value
    return next(k for k, text in FORMULAS.items() if str(title).startswith(text))


def sheet_xml(path: Path) -> dict[str, str]:
    """Sheet name → its XML, as a spreadsheet program reads it."""
    book = load_workbook(path)
    names = book.sheetnames
    with zipfile.ZipFile(path) as archive:
        return {
            names[i]: archive.read(f"xl/worksheets/sheet{i + 1}.xml").decode("utf-8")
            for i in range(len(names))
        }


@pytest.mark.parametrize("sheet", SHEETS)
def test_no_sheet_of_the_bulletin_holds_a_formula(bulletin: Path, sheet: str) -> None:
    xml = sheet_xml(bulletin)[sheet]
    assert "<f>" not in xml and "<f " not in xml
    assert (
        "http://e.vil" not in xml
        or "HYPERLINK(&quot;http://e.vil" in xml
        or ('HYPERLINK("http://e.vil' in xml)
    )


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_hostile_names_land_as_literal_text(bulletin: Path, carrier: str) -> None:
    book = load_workbook(bulletin)
    pattern = re.compile(re.escape(FORMULAS[kind_of(bulletin)] + carrier[:3]) + r"\d+")
    found = [
        cell
        for sheet in CARRIERS[carrier]
        for row in book[sheet].iter_rows()
        for cell in row
        if isinstance(cell.value, str) and pattern.fullmatch(cell.value)
    ]
    assert found, f"no {carrier} name reached {CARRIERS[carrier]}"
    for cell in found:
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate


def test_the_title_row_naming_the_scope_is_text(bulletin: Path) -> None:
    book = load_workbook(bulletin)
    for sheet in book.worksheets:
        title = sheet["A1"]
        assert isinstance(title.value, str) and title.value.startswith(FORMULAS[kind_of(bulletin)])
        assert title.data_type == "s" and title.quotePrefix


def test_rates_and_counts_stay_numbers(bulletin: Path) -> None:
    book = load_workbook(bulletin)
    numbers = [
        cell
        for row in book["部门考核"].iter_rows(min_row=5)
        for cell in row
        if isinstance(cell.value, (int, float))
    ]
    assert numbers and all(cell.data_type == "n" for cell in numbers)


def test_the_suggested_file_name_has_no_path(tmp_path: Path) -> None:
    db = build_district(open_database(tmp_path / "d"))
    with db.session() as session:
        for unit in session.scalars(select(OrgUnit).where(OrgUnit.level == "county")):
            unit.name = "../../..\\etc/公司:名称"
    with db.sessions() as session:
        a = assess(session, actor(session, "official"), parse_period("2026-11-H1"), CAL)
    name = default_filename(a)
    db.dispose()
    assert "/" not in name and "\\" not in name and ":" not in name and name.endswith(".xlsx")


def test_literal_workbook_guards_every_lead_and_leaves_numbers() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for i, lead in enumerate(FORMULA_LEADS, start=1):
        sheet.cell(i, 1, lead + "1+1")
    sheet.cell(20, 1, 42)
    sheet.cell(21, 1, "普通文字")
    assert literal_workbook(book) == 1  # only "=" made a formula cell
    for i in range(1, len(FORMULA_LEADS) + 1):
        assert sheet.cell(i, 1).data_type == "s" and sheet.cell(i, 1).quotePrefix
    assert sheet.cell(20, 1).data_type == "n"
    assert not sheet.cell(21, 1).quotePrefix
    assert clean_file_name("../x.xlsx") == "x.xlsx"


# ---------------------------------------------------------------- the visits export
@pytest.mark.parametrize("kind", list(FORMULAS))
def test_visit_export_keeps_summaries_as_text(demo_db: Database, tmp_path: Path, kind: str) -> None:
    with demo_db.session() as session:
        session.execute(update(Visit).values(summary=FORMULAS[kind]))
    out = tmp_path / "visits.xlsx"
    with demo_db.sessions() as session:
        rows = export_visits(session, actor(session, "reception"), VisitSearch(limit=50), out)
    assert rows > 0
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml
    sheet = load_workbook(out).active
    assert sheet is not None
    summaries = [c for c in sheet["G"][1:] if c.value]
    assert summaries and all(c.value == FORMULAS[kind] and c.data_type == "s" for c in summaries)
