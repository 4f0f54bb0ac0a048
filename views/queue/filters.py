"""The queue's filter panel: search, saved filters, states with their counts,
deadline, category, assignee, area, urgency, source, dates and supervision.

``changed`` carries a :class:`services.cases.queue.QueueFilter`; the map screen can
reuse the panel (``show_saved=False`` leaves out the saved filters).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.enums import AssigneeType, CaseState, Source, Urgency
from services.cases import queue
from services.cases.labels import STATE_LABELS
from services.cases.lookups import Choice, FilterChoices
from services.errors import DomainError
from services.worktime.workdays import SHANGHAI

from ..context import ViewContext
from ..formatting import label, plain_label
from ..messages import error_text, show_message
from ..tasks import Op
from . import ops

STATE_ORDER = (
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.ACKNOWLEDGED,
    CaseState.HANDLED,
    CaseState.RETURNED,
    CaseState.ESCALATED,
    CaseState.SUSPENDED,
    CaseState.CLOSED,
    CaseState.VOIDED,
)


def _local_midnight_utc(day: QDate) -> datetime:
    local = datetime(day.year(), day.month(), day.day(), tzinfo=SHANGHAI)
    return local.astimezone(UTC)


class FilterPanel(QWidget):
    changed = Signal(object)  # services.cases.queue.QueueFilter

    def __init__(
        self,
        ctx: ViewContext,
        parent: QWidget | None = None,
        *,
        show_saved: bool = True,
        show_search: bool = True,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("queueFilters")
        self._loading = False
        self._counts: dict[str, int] = {}
        self._children: dict[str, list[str]] = {}
        self._choices_op: Op[FilterChoices] | None = None
        self._wanted: queue.QueueFilter | None = None  # reference part set before the choices came
        handler = ctx.actor.is_handler

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(4)

        self._add_search(layout, show_search)
        self._add_saved(layout, show_saved)
        self._add_states(layout)
        self._add_reference(layout, handler)
        self._add_urgency_source(layout)
        self._add_dates(layout)
        self.supervised = QCheckBox(self.tr("Supervised only"))
        self.supervised.setObjectName("supervisedFilter")
        self.supervised.toggled.connect(lambda _c: self._emit())
        layout.addWidget(self.supervised)

        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)

    # ---------------------------------------------------------------- building
    def _add_search(self, layout: QVBoxLayout, show: bool) -> None:
        """The free-text search, delayed while the person types."""
        self.search = QLineEdit()
        self.search.setObjectName("queueSearch")
        self.search.setPlaceholderText(self.tr("Search number, title, text, address"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(350)
        self._search_timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._emit)
        if show:
            layout.addWidget(self.search)
        else:
            self.search.hide()

    def _add_saved(self, layout: QVBoxLayout, show: bool) -> None:
        """The saved filters of this user."""
        self.saved = QComboBox()
        self.saved.setObjectName("savedFilters")
        self.saved.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.saved.setMinimumContentsLength(6)
        self.save_button = QPushButton(self.tr("Save…"))
        self.save_button.setObjectName("saveFilter")
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setObjectName("deleteFilter")
        saved_row = QHBoxLayout()
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.delete_button)
        if show:
            layout.addWidget(self._caption(self.tr("Saved filters")))
            layout.addLayout(saved_row)
            self.reload_saved()
        else:
            for w in (self.saved, self.save_button, self.delete_button):
                w.hide()
        self.saved.activated.connect(self._apply_saved)
        self.save_button.clicked.connect(self.save_current)
        self.delete_button.clicked.connect(self.delete_current)

    def _add_states(self, layout: QVBoxLayout) -> None:
        """One check box per case state."""
        layout.addWidget(self._caption(self.tr("Case state")))
        self.states = QListWidget()
        self.states.setObjectName("stateList")
        for state in STATE_ORDER:
            item = QListWidgetItem(label(STATE_LABELS[state]))
            item.setData(Qt.ItemDataRole.UserRole, state.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.states.addItem(item)
        self.states.setFixedHeight(9 * 22 + 6)
        self.states.itemChanged.connect(lambda _i: self._emit())
        layout.addWidget(self.states)

    def _add_reference(self, layout: QVBoxLayout, handler: bool) -> None:
        """Deadline, category, assignee (not for handlers) and area."""
        self.deadline = self._combo(
            "deadlineFilter",
            [
                (self.tr("Any deadline"), None),
                (self.tr("Overdue"), "overdue"),
                (self.tr("Near the deadline"), "near"),
                (self.tr("Overdue or near"), "due"),
            ],
        )
        layout.addWidget(self._caption(self.tr("Deadline")))
        layout.addWidget(self.deadline)

        self.category = self._combo("categoryFilter", [(self.tr("All categories"), None)])
        self.assignee = self._combo("assigneeFilter", [(self.tr("All assignees"), None)])
        self.area = self._combo("areaFilter", [(self.tr("All areas"), None)])
        self._fill_reference()
        layout.addWidget(self._caption(self.tr("Category")))
        layout.addWidget(self.category)
        if not handler:
            layout.addWidget(self._caption(self.tr("Assignee")))
            layout.addWidget(self.assignee)
        else:
            self.assignee.hide()
        layout.addWidget(self._caption(self.tr("Area")))
        layout.addWidget(self.area)

    def _add_urgency_source(self, layout: QVBoxLayout) -> None:
        """Urgency and source side by side."""
        self.urgency = self._combo(
            "urgencyFilter",
            [
                (self.tr("Any urgency"), None),
                (self.tr("Urgent"), Urgency.URGENT.value),
                (self.tr("Normal"), Urgency.NORMAL.value),
            ],
        )
        self.source = self._combo(
            "sourceFilter",
            [
                (self.tr("Any source"), None),
                (self.tr("Walk-in"), Source.WALK_IN.value),
                (self.tr("Patrol"), Source.PATROL.value),
                (self.tr("Hotline"), Source.HOTLINE.value),
                (self.tr("Online"), Source.ONLINE.value),
                (self.tr("County"), Source.COUNTY.value),
            ],
        )
        pair = QHBoxLayout()
        pair.addWidget(self.urgency)
        pair.addWidget(self.source)
        layout.addWidget(self._caption(self.tr("Urgency and source")))
        layout.addLayout(pair)

    def _add_dates(self, layout: QVBoxLayout) -> None:
        """An optional range of registration dates."""
        self.use_dates = QCheckBox(self.tr("Registered between"))
        self.use_dates.setObjectName("useDates")
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _d: self._emit())
        self.use_dates.toggled.connect(self._dates_toggled)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from, 1)
        dates.addWidget(plain_label("–"))
        dates.addWidget(self.date_to, 1)
        layout.addWidget(self.use_dates)
        layout.addLayout(dates)

    def _caption(self, text: str) -> QLabel:
        caption = plain_label(text)
        caption.setObjectName("filterCaption")
        return caption

    def _combo(self, name: str, options: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        for text, value in options:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _i: self._emit())
        return combo

    def _fill_reference(self) -> None:
        """Ask for the categories, assignees and areas (scoped to the user) in the
        background; until they come, a filter set meanwhile is kept as it was given."""
        ctx = self.ctx
        self._choices_op = (
            Op(self, lambda: ops.choices(ctx), key="choices")
            .success(self._show_choices)
            .run_in_background()
        )

    @property
    def loading(self) -> bool:
        return self._choices_op is not None and self._choices_op.pending

    def _show_choices(self, choices: FilterChoices) -> None:
        by_parent: dict[str | None, list[Choice]] = {}
        for cat in choices.categories:
            by_parent.setdefault(cat.parent, []).append(cat)

        def add(parent: str | None, depth: int) -> list[str]:
            codes: list[str] = []
            for cat in by_parent.get(parent, []):
                self.category.addItem("　" * depth + cat.name, cat.value)
                below = add(cat.value, depth + 1)
                self._children[cat.value] = [cat.value, *below]
                codes += [cat.value, *below]
            return codes

        combos = (self.category, self.assignee, self.area)
        for combo in combos:
            combo.blockSignals(True)
        add(None, 0)
        for dept in choices.departments:
            self.assignee.addItem(dept.name, f"{AssigneeType.DEPARTMENT.value}:{dept.value}")
        for user in choices.grid_workers:
            self.assignee.addItem(user.name, f"{AssigneeType.GRID_WORKER.value}:{user.value}")
        for unit in choices.areas:
            depth = {"street": 0, "community": 1, "grid": 2}.get(unit.level, 0)
            self.area.addItem("　" * depth + unit.name, unit.value)
        wanted = self._wanted
        self._wanted = None
        if wanted is not None:  # a filter set while the choices were coming
            self._select_reference(wanted)
        for combo in combos:
            combo.blockSignals(False)

    def _select_reference(self, flt: queue.QueueFilter) -> None:
        self._select(self.category, flt.category_codes[0] if flt.category_codes else None)
        self._select(
            self.assignee,
            f"{flt.assignee_type}:{flt.assignee_id}" if flt.assignee_id else None,
        )
        self._select(self.area, flt.org_unit_prefix)

    # ---------------------------------------------------------------- state
    def current_filter(self) -> queue.QueueFilter:
        states = tuple(
            str(self.states.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.states.count())
            if self.states.item(i).checkState() == Qt.CheckState.Checked
        )
        category = self.category.currentData()
        assignee = self.assignee.currentData()
        assignee_type, assignee_id = assignee.split(":", 1) if assignee else (None, None)
        deadline = self.deadline.currentData()
        created_from = created_to = None
        if self.use_dates.isChecked():
            created_from = _local_midnight_utc(self.date_from.date())
            created_to = _local_midnight_utc(self.date_to.date().addDays(1))
        codes = tuple(self._children.get(category, [category])) if category else ()
        area = self.area.currentData()
        if self._wanted is not None:  # the choices are still coming: keep what was set
            codes, area = self._wanted.category_codes, self._wanted.org_unit_prefix
            assignee_type, assignee_id = self._wanted.assignee_type, self._wanted.assignee_id
        return queue.QueueFilter(
            states=states,
            category_codes=codes,
            assignee_type=assignee_type,
            assignee_id=assignee_id,
            org_unit_prefix=area,
            urgency=self.urgency.currentData(),
            source=self.source.currentData(),
            overdue_only=deadline in ("overdue", "due"),
            near_only=deadline in ("near", "due"),
            supervised_only=self.supervised.isChecked(),
            created_from=created_from,
            created_to=created_to,
            text=self.search.text().strip(),
        )

    def set_filter(self, flt: queue.QueueFilter) -> None:
        """Show ``flt`` in the widgets (emits ``changed`` once)."""
        self._loading = True
        try:
            self.search.setText(flt.text)
            for i in range(self.states.count()):
                item = self.states.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in flt.states
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            deadline = (
                "due"
                if flt.overdue_only and flt.near_only
                else "overdue"
                if flt.overdue_only
                else "near"
                if flt.near_only
                else None
            )
            self._select(self.deadline, deadline)
            if self.loading:
                self._wanted = flt
            else:
                self._select_reference(flt)
            self._select(self.urgency, flt.urgency)
            self._select(self.source, flt.source)
            self.supervised.setChecked(flt.supervised_only)
            self.use_dates.setChecked(flt.created_from is not None)
            if flt.created_from is not None:
                self.date_from.setDate(QDate(flt.created_from.astimezone(SHANGHAI).date()))
            if flt.created_to is not None:
                last = flt.created_to.astimezone(SHANGHAI).date()
                self.date_to.setDate(QDate(last).addDays(-1))
        finally:
            self._loading = False
        self._search_timer.stop()
        self._emit()

    def _select(self, combo: QComboBox, value: Any) -> None:
        index = combo.findData(value) if value is not None else 0
        combo.setCurrentIndex(max(index, 0))

    def clear(self) -> None:
        self.saved.setCurrentIndex(0)
        self.set_filter(queue.QueueFilter())

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show how many cases each state holds (under the other filters)."""
        self._counts = counts
        self.states.blockSignals(True)
        for i in range(self.states.count()):
            item = self.states.item(i)
            state = str(item.data(Qt.ItemDataRole.UserRole))
            item.setText(
                self.tr("%1 (%2)")
                .replace("%1", label(STATE_LABELS[state]))
                .replace("%2", f"{counts.get(state, 0):,}")
            )
        self.states.blockSignals(False)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._emit()

    def _emit(self) -> None:
        if self._loading:
            return
        self.changed.emit(self.current_filter())

    # ---------------------------------------------------------------- saved filters
    def reload_saved(self, select_name: str | None = None) -> None:
        self.saved.blockSignals(True)
        self.saved.clear()
        self.saved.addItem(self.tr("(none chosen)"), None)
        self._saved = ops.saved_filters(self.ctx)  # the user's own few rows
        for name in self._saved:
            self.saved.addItem(name, name)
        if select_name:
            self._select(self.saved, select_name)
        self.saved.blockSignals(False)
        self.delete_button.setEnabled(bool(self._saved))

    def _apply_saved(self, index: int) -> None:
        name = self.saved.itemData(index)
        if name and name in self._saved:
            self.set_filter(self._saved[name])

    def save_current(self) -> None:
        current = self.saved.currentData() or ""
        name, ok = QInputDialog.getText(
            self, self.tr("Save filter"), self.tr("Name of the filter:"), text=current
        )
        if not ok:
            return
        self.save_as(name)

    def save_as(self, name: str) -> bool:
        try:
            saved = ops.save_filter(self.ctx, name, self.current_filter())
        except DomainError as exc:
            show_message(self, self.tr("Save filter"), error_text(exc))
            return False
        self.reload_saved(saved)
        return True

    def delete_current(self) -> None:
        name = self.saved.currentData()
        if not name:
            return
        try:
            ops.delete_saved_filter(self.ctx, name)
        except DomainError as exc:
            show_message(self, self.tr("Delete filter"), error_text(exc))
            return
        self.reload_saved()
