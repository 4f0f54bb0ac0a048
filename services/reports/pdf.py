"""The bulletin as a PDF, for posting and for sending in work groups, without Excel.

Where LibreOffice is installed, :func:`export_pdf` writes the workbook
(:mod:`services.reports.bulletin`) to a temporary folder and has LibreOffice
print it to PDF (:func:`convert_with_libreoffice`): the PDF is then exactly the
workbook's print-out, with its page set-up, repeated headers and footers. It
runs ``soffice --headless --convert-to pdf`` with a profile of its own (so a
LibreOffice the person has open is neither used nor disturbed) and a time limit.

Without LibreOffice the same figures are laid out as an HTML document
(:func:`bulletin_html`, every text escaped) and handed to the ``render_html``
callable the caller passes: services may not import Qt, so the desktop passes
``views.reports.pdf.render_html_pdf`` (QTextDocument on a QPdfWriter).
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from services.cases.permissions import Actor, Permission, require
from services.errors import DomainError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.bulletin import STATE_ZH, write_bulletin
from services.reports.coverage import as_of_text
from services.reports.exports import clean_file_name
from services.reports.figures import (
    CATEGORY_COLUMNS,
    DAYS,
    HANDLER_COLUMNS,
    OVERDUE_COLUMNS,
    RANK,
    RATE,
    SCORE,
    SUMMARY_FIGURES,
    TEXT,
    UNIT_COLUMNS,
    Column,
)
from services.reports.notice import sign_off_lines
from services.reports.results import GOOD_RATE, Assessment, Figures, overdue_text
from services.worktime.workdays import SHANGHAI

log = logging.getLogger(__name__)

LIBREOFFICE_TIMEOUT = 300
"""Seconds LibreOffice may take to print the workbook (a county's takes a few)."""

RenderHtml = Callable[[str, Path], None]
"""Writes an HTML document to a PDF file (the desktop's Qt renderer)."""

_WINDOWS_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


class PdfFailed(DomainError):
    code = "pdf_failed"


def find_soffice() -> str | None:
    """LibreOffice's ``soffice`` on the PATH (or where its Windows installer puts it)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for place in _WINDOWS_PLACES:
            if Path(place).is_file():
                return place
    return None


def convert_with_libreoffice(
    source: Path, out: Path, *, soffice: str | None = None, timeout: float = LIBREOFFICE_TIMEOUT
) -> Path:
    """Print ``source`` (a workbook or a document) to the PDF ``out`` with LibreOffice."""
    program = soffice or find_soffice()
    if program is None:
        raise PdfFailed(QT_TRANSLATE_NOOP("services", "LibreOffice is not installed."))
    with tempfile.TemporaryDirectory(prefix="griddesk-pdf-") as work:
        folder = Path(work)
        profile = (folder / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfFailed(
                QT_TRANSLATE_NOOP(
                    "services",
                    "LibreOffice did not finish the PDF within {seconds} seconds; close other LibreOffice windows and try again.",
                ),
                seconds=int(timeout),
            ) from None
        except OSError as exc:
            raise PdfFailed(
                QT_TRANSLATE_NOOP("services", "LibreOffice could not be started: {detail}"),
                detail=str(exc),
            ) from exc
        made = folder / (Path(source).stem + ".pdf")
        if result.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            detail = (result.stderr or result.stdout or "").strip().splitlines()
            log.warning("soffice failed (%s): %s", result.returncode, result.stderr)
            raise PdfFailed(
                QT_TRANSLATE_NOOP("services", "LibreOffice could not make the PDF: {detail}"),
                detail=detail[-1] if detail else f"exit status {result.returncode}",
            )
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        _move_into_place(made, out)
    return out


def _move_into_place(made: Path, out: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".bulletin-", suffix=".pdf", dir=out.parent)
    os.close(fd)
    try:
        shutil.copyfile(made, tmp_name)
        os.replace(tmp_name, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def export_pdf(
    actor: Actor,
    assessment: Assessment,
    path: Path,
    *,
    render_html: RenderHtml | None = None,
    soffice: str | None = None,
) -> str:
    """Write the bulletin of ``assessment`` as a PDF; returns how: ``"libreoffice"`` or ``"qt"``."""
    require(actor, Permission.EXPORT_BULLETIN)
    program = soffice or find_soffice()
    path = Path(path)
    if program is not None:
        with tempfile.TemporaryDirectory(prefix="griddesk-bulletin-") as work:
            book = Path(work) / clean_file_name(path.stem + ".xlsx", fallback="bulletin")
            write_bulletin(assessment, book)
            convert_with_libreoffice(book, path, soffice=program)
        return "libreoffice"
    if render_html is None:
        raise PdfFailed(
            QT_TRANSLATE_NOOP(
                "services",
                "A PDF needs LibreOffice on this computer; install it, or export the workbook and print it to PDF.",
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".bulletin-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        render_html(bulletin_html(assessment), Path(tmp_name))
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return "qt"


# --------------------------------------------------------------------------- the HTML
EMPTY = "—"
_TABLE = '<table width="100%" cellspacing="0" cellpadding="2">'


def _e(value: object) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _figure(value: object, kind: str) -> tuple[str, bool]:
    """The text of a figure and whether it shows in red (a rate below 90 %)."""
    if value is None:
        return EMPTY, False
    if kind == RATE:
        rate = float(value)  # type: ignore[arg-type]
        return f"{rate * 100:.1f}%", rate < GOOD_RATE
    if kind == DAYS:
        return f"{float(value):.1f}", False  # type: ignore[arg-type]
    if kind == SCORE:
        return f"{float(value):.2f}", False  # type: ignore[arg-type]
    return str(value), False


def _local(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


SCORE_TEXT = "right-aligned text"


def _cell(value: object, kind: str, *, bold: bool = False) -> str:
    text, red = _figure(value, kind)
    align = "left" if kind == TEXT else ("center" if kind == RANK else "right")
    style = f"text-align:{align};"
    if red:
        style += "color:#c00000;"
    if bold:
        style += "font-weight:bold;"
    return f'<td style="{style}">{_e(text)}</td>'


def _head(columns: tuple[Column, ...] | list[Column]) -> str:
    """The header row (repeated on every page), columns as wide as in the workbook."""
    total = sum(c.width for c in columns) or 1
    cells = "".join(
        f'<th width="{c.width * 100 / total:.1f}%">{_e(c.header)}</th>' for c in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _ranking(rows: list[Figures], columns: tuple[Column, ...]) -> str:
    body = []
    for fig in rows:
        cls = ' class="last"' if fig.last_place else ""
        cells = "".join(_cell(c.value(fig), c.kind) for c in columns)
        body.append(f"<tr{cls}>{cells}</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(columns)}" align="center">本期无数据</td></tr>')
    return f"{_TABLE}{_head(columns)}<tbody>{''.join(body)}</tbody></table>"


def bulletin_html(a: Assessment) -> str:
    """The bulletin's sheets as one HTML document (what the Qt renderer prints)."""
    generated = a.generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    parts = [
        "<html><head><meta charset='utf-8'><style>",
        "body{font-family:'SimSun','Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:9pt;}",
        "h1{font-size:16pt;text-align:center;margin:0;}",
        "h2{font-size:12pt;margin-top:0;margin-bottom:4px;page-break-before:always;}",
        "h2.first{page-break-before:auto;margin-top:10px;}",
        "p.period{text-align:center;font-size:9pt;}",
        "p.warn{text-align:center;color:#c00000;font-weight:bold;}",
        "p.note{font-size:8pt;font-style:italic;}",
        "table{border-collapse:collapse;border:1px solid #808080;}",
        "th{background-color:#d9e1f2;font-weight:bold;border:1px solid #808080;padding:2px;}",
        "td{border:1px solid #808080;padding:2px;}",
        "tr.last td{background-color:#ffe699;}",
        "p.sign{text-align:right;font-size:12pt;margin-top:24px;}",
        "</style></head><body>",
        f"<h1>{_e(a.title)}</h1>",
        f"<p class='period'>统计时段：{_e(a.period.range_zh())}　统计范围：{_e(a.scope_name)}"
        f"　生成时间：{_e(generated)}</p>",
    ]
    if a.as_of is not None:
        parts.append(f"<p class='warn'>{_e(as_of_text(a.as_of))}</p>")
    if a.fallback_years:
        years = "、".join(str(y) for y in a.fallback_years)
        parts.append(
            f"<p class='warn'>注意：{_e(years)}年暂无节假日安排数据，本期工作日按周一至周五计算。</p>"
        )
    parts.append(
        "<h2 class='first'>一、汇总</h2><table cellspacing='0' cellpadding='2'>"
        "<thead><tr><th>指标</th><th>数值</th></tr></thead>"
    )
    for figure in SUMMARY_FIGURES:
        parts.append(
            f"<tr><td><b>{_e(figure.header)}</b></td>{_cell(figure.value(a.totals), figure.kind)}</tr>"
        )
    parts.append("</table>")
    parts.append("<h2>二、部门考核</h2>" + _ranking(a.departments, HANDLER_COLUMNS))
    parts.append("<h2>三、街道社区考核</h2>" + _ranking([*a.streets, *a.communities], UNIT_COLUMNS))
    parts.append("<h2>四、网格员考核</h2>" + _ranking(a.grid_workers, HANDLER_COLUMNS))
    parts.append("<h2>五、超期案件明细</h2>" + _TABLE + _head(OVERDUE_COLUMNS) + "<tbody>")
    per_day = a.minutes_per_day
    for n, case in enumerate(a.overdue, 1):
        deadline = _local(case.deadline) if case.deadline else EMPTY
        values: dict[str, tuple[object, str]] = {
            "position": (n, RANK),
            "deadline": (deadline, RANK),
            "overdue_days": (overdue_text(case.overdue_days * per_day, per_day), SCORE_TEXT),
            "state": (STATE_ZH.get(case.state, case.state), RANK),
            "supervised": ("是" if case.supervised else "否", RANK),
        }
        cells = "".join(
            _cell(*values[c.key]) if c.key in values else _cell(c.value(case) or EMPTY, TEXT)
            for c in OVERDUE_COLUMNS
        )
        parts.append(f"<tr>{cells}</tr>")
    if not a.overdue:
        parts.append(
            f'<tr><td colspan="{len(OVERDUE_COLUMNS)}" align="center">本期无超期案件</td></tr>'
        )
    parts.append("</tbody></table>")
    parts.append("<h2>六、分类统计</h2>" + _TABLE + _head(CATEGORY_COLUMNS) + "<tbody>")
    for cat in a.categories:
        subtotal = cat.code is None
        parts.append(
            "<tr>"
            + _cell(cat.parent_name, TEXT, bold=subtotal)  # on every row: pages split blocks
            + _cell("小计" if subtotal else (cat.name or "（未细分）"), TEXT, bold=subtotal)
            + "".join(_cell(c.value(cat), c.kind, bold=subtotal) for c in CATEGORY_COLUMNS[2:])
            + "</tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        "<p class='note'>注：综合得分按加权比率计算，分母为零的比率显示为“—”；"
        "比率低于90%的以红色显示，末位单位以黄色底纹标注。</p>"
    )
    lines = [line for line in sign_off_lines(a) if line]
    parts.append("<p class='sign'>" + "<br>".join(_e(line) for line in lines) + "</p>")
    parts.append("</body></html>")
    return "".join(parts)
