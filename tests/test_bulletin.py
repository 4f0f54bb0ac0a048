"""The bulletin workbook read back with openpyxl: sheets, titles, headers, values,
number formats, colours, print set-up; cancel and progress; the command; and,
where LibreOffice is installed, its conversion to PDF."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.db import Database, open_database
from services.errors import PermissionDenied
from services.reports.assessment import assess
from services.reports.bulletin import SHEETS, BulletinCancelled, export_bulletin, write_bulletin
from services.reports.figures import (
    CATEGORY_COLUMNS,
    HANDLER_COLUMNS,
    OVERDUE_COLUMNS,
    UNIT_COLUMNS,
    headers,
)
from services.reports.periods import parse_period
from services.worktime.workdays import WorkCalendar
from tests.assessment_scenario import CAL, build_district
from tests.builders import actor

HANDLER_HEADERS = headers(HANDLER_COLUMNS)
UNIT_HEADERS = headers(UNIT_COLUMNS)
OVERDUE_HEADERS = headers(OVERDUE_COLUMNS)
CATEGORY_HEADERS = headers(CATEGORY_COLUMNS)

TITLE = "河西示范区网格化服务管理工作通报（2026年11月上半月）"


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = build_district(open_database(tmp_path_factory.mktemp("bulletin")))
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def workbook_path(district: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "通报.xlsx"
    with district.sessions() as session:
        export_bulletin(session, actor(session, "official"), parse_period("2026-11-H1"), CAL, out)
    return out


def header_row(ws: Worksheet) -> int:
    for row in range(1, 8):
        if ws.cell(row, 1).value in ("排名", "序号", "大类", "指标"):
            return row
    raise AssertionError("no header row")


def table(ws: Worksheet) -> list[list[object]]:
    """The data rows below the header, up to the first empty row."""
    rows = []
    r = header_row(ws) + 1
    while ws.cell(r, 2).value is not None or ws.cell(r, 1).value is not None:
        rows.append([c.value for c in ws[r]])
        r += 1
    return rows


def test_sheets_titles_and_headers(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    assert wb.sheetnames == list(SHEETS)
    expected = {
        "部门考核": HANDLER_HEADERS,
        "街道社区考核": UNIT_HEADERS,
        "网格员考核": HANDLER_HEADERS,
        "超期案件明细": OVERDUE_HEADERS,
        "分类统计": CATEGORY_HEADERS,
    }
    for name in SHEETS:
        ws = wb[name]
        assert ws["A1"].value == TITLE
        assert "2026年11月1日0时至2026年11月15日24时" in ws["A2"].value
        assert any(str(m).startswith("A1:") for m in ws.merged_cells.ranges)
        h = header_row(ws)
        assert h == 3  # no warning row: 2026 is in chinesecalendar
        if name in expected:
            assert tuple(c.value for c in ws[h])[: len(expected[name])] == expected[name]
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith(str(h + 1))
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == "9"  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${h}:${h}"
    assert " ".join(HANDLER_HEADERS) == (
        "排名 单位 派遣数 及时签收率 应结案数 结案数 按期结案数 结案率 按期结案率 超期数 返工数 "
        "退回数 平均处置时长(工作日) 满意率 综合得分"
    )
    assert " ".join(UNIT_HEADERS) == (
        "排名 单位 受理数 应结案数 结案数 按期结案数 结案率 按期结案率 超期数 "
        "平均处置时长(工作日) 满意率 综合得分"
    )
    assert " ".join(OVERDUE_HEADERS) == (
        "序号 案件编号 类别 处置单位 处置时限 超期时长(工作日) 状态 是否督办"
    )
    assert " ".join(CATEGORY_HEADERS) == "大类 小类 受理数 结案数 超期数"
    summary = load_workbook(workbook_path)["汇总"]
    assert [c.value for c in summary[header_row(summary)]] == [
        "指标", "数值", None, "大类", "受理数", "结案数", "超期数"
    ]  # fmt: skip
    assert [summary.column_dimensions[c].width for c in "ABCDEFG"] == [24, 14, 3, 20, 10, 10, 10]


def test_department_values_formats_colours_and_last_place(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)["部门考核"]
    rows = {r[1]: r for r in table(ws)}
    gongdian = rows["区供电分公司"]
    assert gongdian[:4] == [1, "区供电分公司", 1, 0]
    assert gongdian[4:7] == [0, 0, 0]
    assert gongdian[7] == gongdian[8] == "—"  # empty denominators
    assert gongdian[14] == pytest.approx(80.0)
    huanwei = rows["区环境卫生管理中心"]
    assert huanwei[:3] == [3, "区环境卫生管理中心", 4]
    assert huanwei[3] == pytest.approx(0.5)
    assert huanwei[4:7] == [4, 2, 1]
    assert huanwei[7] == pytest.approx(0.5) and huanwei[8] == pytest.approx(0.25)
    assert huanwei[9:12] == [3, 1, 0]
    assert huanwei[12] == pytest.approx(3.0)
    assert huanwei[14] == pytest.approx(39.5)
    idle = rows["区司法局街道司法所"]
    assert idle[0] == "—" and idle[14] == "—"

    h = header_row(ws)
    r = next(i for i in range(h + 1, h + 20) if ws.cell(i, 2).value == "区环境卫生管理中心")
    rate = ws.cell(r, 4)
    assert rate.number_format == "0.0%"
    assert rate.font.color is not None and rate.font.color.rgb.endswith("C00000")  # < 90%
    assert ws.cell(r, 13).number_format == "0.0"
    assert ws.cell(r, 15).number_format == "0.00"
    assert ws.cell(r, 1).fill.fgColor.rgb.endswith("FFE699")  # the last place
    first = next(i for i in range(h + 1, h + 20) if ws.cell(i, 2).value == "区供电分公司")
    assert ws.cell(first, 1).fill.fill_type is None


def test_other_sheets(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    summary = {r[0]: r[1] for r in table(wb["汇总"]) if r[0]}
    assert summary["受理数"] == 12 and summary["应结案数"] == 9 and summary["超期数"] == 5
    assert summary["按期结案率"] == pytest.approx(4 / 9)
    assert len(wb["汇总"]._charts) == 1
    units = {r[1]: r for r in table(wb["街道社区考核"])}
    assert units["长河街道"][2:6] == [12, 9, 5, 4]
    assert units["西岭街道"][0] == "—"
    assert units["长河街道·朝阳社区"][2] == 12
    overdue = table(wb["超期案件明细"])
    assert [r[0] for r in overdue] == [1, 2, 3, 4, 5]
    assert {r[6] for r in overdue} == {"处置中", "待核查", "已结案（逾期）"}
    assert sum(1 for r in overdue if r[7] == "是") == 1
    ws = wb["超期案件明细"]
    assert ws.cell(header_row(ws) + 1, 5).number_format == "yyyy-mm-dd hh:mm"
    categories = table(wb["分类统计"])
    assert categories[0][:5] == ["市容环境", "小计", 12, 5, 5]
    assert categories[-1][0] == "合计" and categories[-1][2:5] == [12, 5, 5]


def test_fallback_years_are_announced_in_the_title_block(
    district: Database, tmp_path: Path
) -> None:
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), parse_period("2099-03-H2"), WorkCalendar())
    assert a.fallback_years == [2099]
    out = write_bulletin(a, tmp_path / "b.xlsx")
    ws = load_workbook(out)["部门考核"]
    assert "2099年暂无节假日安排数据" in ws["A3"].value
    assert ws["A4"].value == "排名" and ws.freeze_panes == "C5"


def test_progress_and_cancel(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), parse_period("2026-11-H1"), CAL)
    seen: list[tuple[int, int]] = []
    write_bulletin(a, tmp_path / "ok.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    calls = [0]

    def cancel_soon() -> bool:
        calls[0] += 1
        return calls[0] > 2

    with pytest.raises(BulletinCancelled):
        write_bulletin(a, tmp_path / "cancelled.xlsx", cancelled=cancel_soon)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx"]  # nothing half-written


def test_export_needs_the_permission(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session, pytest.raises(PermissionDenied):
        export_bulletin(
            session, actor(session, "admin"), parse_period("2026-11-H1"), CAL, tmp_path / "x.xlsx"
        )
    assert not (tmp_path / "x.xlsx").exists()


def _cli(data_dir: Path, *extra: str) -> int:
    from desktop.commands import export_bulletin as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(list(extra))
    args.data_dir = data_dir
    return command.run(args)


def test_command_writes_the_bulletin(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bulletin.xlsx"
    assert _cli(demo_dir, "--period", "last", "--out", str(out), "--quiet") == 0
    wb = load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    assert wb["汇总"]["A1"].value.startswith("河西示范区网格化服务管理工作通报（")
    street = tmp_path / "street.xlsx"
    assert (
        _cli(demo_dir, "--period", "2026-11-H1", "--scope", "990101002", "--out", str(street)) == 0
    )
    assert load_workbook(street)["汇总"]["A1"].value.startswith("西岭街道")
    assert _cli(demo_dir, "--period", "2026-11-H3", "--out", str(tmp_path / "x.xlsx")) == 2
    assert _cli(demo_dir, "--period", "2026-11-H1", "--out", str(tmp_path / "x.csv")) == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_it_to_pdf(workbook_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / (workbook_path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert "error" not in (result.stdout + result.stderr).lower()
