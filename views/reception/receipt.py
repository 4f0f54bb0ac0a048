"""The receipt (回执单) handed to the visitor: A5 or A4, print preview through
Qt's printing, or saved as PDF. The visitor is masked and the ID number is
never printed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPagedPaintDevice, QTextDocument
from PySide6.QtWidgets import QWidget

from services.reception.labels import OUTCOME_LABELS, PURPOSE_LABELS
from services.reception.receipt import Receipt

from ..formatting import clean, label, local, plain
from ..paper import PaperDialog, html_document, paint_html, write_html_pdf


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
    return html_document(receipt_html(receipt), device)


def paint_receipt(receipt: Receipt, device: QPagedPaintDevice) -> None:
    """Draw the receipt on one page of a printer or PDF writer, at its true size."""
    paint_html(receipt_html(receipt), device)


def write_pdf(receipt: Receipt, path: Path, page: str = "A5") -> Path:
    """Save the receipt as a PDF file (the text stays searchable)."""
    title = QCoreApplication.translate("Receipt", "Visit receipt")
    return write_html_pdf(receipt_html(receipt), path, page, title)


class ReceiptDialog(PaperDialog):
    """Preview of the receipt with print (Ctrl+P) and save-as-PDF (Ctrl+S)."""

    def __init__(self, receipt: Receipt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.receipt = receipt
        self.setWindowTitle(self.tr("Receipt %1").replace("%1", clean(receipt.case_number, 80)))
        self.resize(620, 640)
        self.view.setObjectName("receiptPreview")
        self.show_paper()
        self.print_button.setFocus()

    def paper_html(self) -> str:
        return receipt_html(self.receipt)

    def paper_title(self) -> str:
        return QCoreApplication.translate("Receipt", "Visit receipt")

    def file_stem(self) -> str:
        stem = self.tr("receipt")  # outside the f-string, where lupdate finds it
        return f"{stem}-{self.receipt.case_number or self.receipt.query_code}"

    def save_caption(self) -> str:
        return self.tr("Save the receipt as PDF")
