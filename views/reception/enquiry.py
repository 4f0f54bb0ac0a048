"""Progress enquiry (查询办理进度): the clerk types the case number and query code
from the visitor's receipt, or the visitor's phone, reads the case's state, who
handles it, the deadline and a plain-words timeline, and prints a one-page
progress notice (办理进度告知单) on A5 or A4, or saves it as PDF.

The service (:mod:`services.reception.enquiry`) checks the role, writes every
enquiry to the audit log and answers a wrong code exactly like an unknown case
number; here the answer is only shown. Every value that came from a person is
escaped in the notice's HTML and shown as plain text elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from services.cases.labels import STATE_LABELS
from services.errors import DomainError
from services.reception.enquiry import CaseChoice, CaseProgress, Enquiry, Handler, ProgressStep
from services.worktime.workdays import SHANGHAI
from views.messages import error_text
from views.tasks import show_failure

from ..context import ViewContext
from ..formatting import clean, label, plain, plain_label
from ..paper import PaperDialog
from . import ops

SHORTCUT = "F9"
MAX_STEPS = 20
"""Steps of the timeline on the notice; a longer one shows its first and latest steps."""


# ---------------------------------------------------------------- words
def when_text(value: datetime | None) -> str:
    """A time as the notice prints it, e.g. 2026年11月20日 09:12 in Chinese."""
    if value is None:
        return "—"
    at = value.astimezone(SHANGHAI)
    template = QCoreApplication.translate("Enquiry", "{year}-{month:02d}-{day:02d} {time}")
    try:
        return template.format(year=at.year, month=at.month, day=at.day, time=at.strftime("%H:%M"))
    except (KeyError, IndexError, ValueError):
        return at.strftime("%Y-%m-%d %H:%M")


def handler_text(handler: Handler | None) -> str:
    """Who handles a case or a step: a department or unit by name, a grid worker masked."""
    if handler is None or not handler.name:
        return QCoreApplication.translate("Enquiry", "the handling unit")
    if handler.kind == "grid_worker":
        return QCoreApplication.translate("Enquiry", "grid worker %1").replace("%1", handler.name)
    return handler.name


def step_text(step: ProgressStep) -> str:
    """One step of the timeline in plain words, e.g. 已派遣至 城管科."""
    template = label(step.text)
    try:
        return template.format(unit=handler_text(step.unit), when=when_text(step.when))
    except (KeyError, IndexError, ValueError):
        return template


def state_text(progress: CaseProgress) -> str:
    state = label(STATE_LABELS.get(progress.state, progress.state))
    if progress.overdue:
        state += QCoreApplication.translate("Enquiry", " (past its deadline)")
    return state


def current_handler_text(progress: CaseProgress) -> str:
    if progress.state in ("registered", "returned"):
        return QCoreApplication.translate("Enquiry", "Waiting to be dispatched by the centre")
    if progress.handler is None:
        return "—"
    return handler_text(progress.handler)


def deadline_row(progress: CaseProgress) -> tuple[str, str]:
    if progress.closed_at is not None:
        return QCoreApplication.translate("Enquiry", "Completed at"), when_text(progress.closed_at)
    if progress.deadline is None:
        return QCoreApplication.translate("Enquiry", "Deadline"), "—"
    if progress.deadline_promised:
        return QCoreApplication.translate("Enquiry", "To be handled by"), when_text(
            progress.deadline
        )
    return QCoreApplication.translate("Enquiry", "Deadline"), when_text(progress.deadline)


def progress_html(progress: CaseProgress) -> str:
    """The progress notice (办理进度告知单); every value escaped."""
    e = plain
    rows = [
        (QCoreApplication.translate("Enquiry", "Case number"), progress.number),
        (QCoreApplication.translate("Enquiry", "Request"), progress.title),
    ]
    if progress.category:
        rows.append((QCoreApplication.translate("Enquiry", "Category"), progress.category))
    if progress.place:
        rows.append((QCoreApplication.translate("Enquiry", "Place"), progress.place))
    if progress.visitor_name or progress.visitor_phone:
        visitor = "　".join(v for v in (progress.visitor_name, progress.visitor_phone) if v)
        rows.append((QCoreApplication.translate("Enquiry", "Visitor"), visitor))
    rows += [
        (QCoreApplication.translate("Enquiry", "Registered at"), when_text(progress.registered_at)),
        (QCoreApplication.translate("Enquiry", "Current state"), state_text(progress)),
        (QCoreApplication.translate("Enquiry", "Handled by"), current_handler_text(progress)),
        deadline_row(progress),
    ]
    facts = "".join(f'<tr><td class="k">{e(k)}</td><td class="v">{e(v)}</td></tr>' for k, v in rows)
    shown = list(progress.steps)
    left_out = 0
    if len(shown) > MAX_STEPS:  # the first step, then the latest ones
        left_out = len(shown) - MAX_STEPS
        shown = shown[:1] + shown[1 + left_out :]
    lines = [(when_text(s.at), step_text(s)) for s in shown]
    if left_out:
        gap = QCoreApplication.translate("Enquiry", "… %n earlier step(s) not shown", "", left_out)
        lines.insert(1, ("", gap))
    steps = "".join(
        f'<tr><td class="t">{e(t)}</td><td class="v">{e(v)}</td></tr>' for t, v in lines
    )
    title = QCoreApplication.translate("Enquiry", "Case progress notice")
    progress_title = QCoreApplication.translate("Enquiry", "Progress so far")
    note = QCoreApplication.translate(
        "Enquiry",
        "Looked up at %1. For later enquiries quote the case number and the query code "
        "printed on your receipt.",
    ).replace("%1", when_text(progress.as_of))
    return (
        "<html><head><style>"
        "h1 { font-size: 17pt; text-align: center; margin: 0; }"
        "h2 { font-size: 14pt; text-align: center; margin: 2px 0 10px 0; }"
        "h3 { font-size: 11.5pt; margin: 12px 0 4px 0; }"
        "table { border-collapse: collapse; width: 100%; }"
        "td { border: 1px solid #555; padding: 4px 7px; font-size: 10.5pt; vertical-align: top; }"
        "td.k { width: 30%; background: #f0f0f0; white-space: nowrap; }"
        "td.t { width: 30%; white-space: nowrap; }"
        "p.note { font-size: 9.5pt; margin-top: 10px; }"
        "</style></head><body>"
        f"<h1>{e(progress.centre_name)}</h1><h2>{e(title)}</h2>"
        f'<table cellspacing="0" cellpadding="4" width="100%">{facts}</table>'
        f"<h3>{e(progress_title)}</h3>"
        f'<table cellspacing="0" cellpadding="4" width="100%">{steps}</table>'
        f'<p class="note">{e(note)}</p>'
        "</body></html>"
    )


def choice_text(choice: CaseChoice) -> str:
    state = label(STATE_LABELS.get(choice.state, choice.state))
    return f"{choice.number}　{when_text(choice.registered_at)}　{state}　{clean(choice.title, 60)}"


# ---------------------------------------------------------------- the dialog
class EnquiryDialog(PaperDialog):
    """Look a case up by number and query code, or by the visitor's phone; show and
    print its progress notice."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("enquiryDialog")
        self.setWindowTitle(self.tr("Progress enquiry"))
        self.resize(700, 760)
        self.progress: CaseProgress | None = None
        self._phone = ""  # the phone whose cases the list shows

        self.number = QLineEdit()
        self.number.setObjectName("enquiryNumber")
        self.number.setPlaceholderText("990101001-20261120-03007")
        self.number.setToolTip(self.tr("The case number printed on the receipt"))
        self.code = QLineEdit()
        self.code.setObjectName("enquiryCode")
        self.code.setPlaceholderText("3F9A-07C2")
        self.code.setMaxLength(20)
        self.code.setToolTip(self.tr("The query code printed on the receipt"))
        self.look_up_button = QPushButton(self.tr("Look up"))
        self.look_up_button.setObjectName("enquiryLookUp")
        self.look_up_button.setToolTip(self.tr("Enter"))
        self.look_up_button.clicked.connect(self.look_up)
        self.phone = QLineEdit()
        self.phone.setObjectName("enquiryPhone")
        self.phone.setPlaceholderText(self.tr("e.g. 13812345678"))
        self.phone.setToolTip(self.tr("When the visitor has no receipt: their cases in your area"))
        self.find_button = QPushButton(self.tr("Find cases"))
        self.find_button.setObjectName("enquiryFind")
        self.find_button.clicked.connect(self.find_by_phone)
        self.number.returnPressed.connect(self._number_entered)
        self.code.returnPressed.connect(self.look_up)
        self.phone.returnPressed.connect(self.find_by_phone)

        inputs = QGridLayout()
        inputs.addWidget(plain_label(self.tr("Case number")), 0, 0)
        inputs.addWidget(self.number, 0, 1)
        inputs.addWidget(plain_label(self.tr("Query code")), 0, 2)
        inputs.addWidget(self.code, 0, 3)
        inputs.addWidget(self.look_up_button, 0, 4)
        inputs.addWidget(plain_label(self.tr("Or the visitor's phone")), 1, 0)
        inputs.addWidget(self.phone, 1, 1)
        inputs.addWidget(self.find_button, 1, 4)
        inputs.setColumnStretch(1, 3)
        inputs.setColumnStretch(3, 2)

        self.message = plain_label(wrap=True, name="enquiryMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.choices_label = plain_label(
            self.tr("This phone number has several cases; pick the one the visitor asks about:")
        )
        self.choices = QListWidget()
        self.choices.setObjectName("enquiryChoices")
        self.choices.setMaximumHeight(150)
        self.choices.itemActivated.connect(self._choice_picked)
        self.choices_label.hide()
        self.choices.hide()

        self.view.setObjectName("enquiryPreview")
        # Enter belongs to the fields (look up, find); it never prints by itself.
        for button in (
            self.look_up_button,
            self.find_button,
            self.print_button,
            self.pdf_button,
            self.close_button,
        ):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.body.insertLayout(0, inputs)
        self.body.insertWidget(1, self.message)
        self.body.insertWidget(2, self.choices_label)
        self.body.insertWidget(3, self.choices)
        self._show_progress(None)
        self.number.setFocus()

    # ---------------------------------------------------------------- what the paper is
    def paper_html(self) -> str:
        return progress_html(self.progress) if self.progress is not None else ""

    def paper_title(self) -> str:
        return self.tr("Case progress notice")

    def file_stem(self) -> str:
        number = self.progress.number if self.progress is not None else ""
        stem = self.tr("progress")  # outside the f-string, where lupdate finds it
        return f"{stem}-{number}"

    def save_caption(self) -> str:
        return self.tr("Save the progress notice as PDF")

    # ---------------------------------------------------------------- asking
    def _number_entered(self) -> None:
        if self.code.text().strip():
            self.look_up()
        else:
            self.code.setFocus()

    def look_up(self) -> Enquiry | None:
        """The case of the number and query code typed."""
        number, code = self.number.text(), self.code.text()
        return self._answer(lambda: ops.enquire_by_code(self.ctx, number, code), self.code)

    def find_by_phone(self) -> Enquiry | None:
        """The visitor's cases by phone: one shown at once, several listed to pick from."""
        phone = self.phone.text()
        return self._answer(lambda: ops.enquire_by_phone(self.ctx, phone), self.phone, phone)

    def _choice_picked(self, item: QListWidgetItem) -> None:
        case_id = str(item.data(Qt.ItemDataRole.UserRole) or "")
        phone = self._phone
        self._answer(
            lambda: ops.enquire_phone_case(self.ctx, phone, case_id),
            self.phone,
            phone,
            keep_choices=True,
        )

    def _answer(
        self,
        ask: Callable[[], Enquiry],
        field: QLineEdit,
        phone: str = "",
        *,
        keep_choices: bool = False,
    ) -> Enquiry | None:
        try:
            answer = ask()
        except DomainError as exc:
            show_failure(exc, self)
            return None
        if not keep_choices:
            self._show_choices(list(answer.choices), phone)
        if answer.problem is not None:
            self._show_progress(None)
            self._show_message(error_text(answer.problem), error=True)
            target = {"case_number": self.number, "query_code": self.code}.get(
                answer.problem.field or "", field
            )
            target.setFocus()
            target.selectAll()
            return answer
        self._show_message("")
        self._show_progress(answer.progress)
        return answer

    # ---------------------------------------------------------------- showing
    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    def _show_choices(self, choices: list[CaseChoice], phone: str) -> None:
        self._phone = phone
        self.choices.clear()
        for choice in choices:
            item = QListWidgetItem(choice_text(choice))
            item.setData(Qt.ItemDataRole.UserRole, choice.case_id)
            self.choices.addItem(item)
        self.choices_label.setVisible(bool(choices))
        self.choices.setVisible(bool(choices))
        if choices:
            self.choices.setCurrentRow(0)
            self.choices.setFocus()

    def _show_progress(self, progress: CaseProgress | None) -> None:
        self.progress = progress
        for button in (self.print_button, self.pdf_button, self.page):
            button.setEnabled(progress is not None)
        if progress is None:
            self.view.setPlainText(
                self.tr(
                    "Type the case number and the query code from the visitor's receipt and "
                    "press Enter. A visitor without the receipt: type their phone number and "
                    "press Find cases. Every enquiry is written to the audit log."
                )
            )
            return
        self.show_paper()


def raise_enquiry(ctx: ViewContext, parent: QWidget, dialog: EnquiryDialog | None) -> EnquiryDialog:
    """Show the enquiry dialog of ``parent`` (made the first time), ready for typing."""
    if dialog is None:
        dialog = EnquiryDialog(ctx, parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.number.setFocus()
    dialog.number.selectAll()
    return dialog
