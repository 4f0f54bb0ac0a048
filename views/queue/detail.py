"""The detail panel: every field of the selected case, the visitor (masked), the
timeline (who, when, what, the state after each event, and who pushed it to
the county from which desk), the deadline history, the attachments, and the
actions the user may take now.

Every text of a case comes from some desk and is shown as plain text (labels
with ``PlainText`` format, tooltips through :func:`plain_tip`)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.enums import EventType, Source, Urgency
from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import queue_clauses
from services.cases.detail import CaseDetail, TimelineEntry
from services.cases.labels import EVENT_LABELS, STATE_LABELS
from services.cases.lookups import Names
from services.errors import DomainError

from ..attachments.pane import AttachmentsPane
from ..context import ViewContext
from ..formatting import (
    LINE_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    clean,
    label,
    local,
    plain_label,
    plain_tip,
    working_days,
    wrappable,
)
from ..messages import error_text
from ..sync.texts import reject_reason
from ..tasks import Op, show_failure
from . import ops
from .actions.feedback import attachments_folder

log = logging.getLogger(__name__)


def action_label(action: str) -> str:
    return {
        "dispatch": QCoreApplication.translate("QueueActions", "Dispatch"),
        "acknowledge": QCoreApplication.translate("QueueActions", "Sign for"),
        "return": QCoreApplication.translate("QueueActions", "Return"),
        "feedback": QCoreApplication.translate("QueueActions", "Report result"),
        "verify": QCoreApplication.translate("QueueActions", "Verify"),
        "close": QCoreApplication.translate("QueueActions", "Close case"),
        "evaluate": QCoreApplication.translate("QueueActions", "Evaluate"),
        "escalate": QCoreApplication.translate("QueueActions", "Escalate"),
        "supervise": QCoreApplication.translate("QueueActions", "Supervise"),
        "extend": QCoreApplication.translate("QueueActions", "Extend"),
        "suspend": QCoreApplication.translate("QueueActions", "Suspend"),
        "resume": QCoreApplication.translate("QueueActions", "Resume"),
        "void": QCoreApplication.translate("QueueActions", "Void"),
        "comment": QCoreApplication.translate("QueueActions", "Comment"),
    }[action]


def source_label(source: str) -> str:
    labels: dict[str, str] = {
        Source.WALK_IN: QCoreApplication.translate("QueueDetail", "Walk-in"),
        Source.PATROL: QCoreApplication.translate("QueueDetail", "Patrol"),
        Source.HOTLINE: QCoreApplication.translate("QueueDetail", "Hotline"),
        Source.ONLINE: QCoreApplication.translate("QueueDetail", "Online"),
        Source.COUNTY: QCoreApplication.translate("QueueDetail", "County"),
    }
    return labels.get(source, source)


class DetailPanel(QWidget):
    action_requested = Signal(str)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseDetail")
        self.case_id: str | None = None
        self.detail: CaseDetail | None = None
        self._load: Op[CaseDetail] | None = None
        self.names = Names()

        self.title = plain_label(self.tr("Select a case to see its details."))
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.status = plain_label()
        self.status.setObjectName("detailStatus")
        self.status.setWordWrap(True)
        self.actions_box = QWidget()
        self.actions_box.setObjectName("detailActions")
        self.actions_grid = QGridLayout(self.actions_box)
        self.actions_grid.setContentsMargins(0, 4, 0, 4)
        self.actions_grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}

        self.fields_widget = QWidget()
        self.fields = QFormLayout(self.fields_widget)
        self.fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        fields_scroll = QScrollArea()
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setWidget(self.fields_widget)

        self.timeline = QTreeWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels(
            [self.tr("Time"), self.tr("Who"), self.tr("State after"), self.tr("What")]
        )
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.header().setStretchLastSection(True)

        self.deadlines = QTreeWidget()
        self.deadlines.setObjectName("deadlineHistory")
        self.deadlines.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Change"),
                self.tr("Sign for by"),
                self.tr("Deadline"),
                self.tr("Note"),
            ]
        )
        self.deadlines.setRootIsDecorated(False)
        self.deadlines.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.attachments = AttachmentsPane(ctx)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("detailTabs")
        self.tabs.addTab(fields_scroll, self.tr("Details"))
        self.tabs.addTab(self.timeline, self.tr("Timeline"))
        self.tabs.addTab(self.deadlines, self.tr("Deadlines"))
        self.tabs.addTab(self.attachments, self.tr("Attachments"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.actions_box)
        layout.addWidget(self.tabs, 1)
        self.reload_names()
        self.show_case(None)

    def reload_names(self) -> None:
        self.names = ops.names(self.ctx)  # the small reference tables: a few ms

    # ---------------------------------------------------------------- showing
    @property
    def loading(self) -> bool:
        return self._load is not None and self._load.pending

    def show_case(self, case_id: str | None) -> None:
        """Show ``case_id`` now (one case's rows, read here: a few ms). Any load
        still running in the background is dropped."""
        if self._load is not None:
            self._load.cancel()
        self.case_id = case_id
        self.detail = None
        if case_id is None:
            self._render()
            return
        try:
            detail = ops.detail(self.ctx, case_id, attachments_folder(self.ctx))
        except DomainError as exc:
            self._detail_failed(exc)
            return
        self._show_detail(detail)

    def load_case(self, case_id: str) -> None:
        """Show ``case_id`` once its detail is read in the background: the queue's
        selection moves with the arrow keys, and only the case asked last is shown."""
        self.case_id = case_id
        self.detail = None
        self._set_actions([])  # the buttons return with the case's detail
        ctx, folder = self.ctx, attachments_folder(self.ctx)
        self._load = (
            Op(self, lambda: ops.detail(ctx, case_id, folder), key="detail")
            .success(self._show_detail)
            .failure(self._detail_failed)
            .run_in_background()
        )

    def _show_detail(self, detail: CaseDetail) -> None:
        self.detail = detail
        self._render()

    def _detail_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            show_failure(exc, self)
            return
        self.detail = None
        self.case_id = None
        self.title.setText(error_text(exc))
        self._render()

    def refresh(self) -> None:
        """Read the shown case again, in the background (after a change)."""
        if self.case_id is not None:
            self.load_case(self.case_id)

    def _clear_form(self) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)

    def _render(self) -> None:
        self._clear_form()
        self.timeline.clear()
        self.deadlines.clear()
        self.attachments.clear()
        self._set_actions([])
        detail = self.detail
        if detail is None:
            if self.case_id is None and not self.title.text():
                self.title.setText(self.tr("Select a case to see its details."))
            self.status.clear()
            self.tabs.setEnabled(False)
            if self.case_id is None:
                self.title.setText(self.tr("Select a case to see its details."))
            return
        self.tabs.setEnabled(True)
        case = detail.case
        self.title.setText(f"{wrappable(case.number, 80)}\n{wrappable(case.title, TITLE_LIMIT)}")
        self.status.setText(self._status_text(case))
        self._set_actions(case_actions.available_actions(self.ctx.actor, case))
        self._fill_fields(detail)
        self._fill_timeline(detail)
        self._fill_deadlines(detail)
        self._fill_attachments(detail)

    def _status_text(self, case: Any) -> str:
        now = utcnow()
        text = label(STATE_LABELS.get(case.state, case.state))
        status = queue_clauses.deadline_status(case.state, case.deadline, case.dispatched_at, now)
        if case.deadline is not None and case.state in queue_clauses.RUNNING_STATES:
            left = self.ctx.calendar.working_days_between(now, case.deadline)
            if left < 0:
                text += self.tr(" · overdue by %1 working days").replace("%1", working_days(-left))
            else:
                text += self.tr(" · %1 working days left").replace("%1", working_days(left))
        self.status.setProperty("deadline", status or "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        return text

    def _set_actions(self, actions: list[str]) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        for i, action in enumerate(actions):
            button = QPushButton(action_label(action))
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _c=False, a=action: self.action_requested.emit(a))
            self.actions_grid.addWidget(button, i // 4, i % 4)
            self.buttons[action] = button
        self.actions_box.setVisible(bool(actions))

    def _row(self, name: str, value: str, limit: int = LINE_LIMIT) -> QLabel | None:
        if not value:
            return None
        text = plain_label(wrappable(value, limit))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields.addRow(name, text)
        return text

    def _fill_fields(self, detail: CaseDetail) -> None:
        case = detail.case
        n = self.names
        self._row(self.tr("Case number:"), case.number)
        self._row(self.tr("Title:"), case.title, TITLE_LIMIT)
        self._row(self.tr("Description:"), case.description, TEXT_LIMIT)
        self._row(self.tr("Category:"), n.category_path(case.category_code))
        self._row(
            self.tr("Urgency:"),
            self.tr("Urgent") if case.urgency == Urgency.URGENT else self.tr("Normal"),
        )
        self._row(self.tr("Source:"), source_label(case.source))
        self._row(
            self.tr("Area:"), n.org_unit(case.grid_id or case.community_id or case.org_unit_id)
        )
        self._row(self.tr("Address:"), case.address or "")
        if case.lat is not None and case.lon is not None:
            self._row(self.tr("Location:"), f"{case.lat:.5f}, {case.lon:.5f}")
        self._row(self.tr("Registered:"), f"{local(case.created_at)}  {n.user(case.created_by)}")
        self._row(self.tr("Assignee:"), n.assignee(case.assignee_type, case.assignee_id))
        self._row(self.tr("Dispatched:"), local(case.dispatched_at))
        self._row(self.tr("Sign for by:"), local(case.ack_deadline))
        self._row(self.tr("Signed for:"), local(case.acknowledged_at))
        self._row(self.tr("Deadline:"), local(case.deadline))
        self._row(self.tr("Reported:"), local(case.feedback_at))
        self._row(self.tr("Closed:"), local(case.closed_at))
        if case.escalated_to:
            self._row(self.tr("Escalated to:"), n.org_unit(case.escalated_to))
        if detail.duplicate_number:
            self._row(self.tr("Duplicate of:"), detail.duplicate_number)
        if case.satisfaction:
            self._row(self.tr("Satisfaction:"), self._satisfaction(case.satisfaction))
        counts = (
            self.tr("dispatched %1 · returned %2 · reworked %3 · extended %4 · supervised %5")
            .replace("%1", str(case.dispatch_count))
            .replace("%2", str(case.return_count))
            .replace("%3", str(case.rework_count))
            .replace("%4", str(case.extension_count))
            .replace("%5", str(case.supervise_count))
        )
        self._row(self.tr("Counts:"), counts)
        self._fill_visitor(detail)

    def _fill_visitor(self, detail: CaseDetail) -> None:
        """The visitor's rows (masked). A control to reveal the phone for a
        department user may go beside the phone row."""
        visitor = detail.visitor
        if visitor is None:
            return
        self._row(self.tr("Visitor:"), visitor.name)
        self._row(self.tr("Phone:"), visitor.phone)
        if visitor.phone and detail.case.visit_id:
            from views.queue.reveal import reveal_button

            button = reveal_button(self.ctx, detail.case.visit_id, self)
            if button is not None:
                self.fields.addRow("", button)
        self._row(self.tr("ID number:"), visitor.id_number)
        self._row(self.tr("Visitor address:"), visitor.address)

    def _satisfaction(self, value: str) -> str:
        return {
            "satisfied": self.tr("Satisfied"),
            "basically_satisfied": self.tr("Basically satisfied"),
            "dissatisfied": self.tr("Dissatisfied"),
        }.get(value, value)

    def _event_text(self, entry: Any) -> str:
        data = entry.data
        what = label(EVENT_LABELS.get(entry.type, entry.type))
        extra: list[str] = []
        if entry.type == EventType.DISPATCHED:
            extra.append(
                self.tr("to %1, deadline %2")
                .replace(
                    "%1",
                    clean(
                        self.names.assignee(
                            _text(data.get("assignee_type")), _text(data.get("assignee_id"))
                        ),
                        LINE_LIMIT,
                    ),
                )
                .replace("%2", local(_time(data.get("deadline"))))
            )
        elif entry.type == EventType.VERIFIED:
            extra.append(self.tr("passed") if data.get("passed") else self.tr("failed"))
        elif entry.type == EventType.EVALUATED:
            extra.append(self._satisfaction(str(data.get("satisfaction") or "")))
        elif entry.type == EventType.ESCALATED:
            extra.append(clean(self.names.org_unit(_text(data.get("to_org_unit_id"))), LINE_LIMIT))
        elif entry.type == EventType.EXTENDED:
            extra.append(local(_time(data.get("new_deadline"))))
        elif entry.type == EventType.FEEDBACK and _non_empty_list(data.get("attachments")):
            extra.append(self.tr("%n attachment(s)", "", len(data["attachments"])))
        for key in ("reason", "result", "note", "text"):
            if data.get(key):
                extra.append(clean(data[key], TEXT_LIMIT))
        return what + ("：" + "；".join(extra) if extra else "")

    def _sent_text(self, entry: TimelineEntry) -> str:
        """Who pushed the event to the county, from which desk and when (PROTOCOL 1.1)."""
        if entry.rejected:
            reason = reject_reason(entry.rejected_code or "")
            said = clean(entry.rejected_message, LINE_LIMIT)
            text = self.tr("Rejected by the county: %1").replace("%1", reason)
            return f"{text}（{said}）" if said else text
        if entry.pending:
            return self.tr("Not yet accepted by the county")
        when = local(entry.received_at)
        if entry.unverified_author:
            text = self.tr("Sent before 1.1; the sender was not verified")
            return f"{text} · {when}" if when else text
        if not entry.pushed_by:
            return self.tr("Accepted by the county; the sender is not recorded")
        parts = [
            clean(self.names.user(entry.pushed_by), LINE_LIMIT),
            clean(entry.pushed_device, LINE_LIMIT),
            when,
        ]
        return self.tr("Sent by %1").replace("%1", " · ".join(p for p in parts if p))

    def _fill_timeline(self, detail: CaseDetail) -> None:
        for entry in detail.timeline:
            item = QTreeWidgetItem(
                [
                    local(entry.at),
                    clean(self.names.user(entry.actor_id), LINE_LIMIT),
                    label(STATE_LABELS.get(entry.state_after, entry.state_after)),
                    self._event_text(entry),
                ]
            )
            item.setToolTip(3, plain_tip(item.text(3)))
            if entry.rejected:
                # Refused by the county: kept where it was recorded, struck through,
                # counted nowhere (docs/sync-rules.md).
                item.setData(0, Qt.ItemDataRole.UserRole, "rejected")
                font = item.font(0)
                font.setStrikeOut(True)
                for column in range(item.columnCount()):
                    item.setFont(column, font)
                    item.setForeground(column, self.palette().placeholderText())
                item.setText(2, "")
                item.setToolTip(0, self.tr("Rejected by the county; not part of the case"))
            elif entry.pending:
                item.setToolTip(0, self.tr("Not yet sent to the county"))
            self.timeline.addTopLevelItem(item)
            sent = QTreeWidgetItem([self._sent_text(entry)])
            sent.setData(0, Qt.ItemDataRole.UserRole, "sent")
            sent.setForeground(
                0, QColor("#b3261e") if entry.rejected else self.palette().placeholderText()
            )
            sent.setToolTip(0, plain_tip(sent.text(0)))
            item.addChild(sent)
            sent.setFirstColumnSpanned(True)
        self.timeline.expandAll()

    def _fill_deadlines(self, detail: CaseDetail) -> None:
        kinds: dict[str, str] = {
            EventType.DISPATCHED: self.tr("Dispatched to %1"),
            EventType.EXTENDED: self.tr("Extended"),
            EventType.SUSPENDED: self.tr("Suspended (clock stopped)"),
            EventType.RESUMED: self.tr("Resumed"),
        }
        for change in detail.deadlines:
            text = kinds.get(change.type, change.type)
            if change.type == EventType.DISPATCHED:
                text = text.replace(
                    "%1", self.names.assignee(change.assignee_type, change.assignee_id)
                )
            item = QTreeWidgetItem(
                [
                    local(change.at),
                    text,
                    local(change.ack_deadline),
                    local(change.deadline),
                    clean(change.reason, LINE_LIMIT),
                ]
            )
            self.deadlines.addTopLevelItem(item)

    def _fill_attachments(self, detail: CaseDetail) -> None:
        """Thumbnails grouped by step ("受理 · 2026-11-20 09:12 · 谢丽"), each decoded
        in the background; a file not on this computer downloads on a click."""
        self.attachments.set_steps(
            detail.attachment_steps, self.names, detail.unreadable_attachments
        )
        self.tabs.setTabText(
            3, self.tr("Attachments (%1)").replace("%1", str(len(detail.attachments)))
        )


def _time(value: Any) -> Any:
    from services.cases.event_checks import parse_time

    if not value:
        return None
    try:
        return parse_time(value, "deadline")
    except (DomainError, TypeError, ValueError, AttributeError):
        return None


def _text(value: Any) -> str | None:
    """An id from an event's data as a string (a pulled event may hold anything)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value)
