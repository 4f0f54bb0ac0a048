"""The 通报 as a Word document and the bulletin as a PDF (services/reports/notice.py,
services/reports/pdf.py, views/reports/pdf.py): content read back with python-docx
and from the PDF's text, hostile names and titles kept literal, the office's own
template, LibreOffice's conversion (where installed) and the Qt path without it."""

from __future__ import annotations

import argparse
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select, update

from models.db import Database, open_database
from models.tables import Case, Department
from services.errors import PermissionDenied, ValidationError
from services.reports import pdf as pdf_service
from services.reports.assessment import assess
from services.reports.notice import (
    TEMPLATE_NAME,
    export_notice,
    plain,
    points_change,
    rank_change,
    template_path,
    write_notice,
)
from services.reports.pdf import bulletin_html, export_pdf, find_soffice
from services.reports.periods import parse_period
from services.reports.results import overdue_text
from tests.assessment_scenario import CAL, build_district
from tests.builders import actor

PERIOD = parse_period("2026-11-H1")
TITLE = "河西示范区网格化服务管理工作通报（2026年11月上半月）"
SECTIONS = ("一、总体情况", "二、各单位考核情况", "三、超期及督办案件", "四、下步工作要求")
HOSTILE_TITLE = "{{ 7*7 }}{% if true %}注入{% endif %}<w:t>&amp;{_{ x }_}结尾"
HOSTILE_UNIT = "{{ title }}局<b>粗</b>"

RADICALS = str.maketrans(
    "⻔⻚⻓⻛⻢⻄⻅⻋⻝⻘⻜⻥⻬⻩⻰⻳⺠⺟⻆⻉⻙⻣⻤⻨",
    "门页长风马西见车食青飞鱼齐黄龙龟民母角贝韦骨鬼麦",
)
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = build_district(open_database(tmp_path_factory.mktemp("documents")))
    with db.session() as session:  # people's text that looks like template syntax and markup
        session.execute(update(Case).values(title=HOSTILE_TITLE))
        first = session.scalars(select(Department).order_by(Department.id)).first()
        assert first is not None
        session.execute(
            update(Department).where(Department.id == first.id).values(name=HOSTILE_UNIT)
        )
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def notice(district: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notice") / "通报.docx"
    with district.sessions() as session:
        export_notice(session, actor(session, "official"), PERIOD, CAL, out)
    return out


def doc_text(path: Path) -> str:
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    # CJK fonts map some glyphs to Kangxi radicals (NFKC folds them) or to the
    # radicals supplement (NFKC keeps them): fold both back to the characters.
    return unicodedata.normalize("NFKC", text).translate(RADICALS)


def table_rows(path: Path, first_header: str) -> list[list[str]]:
    for table in Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table headed {first_header}")


def test_the_notice_has_its_sections_figures_and_real_tables(
    notice: Path, district: Database
) -> None:
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), PERIOD, CAL)
    worst = max(a.overdue, key=lambda c: c.overdue_days)
    text = doc_text(notice)
    assert text.startswith(TITLE)
    for section in SECTIONS:
        assert section in text
    assert "共受理案件12件，派遣10件；应结案9件，结案5件，其中按期结案4件" in text
    assert "按期结案率44.4%（较上期下降55.6个百分点）" in text
    assert "压实处置责任" in text  # 四、下步工作要求 comes from the template
    figures = {row[0]: row[1:] for row in table_rows(notice, "指标")}
    assert figures["受理数（件）"] == ["12", "2", "增加10件（+500.0%）"]
    assert figures["按期结案率"] == ["44.4%", "100.0%", "下降55.6个百分点"]
    assert figures["满意率"] == ["66.7%", "—", "上期无可比数据"]
    # the units: the departments ranked, with their change against the previous period
    ranking = table_rows(notice, "排名")
    assert ranking[0] == [
        "排名",
        "单位",
        "应结案数",
        "按期结案率",
        "环比(百分点)",
        "结案率",
        "满意率",
        "综合得分",
        "名次变化",
    ]
    by_name = {row[1]: row for row in ranking[1:]}
    assert by_name["区环境卫生管理中心"][0] == "3"
    assert by_name["区环境卫生管理中心"][8] == "↓2"  # first in October's second half
    assert "综合得分排名前三位的是：区供电分公司（80.00分）" in text
    assert "本期仅长河街道一个单位有考核业务量" in text
    # the worst overdue cases and the urged ones, with the titles as typed
    overdue = table_rows(notice, "序号")
    assert [row[0] for row in overdue[1:]] == ["1", "2", "3", "4", "5"]  # 超期数 5
    assert overdue[1][1] == worst.number
    assert overdue[1][5] == overdue_text(worst.overdue_days * a.minutes_per_day, a.minutes_per_day)
    assert overdue[1][5].endswith("工作日")
    assert "本期督办案件1件" in text
    doc = Document(str(notice))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "河西示范区" in paragraphs  # the 落款: the issuing unit, then the date
    date_line = paragraphs[paragraphs.index("河西示范区") + 1]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date_line)
    assert len(doc.tables) >= 5  # figures, two rankings, overdue, urged: Word tables


def test_people_text_is_never_template_or_markup(notice: Path) -> None:
    text = doc_text(notice)
    literal = plain(HOSTILE_TITLE).replace("\u2060", "")
    shown = text.replace("\u2060", "")
    assert literal in shown
    assert "{{ 7*7 }}{% if true %}注入{% endif %}<w:t>&amp;{_{ x }_}" in shown
    assert "49" not in text.replace("2026", "")
    assert "{{ title }}局<b>粗</b>" in shown  # a unit's name, printed as typed


def test_plain_keeps_text_on_one_line_without_tags() -> None:
    # docxtpl would turn \f into a page break, \t into a tab and \n into a line break,
    # and "{_{" of its output into "{{"; XML 1.0 cannot hold \x01 at all.
    assert plain("甲\f乙\t丙\n丁\x01戊") == "甲 乙 丙 丁戊"
    assert plain("{_{ x }_}").replace("\u2060", "") == "{_{ x }_}"
    assert "{_{" not in plain("{_{ x }_}") and "}_}" not in plain("{_{ x }_}")


def test_the_office_template_replaces_the_shipped_one(district: Database, tmp_path: Path) -> None:
    own = tmp_path / "data" / "templates" / TEMPLATE_NAME
    own.parent.mkdir(parents=True)
    doc = Document()
    doc.add_paragraph("本街道自定义：{{ title }}，超期{{ t.overdue }}件。")
    doc.add_paragraph("{{ issuer }} {{ issue_date }}")
    doc.save(str(own))
    assert template_path(tmp_path / "data") == own
    assert template_path(tmp_path / "elsewhere").name == TEMPLATE_NAME
    out = tmp_path / "own.docx"
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, PERIOD, CAL)
        write_notice(session, official, a, CAL, out, data_dir=tmp_path / "data")
        assert doc_text(out).startswith(f"本街道自定义：{TITLE}，超期5件。")
        broken = Document()
        broken.add_paragraph("{{ title ")
        broken.save(str(own))
        with pytest.raises(ValidationError) as caught:
            write_notice(session, official, a, CAL, tmp_path / "x.docx", data_dir=tmp_path / "data")
        assert str(own) in str(caught.value.params.get("path", "")) or str(own) in str(caught.value)
        own.write_bytes(b"not a zip")
        with pytest.raises(ValidationError):
            write_notice(session, official, a, CAL, tmp_path / "x.docx", data_dir=tmp_path / "data")
    assert not (tmp_path / "x.docx").exists()


def test_an_office_template_cannot_reach_python(district: Database, tmp_path: Path) -> None:
    """A swapped template fills in figures; it never reaches Python's objects."""
    own = tmp_path / "data" / "templates" / TEMPLATE_NAME
    own.parent.mkdir(parents=True)
    doc = Document()
    doc.add_paragraph("{{ title.__class__.__mro__[1].__subclasses__() }}")
    doc.save(str(own))
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, PERIOD, CAL)
        with pytest.raises(ValidationError):
            write_notice(session, official, a, CAL, tmp_path / "x.docx", data_dir=tmp_path / "data")
    assert not (tmp_path / "x.docx").exists()


def test_the_notice_needs_the_export_permission(district: Database, tmp_path: Path) -> None:
    with district.sessions() as session, pytest.raises(PermissionDenied):
        export_notice(session, actor(session, "admin"), PERIOD, CAL, tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def test_changes_are_said_in_points_and_places() -> None:
    assert points_change(0.9, 0.85) == "↑5.0"
    assert points_change(0.5, 0.75, words=True) == "较上期下降25.0个百分点"
    assert points_change(0.5, None) == "—"
    assert points_change(0.5, 0.5) == "持平"
    assert rank_change(1, 4) == "↑3"
    assert rank_change(5, 2) == "↓3"
    assert rank_change(2, None) == "新进排名"
    assert rank_change(None, 1) == "—"


@pytest.mark.slow
@needs_soffice
def test_libreoffice_writer_opens_the_notice(notice: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(find_soffice()),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(notice),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / (notice.stem + ".pdf"))
    flat = "".join(text.split())
    for section in SECTIONS:
        assert section in flat
    assert "共受理案件12件" in flat
    assert "区环境卫生管理中心" in flat


@pytest.mark.slow
@needs_soffice
def test_pdf_through_libreoffice(district: Database, tmp_path: Path) -> None:
    out = tmp_path / "bulletin.pdf"
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, PERIOD, CAL)
    assert export_pdf(official, a, out) == "libreoffice"
    flat = "".join(pdf_text(out).split())
    assert unicodedata.normalize("NFKC", TITLE) in flat
    assert "区环境卫生管理中心" in flat
    assert "第1页共" in flat


def test_pdf_through_qt_without_libreoffice(
    district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    from views.reports.pdf import render_html_pdf

    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert find_soffice() is None
    out = tmp_path / "bulletin.pdf"
    with district.sessions() as session:
        official = actor(session, "official")
        a = assess(session, official, PERIOD, CAL)
        with pytest.raises(pdf_service.PdfFailed):
            export_pdf(official, a, tmp_path / "none.pdf")  # no LibreOffice, no renderer
        assert export_pdf(official, a, out, render_html=render_html_pdf) == "qt"
        with pytest.raises(PermissionDenied):
            export_pdf(actor(session, "admin"), a, tmp_path / "x.pdf", render_html=render_html_pdf)
    assert not (tmp_path / "none.pdf").exists() and not (tmp_path / "x.pdf").exists()
    text = pdf_text(out)
    flat = "".join(text.split())
    assert unicodedata.normalize("NFKC", TITLE) in flat
    for sheet in (
        "一、汇总",
        "二、部门考核",
        "三、街道社区考核",
        "五、超期案件明细",
        "六、分类统计",
    ):
        assert sheet in flat
    assert "第1页共" in flat
    assert "区环境卫生管理中心" in flat and "39.50" in flat
    assert "{{title}}局<b>粗</b>" in flat  # escaped, shown as typed


def test_the_html_escapes_people_text(district: Database) -> None:
    with district.sessions() as session:
        a = assess(session, actor(session, "official"), PERIOD, CAL)
    page = bulletin_html(a)
    assert "<b>粗</b>" not in page
    assert "&lt;b&gt;粗&lt;/b&gt;" in page


def _cli(data_dir: Path, *extra: str) -> int:
    from desktop.commands import export_bulletin as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(list(extra))
    args.data_dir = data_dir
    return command.run(args)


def test_command_writes_the_notice_and_the_pdf(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    out = tmp_path / "notice.docx"
    assert _cli(demo_dir, "--period", "last", "--format", "docx", "--out", str(out)) == 0
    text = doc_text(out)
    for section in SECTIONS:
        assert section in text
    assert (
        _cli(demo_dir, "--period", "last", "--format", "docx", "--out", str(tmp_path / "a.pdf"))
        == 2
    )
    assert (
        _cli(demo_dir, "--period", "last", "--format", "pdf", "--out", str(tmp_path / "a.docx"))
        == 2
    )
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # the Qt path
    pdf = tmp_path / "bulletin.pdf"
    assert _cli(demo_dir, "--period", "last", "--out", str(pdf)) == 0
    assert "网格化服务管理工作通报" in "".join(pdf_text(pdf).split())
