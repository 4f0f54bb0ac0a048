"""Build resources/templates/bulletin-notice.docx, the default template of the 通报.

    .venv/bin/python tools/make_notice_template.py [OUT.docx]

The template is an ordinary Word document with docxtpl (Jinja) tags: an
office may open it in Word or WPS, change the wording, the fonts or the demands
of 四、下步工作要求, and put the result in its data folder as
``templates/bulletin-notice.docx`` (services/reports/notice.py). This script
is how the shipped one is made, so that a change to its layout is a reviewed
change of code; the names it may use are listed in notice.py's docstring.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "templates" / "bulletin-notice.docx"

TITLE_FONT = "宋体"  # offices that have 方正小标宋简体 put it here
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"


def _fonts(run_or_style: object, east_asian: str, size: float, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = "Times New Roman"
    font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)


def _para(
    doc: object,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 14,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = True,
    before: float = 0,
    after: float = 0,
    keep: bool = False,
) -> Paragraph:
    p: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    fmt = p.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = Pt(size * 1.6)
    fmt.keep_with_next = keep
    _fonts(p.add_run(text), font, size, bold)
    return p


def _tag(doc: object, tag: str) -> None:
    """A paragraph holding only a block tag (docxtpl removes it when rendering)."""
    _para(doc, tag, indent=False, size=10)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    cant_split = OxmlElement("w:cantSplit")
    trpr.append(cant_split)


def _cant_split(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    trpr.append(OxmlElement("w:cantSplit"))


def _cell_text(cell: object, text: str, *, bold: bool = False, left: bool = False) -> None:
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    _fonts(p.add_run(text), TABLE_FONT, 9, bold)


def _shade(cell: object, color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    tcpr.append(shd)


def _table(
    doc: object,
    columns: list[tuple[str, str, float, bool]],
    loop: str,
) -> Table:
    """A real Word table: a header row (repeated on every page), then one row per item.

    ``columns`` are (header, the item's Jinja expression, width in cm, left-aligned).
    """
    table: Table = doc.add_table(rows=4, cols=len(columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header, open_, body, close = table.rows
    _repeat_header(header)
    for i, (title, expr, width, left) in enumerate(columns):
        table.columns[i].width = Cm(width)  # the grid LibreOffice lays out by
        for row in table.rows:
            row.cells[i].width = Cm(width)
        _cell_text(header.cells[i], title, bold=True)
        _shade(header.cells[i], "D9E1F2")
        _cell_text(body.cells[i], "{{ " + expr + " }}", left=left)
    _cant_split(body)
    _cell_text(open_.cells[0], "{%tr for r in " + loop + " %}")
    _cell_text(close.cells[0], "{%tr endfor %}")
    return table


RANKING = [
    ("排名", "r.rank", 1.0, False),
    ("单位", "r.name", 3.7, True),
    ("应结案数", "r.due", 1.5, False),
    ("按期结案率", "r.on_time_rate", 1.7, False),
    ("环比(百分点)", "r.on_time_change", 1.7, False),
    ("结案率", "r.closure_rate", 1.5, False),
    ("满意率", "r.satisfaction_rate", 1.5, False),
    ("综合得分", "r.score", 1.5, False),
    ("名次变化", "r.rank_change", 1.5, False),
]
FIGURES = [
    ("指标", "r.name", 4.4, True),
    ("本期", "r.now", 3.3, False),
    ("上期", "r.before", 3.3, False),
    ("环比", "r.change", 4.6, False),
]
OVERDUE = [
    ("序号", "r.position", 0.9, False),
    ("案件编号", "r.number", 3.7, True),
    ("事项", "r.title", 3.7, True),
    ("处置单位", "r.assignee", 2.7, True),
    ("处置时限", "r.deadline", 2.2, False),
    ("超期时长", "r.overdue", 1.8, False),
    ("督办", "r.supervised", 0.9, False),
]
SUPERVISED = [
    ("序号", "r.position", 0.9, False),
    ("案件编号", "r.number", 3.7, True),
    ("事项", "r.title", 3.8, True),
    ("处置单位", "r.assignee", 2.9, True),
    ("督办时间", "r.supervised_at", 2.8, False),
    ("期末状态", "r.state", 1.7, False),
]


def build(out: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.0)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    _fonts(doc.styles["Normal"], BODY_FONT, 14)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(footer.add_run("— "), BODY_FONT, 12)
    page = footer.add_run()
    _fonts(page, BODY_FONT, 12)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            page._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            page._r.append(instr)
    _fonts(footer.add_run(" —"), BODY_FONT, 12)

    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        doc,
        "{{ title }}",
        font=TITLE_FONT,
        size=20,
        bold=True,
        align=center,
        indent=False,
        after=12,
    )
    _tag(doc, "{%p if as_at_note %}")
    _para(doc, "{{ as_at_note }}", size=12, bold=True, align=center, indent=False)
    _tag(doc, "{%p endif %}")
    _para(
        doc,
        "为进一步提升网格化服务管理工作质效，压实各单位案件处置责任，"
        "现将{{ period_label }}{{ scope }}网格化服务管理工作情况通报如下：",
    )

    _para(doc, "一、总体情况", font=HEADING_FONT, size=16, indent=True, before=6)
    _para(
        doc,
        "{{ period_range }}，{{ scope }}共受理案件{{ t.created }}件，派遣{{ t.dispatched }}件；"
        "应结案{{ t.due }}件，结案{{ t.closed }}件，其中按期结案{{ t.on_time }}件。"
        "结案率{{ t.closure_rate }}，按期结案率{{ t.on_time_rate }}（{{ t.on_time_change }}），"
        "及时签收率{{ t.ack_rate }}，满意率{{ t.satisfaction_rate }}；"
        "超期案件{{ t.overdue }}件，返工{{ t.rework }}件，退回{{ t.returned }}件。"
        "主要指标与上期（{{ previous_label }}）对比如下：",
        keep=True,
    )
    _table(doc, FIGURES, "figures")

    _para(doc, "二、各单位考核情况", font=HEADING_FONT, size=16, before=12, keep=True)
    _tag(doc, "{%p for g in groups %}")
    _para(doc, "（{{ g.seq }}）{{ g.name }}", font="楷体", size=14, bold=True, before=6, keep=True)
    _para(doc, "{{ g.summary }}", keep=True)
    _table(doc, RANKING, "g.rows")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if not groups %}")
    _para(doc, "本期各单位均无考核业务量。")
    _tag(doc, "{%p endif %}")
    _para(
        doc,
        "注：按综合得分排名；环比为与上期相比的变化，按期结案率以百分点计，"
        "名次“↑”为上升、“↓”为下降；本期无业务量的单位不参与排名。",
        size=10.5,
    )

    _para(doc, "三、超期及督办案件", font=HEADING_FONT, size=16, before=12, keep=True)
    _para(doc, "{{ overdue_summary }}", keep=True)
    _tag(doc, "{%p if overdue %}")
    _table(doc, OVERDUE, "overdue")
    _tag(doc, "{%p endif %}")
    _para(doc, "{{ supervised_summary }}", keep=True)
    _tag(doc, "{%p if supervised %}")
    _table(doc, SUPERVISED, "supervised")
    _tag(doc, "{%p endif %}")

    _para(doc, "四、下步工作要求", font=HEADING_FONT, size=16, before=12)
    for text in (
        "（一）压实处置责任。各单位要对照本通报逐件梳理超期案件，明确责任人和办结时限，"
        "督办案件须在督办之日起3个工作日内反馈办理进展。",
        "（二）提升处置质效。严格执行签收、处置、反馈时限，杜绝“应签未签”“超期未办”，"
        "对群众反映强烈的问题实行首接负责、一办到底。",
        "（三）加强回访核查。网格员要及时回访核查处置结果，确保问题真正解决、群众满意，"
        "减少返工和退回。",
        "（四）强化考核运用。本通报结果纳入年度综合考核，对排名连续靠后的单位将约谈提醒。",
    ):
        _para(doc, text)

    _para(doc, "附件：{{ title }}（考核表）", before=12)
    _para(doc, "", indent=False)
    _para(doc, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, before=24)
    _para(doc, "{{ issue_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _tag(doc, "{%p if signatures %}")
    _para(doc, "{{ signatures }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, before=12)
    _tag(doc, "{%p endif %}")

    doc.core_properties.title = "网格化服务管理工作通报（模板）"
    doc.core_properties.author = "GridDesk"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
