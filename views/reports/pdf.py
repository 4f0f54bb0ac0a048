"""Printing the bulletin to PDF with Qt, for computers without LibreOffice.

:func:`render_html_pdf` lays out the HTML of
:func:`services.reports.pdf.bulletin_html` in a QTextDocument on A4 landscape
pages and paints page after page on a QPdfWriter, each with the footer
"第 n 页 共 N 页"; table headers repeat on every page (``<thead>``). It needs a
QGuiApplication (the window's, or :func:`ensure_gui_application` for a command)
and may run on a worker thread: it touches no widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

RESOLUTION = 300
MARGIN_MM = 10.0
FOOTER_MM = 8.0

_app: QGuiApplication | None = None


def ensure_gui_application() -> None:
    """A QGuiApplication for a command run without a window (offscreen, no display needed)."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication(["griddesk", "-platform", "offscreen"])


def render_html_pdf(html: str, out: Path, title: str = "") -> None:
    """Write ``html`` to the PDF ``out``: A4 landscape, numbered pages."""
    writer = QPdfWriter(str(out))
    writer.setResolution(RESOLUTION)
    writer.setTitle(title)
    writer.setCreator("GridDesk")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    page = writer.pageLayout().paintRectPixels(RESOLUTION)
    footer = round(FOOTER_MM / 25.4 * RESOLUTION)
    body = QSizeF(page.width(), page.height() - footer)

    doc = QTextDocument()
    doc.setDocumentMargin(0)
    font = QFont()
    font.setFamilies(["SimSun", "Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"])
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    # Lay out in points, paint scaled to the writer's pixels.
    scale = RESOLUTION / 72.0
    doc.setPageSize(QSizeF(body.width() / scale, body.height() / scale))
    doc.setHtml(html)
    pages = max(doc.pageCount(), 1)

    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {out}")
    try:
        footer_font = QFont(font)
        footer_font.setPointSizeF(9)
        for number in range(pages):
            if number:
                writer.newPage()
            painter.save()
            painter.scale(scale, scale)
            top = number * body.height() / scale
            painter.translate(0, -top)
            doc.drawContents(painter, QRectF(0, top, body.width() / scale, body.height() / scale))
            painter.restore()
            painter.setFont(footer_font)
            painter.drawText(
                QRectF(0, page.height() - footer, page.width(), footer),
                int(Qt.AlignmentFlag.AlignCenter),
                f"第 {number + 1} 页 共 {pages} 页",
            )
    finally:
        painter.end()
