"""The bulletin workbook read back with openpyxl: sheets, titles, headers, values,
number formats, colours, print set-up; cancel and progress; the command; and,
where LibreOffice is installed, its conversion to PDF."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.db import Database, open_database
from services import settings as settings_service
from services.errors import PermissionDenied, ValidationError
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
from services.reports.results import overdue_text
from services.settings import BULLETIN_ISSUER, BULLETIN_REVIEWER, BULLETIN_SIGNER
from services.worktime.workdays import SHANGHAI, WorkCalendar, load_calendar
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
        assert ws.print_title_rows == f"$1:${h}"  # the title block and the header
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        margins = ws.page_margins
        assert margins.bottom - margins.footer >= 0.5  # room for the footer line, whole
        # No merged cell spans rows: a page break could split it.
        assert all(m.min_row == m.max_row for m in ws.merged_cells.ranges), name
    assert " ".join(HANDLER_HEADERS) == (
        "排名 单位 派遣数 及时签收率 应结案数 结案数 按期结案数 结案率 按期结案率 超期数 返工数 "
        "退回数 平均处置时长(工作日) 满意率 综合得分"
    )
    assert " ".join(UNIT_HEADERS) == (
        "排名 单位 受理数 应结案数 结案数 按期结案数 结案率 按期结案率 超期数 "
        "平均处置时长(工作日) 满意率 综合得分"
    )
    assert " ".join(OVERDUE_HEADERS) == (
        "序号 案件编号 标题 地址 类别 处置单位 处置时限 超期时长 状态 是否督办"
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
    assert {r[8] for r in overdue} == {"处置中", "待核查", "已结案（逾期）"}
    assert sum(1 for r in overdue if r[9] == "是") == 1
    assert {r[2] for r in overdue} == {"测试案件"}  # the title
    ws = wb["超期案件明细"]
    assert ws.cell(header_row(ws) + 1, 7).number_format == "yyyy-mm-dd hh:mm"
    categories = table(wb["分类统计"])
    assert categories[0][:5] == ["市容环境", "小计", 12, 5, 5]
    assert {r[0] for r in categories[:-1]} == {"市容环境"}  # on every row, never merged
    assert categories[-1][0] == "合计" and categories[-1][2:5] == [12, 5, 5]


def test_fallback_years_are_announced_in_the_title_block(
    district: Database, tmp_path: Path
) -> None:
    with district.sessions() as session:
        a = assess(
            session,
            actor(session, "official"),
            parse_period("2099-03-H2"),
            WorkCalendar(),
            now=datetime(2099, 4, 2, tzinfo=UTC),
        )
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


def test_overdue_sheet_lists_the_cases_overdue_at_e_in_words(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)["超期案件明细"]
    rows = table(ws)
    summary = {r[0]: r[1] for r in table(load_workbook(workbook_path)["汇总"]) if r[0]}
    assert len(rows) == summary["超期数"]  # exactly the cases counted in 超期数
    e = datetime(2026, 11, 16)  # E, local time
    for row in rows:
        deadline, overdue, state = row[6], str(row[7]), row[8]
        assert isinstance(deadline, datetime) and deadline < e  # overdue at E
        assert re.fullmatch(r"\d+\.\d 工作日|\d\.\d 小时|\d+ 分钟|非工作时间", overdue), overdue
        assert not overdue.startswith("0.0")
        assert state in ("处置中", "待核查", "已结案（逾期）", "已派遣", "已退回")
    # The worked example's two: a whole working day open at E, 90 minutes closed late.
    assert "1.0 工作日" in {str(r[7]) for r in rows}
    assert "1.5 小时" in {str(r[7]) for r in rows}


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (900, "2.0 工作日"),
        (450, "1.0 工作日"),
        (449, "7.5 小时"),
        (90, "1.5 小时"),
        (6, "0.1 小时"),
        (5.9, "5 分钟"),
        (1, "1 分钟"),
        (0.5, "非工作时间"),
        (0, "非工作时间"),
    ],
)
def test_overdue_time_in_words_is_never_zero(minutes: float, text: str) -> None:
    assert overdue_text(minutes, 450) == text


def test_sign_off_block_from_the_settings(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), parse_period("2026-11-H1"), CAL)
    plain = load_workbook(write_bulletin(a, tmp_path / "plain.xlsx"))["汇总"]
    texts = [c.value for row in plain.iter_rows() for c in row if isinstance(c.value, str)]
    centre = texts[-2]  # the issuer falls back to the centre's name (or the scope's)
    assert centre in ("河西示范区", "河西示范区网格化服务管理中心")
    day = a.generated_at.astimezone(SHANGHAI).date()
    assert texts[-1] == f"{day.year}年{day.month}月{day.day}日"
    assert not any(t.startswith("审核") for t in texts)
    with district.session() as session:
        admin = actor(session, "admin")
        settings_service.change(session, admin, BULLETIN_ISSUER, "  长河街道  网格化服务管理中心 ")
        settings_service.change(session, admin, BULLETIN_REVIEWER, "王审核")
        settings_service.change(session, admin, BULLETIN_SIGNER, "=HYPERLINK(1)")
    try:
        with district.sessions() as session:
            a = assess(session, actor(session, "official"), parse_period("2026-11-H1"), CAL)
        ws = load_workbook(write_bulletin(a, tmp_path / "signed.xlsx"))["汇总"]
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert [c.value for c in cells[-3:]] == [
            "长河街道 网格化服务管理中心",
            f"{day.year}年{day.month}月{day.day}日",
            "审核：王审核　　签发：=HYPERLINK(1)",
        ]
        assert cells[-1].data_type == "s"  # text, never a formula
        last = cells[-1].row
        assert any(str(m) == f"D{last}:G{last}" for m in ws.merged_cells.ranges)
    finally:
        with district.session() as session:
            for key in (BULLETIN_ISSUER, BULLETIN_REVIEWER, BULLETIN_SIGNER):
                settings_service.put(session, key, "")


def test_sign_off_settings_need_the_settings_permission(district: Database) -> None:
    with district.session() as session:
        with pytest.raises(PermissionDenied):
            settings_service.change(session, actor(session, "official"), BULLETIN_SIGNER, "x")
        with pytest.raises(ValidationError):
            settings_service.change(session, actor(session, "admin"), BULLETIN_ISSUER, "长" * 61)
        session.rollback()


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the grey bytes of a binary PGM (what ``pdftoppm -gray`` writes)."""
    data = path.read_bytes()
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert fields is not None
    width, height = int(fields.group(1)), int(fields.group(2))
    return width, height, data[fields.end() : fields.end() + width * height]


def _footer_ink(pdf: Path, page: int, tmp_path: Path) -> tuple[float, float]:
    """How much of the footer line's box its ink fills, and how far above the box's
    bottom the ink stops (in points).

    ``pdftotext`` extracts a footer whole even where the page clips it, so the ink is
    looked at: the page's footer band is drawn (pdftoppm) and the rows of dark pixels
    measured against the words' box; a footer cut in half fills half as much."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = [
        (float(m.group(1)), float(m.group(2)))
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">第<', bbox)
    ]
    assert boxes, f"page {page} has no footer"
    top, bottom = boxes[-1]
    dpi = 144
    scale = dpi / 72
    y0 = int(top * scale) - 2
    height = int((bottom - top) * scale) + 8
    out = tmp_path / f"footer-{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
         "-y", str(y0), "-H", str(height), "-W", "4000", "-singlefile", str(pdf), str(out)],
        check=True,
    )  # fmt: skip
    width, rows, pixels = _read_pgm(out.with_suffix(".pgm"))
    inked = [y for y in range(rows) if min(pixels[y * width : (y + 1) * width]) < 128]
    assert inked, f"page {page}: the footer prints nothing"
    ink_top, ink_bottom = (y0 + min(inked)) / scale, (y0 + max(inked)) / scale
    return (ink_bottom - ink_top) / (bottom - top), bottom - ink_bottom


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils is not installed",
)
def test_libreoffice_prints_it_whole(demo_dir: Path, tmp_path: Path) -> None:
    """The demo district's bulletin through LibreOffice: pages numbered in whole footers,
    the title block on every page, the 大类 on every page of its rows, the 落款."""
    from models.types import utcnow
    from services.reports.periods import last_complete_half_month

    period = last_complete_half_month(utcnow())
    workbook = tmp_path / "bulletin.xlsx"
    db = open_database(demo_dir)
    try:
        with db.sessions() as session:
            a = export_bulletin(
                session, actor(session, "official"), period, load_calendar(session), workbook
            )
            categories = {row.parent_name for row in a.categories}
    finally:
        db.dispose()
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pdf = workbook.with_suffix(".pdf")
    pages = _pdf_pages(pdf)
    n = len(pages)
    # One page for 汇总 (fit to one page), at least one per other sheet.
    assert n >= len(SHEETS)
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == a.title, f"page {number}: the title row does not repeat"
        assert lines[1].startswith("统计时段："), f"page {number}"
        footer = re.sub(r"\s+", " ", lines[-1])
        assert footer == f"第 {number} 页 共 {n} 页", f"page {number}: {lines[-1]!r}"
    for number in (1, n // 2, n):
        # A whole line's glyphs fill about 0.65 of its box; the old footer, cut in half
        # by a 0.3-inch footer band, filled 0.35.
        fill, gap = _footer_ink(pdf, number, tmp_path)
        assert fill > 0.55, f"page {number}: the footer is cut ({fill:.2f}, {gap:.1f} pt short)"
    # 分类统计: every table row of every page names its 大类 (no merged block split).
    rows_seen = 0
    for page in pages:
        if "大类" not in page or "小类" not in page:
            continue
        for line in page.splitlines():
            cells = line.split()
            if len(cells) >= 4 and all(c.isdigit() for c in cells[-3:]):
                rows_seen += 1
                assert cells[0] in categories or cells[0] == "合计", line
    assert rows_seen >= len(a.categories)
    # The 落款 closes 汇总, the first page.
    first = pages[0]
    issued = a.generated_at.astimezone(SHANGHAI).date()
    assert a.sign_off is not None and a.sign_off.issuer in first
    assert f"{issued.year}年{issued.month}月{issued.day}日" in first
