"""The receipt (回执单) handed to the visitor: A5 or A4, print preview through
Qt's printing, or saved as PDF. The visitor is masked and the ID number is
never printed."""

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

from services.reception.labels import OUTCOME_LABELS, PURPOSE_LABELS
from services.reception.receipt import Receipt
from services.reports.exports import clean_file_name

from ..formatting import clean, label, local, plain, plain_label
from ..messages import show_message

PAGE_SIZES = {"A5": QPageSize.PageSizeId.A5, "A4": QPageSize.PageSizeId.A4}


def receipt_html(receipt: Receipt) -> str:
    e = plain  # every value escaped: a visitor's name or request is never markup
    if receipt.outcome == "on_the_spot":
        handling = QCoreApplication.translate("Receipt", "Closed on the spot at the desk.")
    elif receipt.outcome == "record_only":
        handling = QCoreApplication.translate(
            "Receipt", "Recorded; the question was answered at the desk."
        )
    elif receipt.outcome == "attached":
        handling = QCoreApplication.translate(
            "Receipt", "Added to case %1, which is already being handled."
        ).replace("%1", receipt.case_number or "")
    else:
        handling = QCoreApplication.translate(
            "Receipt", "Registered as a case and handed on for handling."
        )
    deadline = local(receipt.deadline, "%Y-%m-%d %H:%M") if receipt.deadline is not None else "—"
    rows = [
        (
            QCoreApplication.translate("Receipt", "Case number"),
            receipt.case_number or QCoreApplication.translate("Receipt", "(no case)"),
        ),
        (
            QCoreApplication.translate("Receipt", "Registered at"),
            local(receipt.at, "%Y-%m-%d %H:%M"),
        ),
        (
            QCoreApplication.translate("Receipt", "Visitor"),
            f"{receipt.visitor_name}　{receipt.visitor_phone}",
        ),
        (
            QCoreApplication.translate("Receipt", "Purpose"),
            label(PURPOSE_LABELS.get(receipt.purpose, receipt.purpose)),
        ),
        (QCoreApplication.translate("Receipt", "Request"), receipt.summary),
    ]
    if receipt.category_name:
        rows.append((QCoreApplication.translate("Receipt", "Category"), receipt.category_name))
    if receipt.place:
        rows.append((QCoreApplication.translate("Receipt", "Place"), receipt.place))
    rows += [
        (QCoreApplication.translate("Receipt", "Handling"), handling),
        (QCoreApplication.translate("Receipt", "Promised by"), deadline),
        (QCoreApplication.translate("Receipt", "Query code"), receipt.query_code),
        (QCoreApplication.translate("Receipt", "Received by"), receipt.clerk_name),
    ]
    body = "".join(f'<tr><td class="k">{e(k)}</td><td class="v">{e(v)}</td></tr>' for k, v in rows)
    title = QCoreApplication.translate("Receipt", "Visit receipt")
    note = QCoreApplication.translate(
        "Receipt",
        "Quote the case number and the query code to ask about progress. Please keep this receipt.",
    )
    outcome = label(OUTCOME_LABELS.get(receipt.outcome, ""))
    return (
        "<html><head><style>"
        "h1 { font-size: 17pt; text-align: center; margin: 0; }"
        "h2 { font-size: 14pt; text-align: center; margin: 2px 0 10px 0; }"
        "table { border-collapse: collapse; width: 100%; }"
        "td { border: 1px solid #555; padding: 5px 7px; font-size: 10.5pt; vertical-align: top; }"
        "td.k { width: 24%; background: #f0f0f0; white-space: nowrap; }"
        "p.note { font-size: 9.5pt; margin-top: 10px; }"
        "p.code { font-size: 12pt; text-align: right; }"
        "</style></head><body>"
        f"<h1>{e(receipt.centre_name)}</h1><h2>{e(title)}</h2>"
        f'<p class="code">{e(outcome)}</p>'
        f'<table cellspacing="0" cellpadding="5" width="100%">{body}</table>'
        f'<p class="note">{e(note)}</p>'
        "</body></html>"
    )


def receipt_document(receipt: Receipt, device: QPagedPaintDevice | None = None) -> QTextDocument:
    """The receipt laid out for ``device`` (its resolution turns points into pixels)."""
    document = QTextDocument()
    if device is not None:
        document.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setPointSizeF(10.5)
    document.setDefaultFont(font)
    document.setHtml(receipt_html(receipt))
    if device is not None:
        rect = device.pageLayout().paintRectPixels(device.logicalDpiX())
        document.setPageSize(QSizeF(rect.width(), rect.height()))
    return document


def paint_receipt(receipt: Receipt, device: QPagedPaintDevice) -> None:
    """Draw the receipt on one page of a printer or PDF writer, at its true size."""
    document = receipt_document(receipt, device)
    painter = QPainter(device)
    try:
        document.drawContents(painter)
    finally:
        painter.end()


def write_pdf(receipt: Receipt, path: Path, page: str = "A5") -> Path:
    """Save the receipt as a PDF file (the text stays searchable)."""
    writer = QPdfWriter(str(path))
    writer.setTitle(QCoreApplication.translate("Receipt", "Visit receipt"))
    writer.setCreator("GridDesk")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZES.get(page, QPageSize.PageSizeId.A5)),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    paint_receipt(receipt, writer)
    return path


class ReceiptDialog(QDialog):
    """Preview of the receipt with print (Ctrl+P) and save-as-PDF (Ctrl+S)."""

    def __init__(self, receipt: Receipt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.receipt = receipt
        self.setWindowTitle(self.tr("Receipt %1").replace("%1", clean(receipt.case_number, 80)))
        self.resize(620, 640)
        self.view = QTextBrowser()
        self.view.setObjectName("receiptPreview")
        self.view.setOpenLinks(False)
        self.view.setHtml(receipt_html(receipt))
        self.page = QComboBox()
        self.page.addItems(list(PAGE_SIZES))
        self.page.setToolTip(self.tr("Paper size"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setToolTip(self.tr("Ctrl+P — print preview, then print"))
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.setProperty("primary", True)
        self.print_button.clicked.connect(self.print_preview)
        self.pdf_button = QPushButton(self.tr("Save as PDF…"))
        self.pdf_button.setToolTip(self.tr("Ctrl+S"))
        self.pdf_button.setShortcut("Ctrl+S")
        self.pdf_button.clicked.connect(self.save_pdf)
        close = QPushButton(self.tr("Close"))
        close.setToolTip(self.tr("Esc"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(plain_label(self.tr("Paper")))
        buttons.addWidget(self.page)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.print_button.setFocus()

    def page_name(self) -> str:
        return self.page.currentText()

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(PAGE_SIZES[self.page_name()]))
        printer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
        printer.setDocName(self.windowTitle())
        return printer

    def print_preview(self) -> None:
        printer = self.make_printer()
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle(self.tr("Print preview"))
        preview.paintRequested.connect(lambda p: paint_receipt(self.receipt, p))
        preview.exec()

    def save_pdf(self, path: str | None = None) -> Path | None:
        if not path:
            suggested = clean_file_name(
                f"{self.tr('receipt')}-{self.receipt.case_number or self.receipt.query_code}.pdf"
            )
            path, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Save the receipt as PDF"), suggested, self.tr("PDF files (*.pdf)")
            )
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        try:
            write_pdf(self.receipt, target, self.page_name())
        except OSError as exc:
            show_message(
                self,
                self.tr("Save as PDF"),
                self.tr("The file %1 could not be written: %2")
                .replace("%1", str(target))
                .replace("%2", str(exc)),
            )
            return None
        return target
