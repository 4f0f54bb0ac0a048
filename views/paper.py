"""One page for the visitor to take away (the receipt, the progress notice):
HTML laid out on A5 or A4, printed through Qt's print preview or saved as PDF.

The HTML is built by the caller with every user text escaped
(:func:`views.formatting.plain`); this module only lays it out. Text of its own
is in the ``PaperDialog`` context, so that every dialog built on it shares one
translation.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from services.reports.exports import clean_file_name

from .formatting import plain_label
from .messages import show_message

PAGE_SIZES = {"A5": QPageSize.PageSizeId.A5, "A4": QPageSize.PageSizeId.A4}
MARGINS_MM = QMarginsF(12, 12, 12, 12)
BASE_POINT_SIZE = 10.5
MIN_SCALE = 0.6
"""A page shrunk further would be too small to read; what is still longer is cut."""


def html_document(html: str, device: QPagedPaintDevice | None = None) -> QTextDocument:
    """``html`` laid out for ``device`` (its resolution turns points into pixels)."""
    document = QTextDocument()
    if device is not None:
        document.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setPointSizeF(BASE_POINT_SIZE)
    document.setDefaultFont(font)
    document.setHtml(html)
    if device is not None:
        rect = device.pageLayout().paintRectPixels(device.logicalDpiX())
        document.setPageSize(QSizeF(rect.width(), rect.height()))
    return document


def paint_html(html: str, device: QPagedPaintDevice) -> None:
    """Draw ``html`` on one page of a printer or PDF writer, at its true size, or
    shrunk to fit when it is longer than the page (never below :data:`MIN_SCALE`)."""
    document = html_document(html, device)
    rect = device.pageLayout().paintRectPixels(device.logicalDpiX())
    scale = fit_scale(document, rect.width(), rect.height())
    painter = QPainter(device)
    try:
        painter.scale(scale, scale)
        document.drawContents(painter)
    finally:
        painter.end()


def fit_scale(document: QTextDocument, width: float, height: float) -> float:
    """Lay ``document`` out in one column ``width`` wide (no page breaks) and return
    the scale at which it fits ``height``; a scale below 1 widens the column so
    that the shrunk text still spans the page."""
    scale = 1.0
    for _ in range(4):  # a wider column is shorter: settle in a few steps
        document.setTextWidth(width / scale)
        needed = document.size().height()
        if needed * scale <= height or scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale * height / (needed * scale))
    return scale


def write_html_pdf(html: str, path: Path, page: str = "A5", title: str = "") -> Path:
    """Save ``html`` as a one-page PDF file (the text stays searchable)."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("GridDesk")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZES.get(page, QPageSize.PageSizeId.A5)),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    paint_html(html, writer)
    return path


class PaperDialog(QDialog):
    """A preview of one page with paper size, print (Ctrl+P), save as PDF (Ctrl+S)
    and close. Subclasses give the page (:meth:`paper_html`), its title and the
    file name offered; they may put their own widgets above the preview
    (``self.body.insertWidget(0, …)``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.page = QComboBox()
        self.page.addItems(list(PAGE_SIZES))
        self.page.setToolTip(QCoreApplication.translate("PaperDialog", "Paper size"))
        self.print_button = QPushButton(QCoreApplication.translate("PaperDialog", "Print…"))
        self.print_button.setToolTip(
            QCoreApplication.translate("PaperDialog", "Ctrl+P — print preview, then print")
        )
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.setProperty("primary", True)
        self.print_button.clicked.connect(self.print_preview)
        self.pdf_button = QPushButton(QCoreApplication.translate("PaperDialog", "Save as PDF…"))
        self.pdf_button.setToolTip(QCoreApplication.translate("PaperDialog", "Ctrl+S"))
        self.pdf_button.setShortcut("Ctrl+S")
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.close_button = QPushButton(QCoreApplication.translate("PaperDialog", "Close"))
        self.close_button.setToolTip(QCoreApplication.translate("PaperDialog", "Esc"))
        self.close_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(plain_label(QCoreApplication.translate("PaperDialog", "Paper")))
        self.buttons.addWidget(self.page)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.pdf_button)
        self.buttons.addWidget(self.print_button)
        self.buttons.addWidget(self.close_button)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.view, 1)
        self.body.addLayout(self.buttons)

    # ---------------------------------------------------------------- what a subclass gives
    def paper_html(self) -> str:
        raise NotImplementedError

    def paper_title(self) -> str:
        return self.windowTitle()

    def file_stem(self) -> str:
        return self.windowTitle()

    def save_caption(self) -> str:
        return QCoreApplication.translate("PaperDialog", "Save as PDF")

    # ---------------------------------------------------------------- printing
    def show_paper(self) -> None:
        """Put the page into the preview (again, after it changed)."""
        self.view.setHtml(self.paper_html())

    def page_name(self) -> str:
        return self.page.currentText()

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(PAGE_SIZES[self.page_name()]))
        printer.setPageMargins(MARGINS_MM, QPageLayout.Unit.Millimeter)
        printer.setDocName(self.paper_title())
        return printer

    def print_preview(self) -> None:
        printer = self.make_printer()
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle(QCoreApplication.translate("PaperDialog", "Print preview"))
        html = self.paper_html()
        preview.paintRequested.connect(lambda p: paint_html(html, p))
        preview.exec()

    def save_pdf(self, path: str | None = None) -> Path | None:
        if not path:
            suggested = clean_file_name(f"{self.file_stem()}.pdf")
            path, _filter = QFileDialog.getSaveFileName(
                self,
                self.save_caption(),
                suggested,
                QCoreApplication.translate("PaperDialog", "PDF files (*.pdf)"),
            )
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        try:
            write_html_pdf(self.paper_html(), target, self.page_name(), self.paper_title())
        except OSError as exc:
            show_message(
                self,
                QCoreApplication.translate("PaperDialog", "Save as PDF"),
                QCoreApplication.translate("PaperDialog", "The file %1 could not be written: %2")
                .replace("%1", str(target))
                .replace("%2", str(exc)),
            )
            return None
        return target
