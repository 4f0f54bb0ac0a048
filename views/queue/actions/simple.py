"""The small actions: sign for, return, escalate, supervise, extend, suspend,
resume and comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QWidget

from models.types import utcnow
from services.cases import actions as case_actions
from services.worktime.workdays import SHANGHAI

from ...attachments.picker import AttachmentPicker, attachments_folder
from ...context import ViewContext
from ...formatting import local, working_days
from .. import ops
from .base import ActionDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _deadline_text(dialog: ActionDialog, case: Any) -> str:
    if case.deadline is None:
        return QCoreApplication.translate("QueueActions", "none")
    left = dialog.ctx.calendar.working_days_between(utcnow(), case.deadline)
    if left < 0:
        return (
            QCoreApplication.translate("QueueActions", "%1 (overdue by %2 working days)")
            .replace("%1", local(case.deadline))
            .replace("%2", working_days(-left))
        )
    return (
        QCoreApplication.translate("QueueActions", "%1 (%2 working days left)")
        .replace("%1", local(case.deadline))
        .replace("%2", working_days(left))
    )


class AcknowledgeDialog(ActionDialog):
    action = "acknowledge"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Sign for the case"))
        self.add_info(self.tr("Sign for by:"), local(case.ack_deadline))
        self.add_info(self.tr("Handling deadline:"), _deadline_text(self, case))
        self.add_info(
            "",
            self.tr("By signing for it you accept the case and its deadline for your unit."),
        )
        self.set_ok_text(self.tr("Sign for"))

    def perform(self, session: Session) -> None:
        case_actions.acknowledge(session, self.ctx.actor, self.case.id)


class ReturnDialog(ActionDialog):
    action = "return"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Return the case"))
        self.reason = self.add_text(
            "reason",
            self.tr("Reason:"),
            self.tr("Why is this case not yours? Which unit should handle it?"),
        )
        self.set_ok_text(self.tr("Return"))

    def perform(self, session: Session) -> None:
        case_actions.return_case(session, self.ctx.actor, self.case.id, self.reason.toPlainText())


class SuperviseDialog(ActionDialog):
    action = "supervise"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Supervise the case"))
        self.add_info(self.tr("Handling deadline:"), _deadline_text(self, case))
        self.note = self.add_text(
            "note", self.tr("Instruction:"), self.tr("What must the assignee do, and by when?")
        )
        self.set_ok_text(self.tr("Supervise"))

    def perform(self, session: Session) -> None:
        case_actions.supervise(session, self.ctx.actor, self.case.id, self.note.toPlainText())


class SuspendDialog(ActionDialog):
    action = "suspend"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Suspend the case"))
        self.reason = self.add_text(
            "reason", self.tr("Reason:"), self.tr("e.g. waiting for the repair budget")
        )
        self.add_info("", self.tr("A suspended case is not counted as due until it is resumed."))
        self.set_ok_text(self.tr("Suspend"))

    def perform(self, session: Session) -> None:
        case_actions.suspend(session, self.ctx.actor, self.case.id, self.reason.toPlainText())


class ResumeDialog(ActionDialog):
    action = "resume"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Resume the case"))
        self.add_info(
            "", self.tr("The case goes back to the state it had before it was suspended.")
        )
        self.add_info(self.tr("Handling deadline:"), _deadline_text(self, case))
        self.set_ok_text(self.tr("Resume"))

    def perform(self, session: Session) -> None:
        case_actions.resume(session, self.ctx.actor, self.case.id)


class CommentDialog(ActionDialog):
    action = "comment"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Comment on the case"))
        self.setMinimumWidth(560)
        self.text = self.add_text("text", self.tr("Comment:"))
        self.picker = AttachmentPicker(ctx.data_dir)
        self.add_field("attachments", self.tr("Files:"), self.picker)
        self.finished.connect(lambda _result: self.picker.clear())
        self.set_ok_text(self.tr("Add comment"))

    def perform(self, session: Session) -> None:
        case_actions.comment(
            session,
            self.ctx.actor,
            self.case.id,
            self.text.toPlainText(),
            self.picker.files(),
            attachments_folder(self.ctx.data_dir),
        )


class EscalateDialog(ActionDialog):
    action = "escalate"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Escalate the case"))
        self.unit = QComboBox()
        for unit_id, name in ops.higher_units(ctx):  # a handful of rows
            self.unit.addItem(name, unit_id)
        self.add_field("to_org_unit_id", self.tr("Escalate to:"), self.unit)
        self.reason = self.add_text(
            "reason", self.tr("Reason:"), self.tr("Why can the street not settle it?")
        )
        self.set_ok_text(self.tr("Escalate"))

    def perform(self, session: Session) -> None:
        case_actions.escalate(
            session,
            self.ctx.actor,
            self.case.id,
            self.unit.currentData() or "",
            self.reason.toPlainText(),
        )


def to_qdatetime(value: datetime) -> QDateTime:
    local_value = value.astimezone(SHANGHAI)
    return QDateTime(
        QDate(local_value.year, local_value.month, local_value.day),
        QTime(local_value.hour, local_value.minute, local_value.second),
        QTimeZone(b"Asia/Shanghai"),
    )


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


class ExtendDialog(ActionDialog):
    action = "extend"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Extend the deadline"))
        self.add_info(self.tr("Current deadline:"), _deadline_text(self, case))
        start = case.deadline or utcnow()
        proposal = ctx.calendar.handling_deadline(max(start, utcnow()), 2)
        self.new_deadline = QDateTimeEdit(to_qdatetime(proposal))
        self.new_deadline.setCalendarPopup(True)
        self.new_deadline.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.new_deadline.setTimeZone(QTimeZone(b"Asia/Shanghai"))
        self.new_deadline.setMinimumDateTime(to_qdatetime(utcnow() - timedelta(days=1)))
        self.add_field("new_deadline", self.tr("New deadline:"), self.new_deadline)
        self.reason = self.add_text(
            "reason", self.tr("Reason:"), self.tr("Why is more time needed?")
        )
        self.set_ok_text(self.tr("Extend"))

    def perform(self, session: Session) -> None:
        case_actions.extend(
            session,
            self.ctx.actor,
            self.case.id,
            from_qdatetime(self.new_deadline.dateTime()),
            self.reason.toPlainText(),
        )
