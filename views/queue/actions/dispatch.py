"""Dispatch (派遣) one or several cases to a department, a grid worker or a
higher unit, with the deadlines each case will get shown before confirming."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from models.enums import AssigneeType
from services.cases import actions as case_actions

from ...context import ViewContext
from ...formatting import local, plain_tip
from ...messages import error_text
from .. import ops
from .base import ActionDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class DispatchDialog(ActionDialog):
    action = "dispatch"

    def __init__(
        self, ctx: ViewContext, case_ids: Sequence[str], parent: QWidget | None = None
    ) -> None:
        setup = ops.dispatch_setup(ctx, case_ids)  # a few cases and the targets: a few ms
        cases, targets = setup.cases, setup.targets
        first = cases[0] if cases else None
        super().__init__(ctx, first if len(cases) == 1 else None, parent)
        self.cases = cases
        self.targets = targets
        self.changed_ids = [c.id for c in cases]
        self.setWindowTitle(self.tr("Dispatch"))
        self.setMinimumWidth(640 if len(case_ids) == 1 else 780)
        if len(cases) > 1:
            self.heading.setText(self.tr("Dispatch %n selected case(s)", "", len(cases)))

        kinds = QWidget()
        row = QHBoxLayout(kinds)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for kind, text in (
            (AssigneeType.DEPARTMENT.value, self.tr("Department")),
            (AssigneeType.GRID_WORKER.value, self.tr("Grid worker")),
            (AssigneeType.ORG_UNIT.value, self.tr("Higher unit")),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"kind_{kind}")
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            row.addWidget(button)
            button.toggled.connect(self._fill_targets)
        row.addStretch(1)
        self.form.addRow(self.tr("Dispatch to:"), kinds)
        self.target = QComboBox()
        self.target.setMinimumWidth(320)
        self.add_field("assignee_id", self.tr("Assignee:"), self.target)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Instructions for the assignee (optional)"))
        self.add_field("note", self.tr("Note:"), self.note)

        self.preview = QTableWidget(0, 4)
        self.preview.setObjectName("dispatchPreview")
        self.preview.setHorizontalHeaderLabels(
            [self.tr("Case number"), self.tr("Title"), self.tr("Sign for by"), self.tr("Deadline")]
        )
        self.preview.verticalHeader().hide()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if len(cases) == 1:
            self.preview.setMaximumHeight(80)
        else:
            self.preview.setMinimumHeight(200)
        self.form.addRow(self.tr("Deadlines:"), self.preview)
        self.set_ok_text(self.tr("Dispatch"))

        self.default_dept = setup.default_department_id
        self.kind_buttons[AssigneeType.DEPARTMENT.value].setChecked(True)
        self.refresh_preview()

    @classmethod
    def for_case(cls, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> DispatchDialog:
        return cls(ctx, [case.id], parent)

    def kind(self) -> str:
        for kind, button in self.kind_buttons.items():
            if button.isChecked():
                return kind
        return AssigneeType.DEPARTMENT.value

    def _fill_targets(self) -> None:
        kind = self.kind()
        self.target.clear()
        for target in self.targets:
            if target.assignee_type != kind:
                continue
            text = target.name if not target.hint else f"{target.name}（{target.hint}）"
            self.target.addItem(text, target.assignee_id)
        if kind == AssigneeType.DEPARTMENT and self.default_dept:
            index = self.target.findData(self.default_dept)
            if index >= 0:
                self.target.setCurrentIndex(index)

    def refresh_preview(self) -> None:
        """The deadlines each case gets now (they depend on category, urgency and the calendar)."""
        self.previews = ops.preview_dispatch(self.ctx, [c.id for c in self.cases])
        self.preview.setRowCount(len(self.previews))
        for row, p in enumerate(self.previews):
            values = [p.number, p.title]
            if p.error is None:
                values += [local(p.ack_deadline), local(p.deadline)]
            else:
                values += [error_text(p.error), ""]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if p.error is not None and column >= 2:
                    item.setForeground(self.palette().brightText())
                    item.setToolTip(plain_tip(value))
                self.preview.setItem(row, column, item)
            if p.error is not None:
                self.preview.setSpan(row, 2, 1, 2)
        self.ok_button.setEnabled(any(p.error is None for p in self.previews))

    def dispatchable(self) -> list[str]:
        return [p.case_id for p in self.previews if p.error is None]

    def perform(self, session: Session) -> None:
        ids = self.dispatchable()
        case_actions.dispatch_cases(
            session,
            self.ctx.actor,
            self.ctx.calendar,
            ids,
            self.kind(),
            self.target.currentData() or "",
            self.note.text(),
        )
        self.changed_ids = ids
