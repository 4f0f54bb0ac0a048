"""The reports screen's 通报 (Word) and PDF exports, beside the workbook's.

:class:`DocumentExports` owns the two buttons. Each asks for a file, then writes
it in the background from the assessment on screen: the 通报 through
``services.reports.notice.write_notice`` (the data folder's own template when
there is one), the PDF through ``services.reports.pdf.export_pdf`` — LibreOffice
where installed, else :func:`views.reports.pdf.render_html_pdf`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from services.cases.permissions import Permission
from services.reports.exports import clean_file_name
from services.reports.notice import default_notice_filename, write_notice
from services.reports.pdf import export_pdf, find_soffice
from services.reports.results import Assessment

from ..context import ViewContext
from ..messages import show_message
from ..tasks import Op, show_failure
from .pdf import render_html_pdf


class DocumentExports(QObject):
    """The 'Export 通报 (Word)…' and 'Export PDF…' buttons and their background jobs."""

    message = Signal(str)
    """A line for the screen's status label (written to …, writing …)."""
    written = Signal(object)
    """The path of a file written."""

    def __init__(self, ctx: ViewContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.assessment: Assessment | None = None
        self.busy = False
        self.notice_button = QPushButton(self.tr("Word draft…"))
        self.notice_button.setObjectName("noticeButton")
        self.notice_button.setToolTip(
            self.tr(
                "The draft 通报 as a Word document: the figures, the ranking against the "
                "previous period, the overdue and urged cases and the demands, to edit and sign."
            )
        )
        self.pdf_button = QPushButton(self.tr("PDF…"))
        self.pdf_button.setObjectName("pdfButton")
        self.pdf_button.setToolTip(
            self.tr("The bulletin's tables as a PDF, ready to print or send.")
        )
        allowed = ctx.can(Permission.EXPORT_BULLETIN)
        for button in self.buttons:
            button.setVisible(allowed)
            button.setEnabled(False)
        self.notice_button.clicked.connect(self.export_notice)
        self.pdf_button.clicked.connect(self.export_pdf)

    @property
    def buttons(self) -> tuple[QPushButton, QPushButton]:
        return (self.notice_button, self.pdf_button)

    def set_assessment(self, assessment: Assessment | None) -> None:
        """The figures on screen (None while they are being computed)."""
        self.assessment = assessment
        for button in self.buttons:
            button.setEnabled(assessment is not None and not self.busy)

    # ------------------------------------------------------------------ asking
    def _ask(self, title: str, name: str, file_filter: str, suffix: str) -> Path | None:
        store = self.ctx.prefs.store
        folder = Path(str(store.value("reports/export_dir", "") or Path.home()))
        text, _ = QFileDialog.getSaveFileName(
            self.parent_widget, title, str(folder / name), file_filter
        )
        if not text:
            return None
        path = Path(text)
        if path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        store.setValue("reports/export_dir", str(path.parent))
        return path

    def export_notice(self) -> None:
        a = self.assessment
        if a is None or self.busy:
            return
        path = self._ask(
            self.tr("Export the 通报"),
            default_notice_filename(a),
            self.tr("Word document (*.docx)"),
            ".docx",
        )
        if path is not None:
            self.start_notice(a, path)

    def export_pdf(self) -> None:
        a = self.assessment
        if a is None or self.busy:
            return
        name = clean_file_name(
            f"{a.scope_name}网格化服务管理工作通报_{a.period.key}.pdf", limit=150, fallback="通报"
        )
        path = self._ask(
            self.tr("Export the bulletin as PDF"), name, self.tr("PDF document (*.pdf)"), ".pdf"
        )
        if path is not None:
            self.start_pdf(a, path)

    # ------------------------------------------------------------------ writing
    def start_notice(self, a: Assessment, path: Path) -> Op:
        read, actor, calendar = self.ctx.read, self.ctx.actor, self.ctx.calendar
        data_dir = self.ctx.data_dir

        def work() -> Path:
            with read() as session:
                return write_notice(session, actor, a, calendar, path, data_dir=data_dir)

        return self._start(work, path, self.tr("Writing the 通报…"))

    def start_pdf(self, a: Assessment, path: Path) -> Op:
        actor = self.ctx.actor
        render = render_html_pdf if find_soffice() is None else None

        def work() -> Path:
            export_pdf(actor, a, path, render_html=render)
            return path

        return self._start(work, path, self.tr("Writing the PDF…"))

    def _start(self, work: Any, path: Path, doing: str) -> Op:
        self.busy = True
        for button in self.buttons:
            button.setEnabled(False)
        self.message.emit(doing)

        def finish() -> None:
            self.busy = False
            self.set_assessment(self.assessment)

        def done(result: Path) -> None:
            finish()
            self.message.emit(self.tr("Written to %1").replace("%1", str(result)))
            self.written.emit(result)

        def failed(exc: BaseException) -> None:
            finish()
            self.message.emit("")
            if isinstance(exc, OSError):
                show_message(
                    self.parent_widget,
                    self.tr("Export"),
                    self.tr("%1 could not be written: %2")
                    .replace("%1", str(path))
                    .replace("%2", exc.strerror or str(exc)),
                )
                return
            show_failure(exc, self.parent_widget)

        op = Op(self.parent_widget, work).success(done).failure(failed)
        op.run_in_background()
        return op
