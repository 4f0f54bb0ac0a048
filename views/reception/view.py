"""The reception desk screen (来访接待): the visit form, the returning-visitor
and duplicate panels, today's visits and the history, and the receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.cases.lookups import Names
from services.cases.permissions import Permission
from services.errors import DomainError, ValidationError
from services.reception.duplicates import PlaceCheck, check_place
from services.reception.history import search_visits, today_stats
from services.reception.labels import Outcome
from services.reception.lookups import DeskChoices, desk_choices
from services.reception.returning import ReturningVisitor, find_returning
from services.reception.validation import VisitInvalid
from services.reception.visits import VisitResult
from views.map.picker import add_pick_button
from views.messages import error_text, message_box
from views.tasks import Op, show_failure

from ..context import ViewContext
from ..formatting import label, local, plain_label
from . import ops
from .enquiry import SHORTCUT as ENQUIRY_SHORTCUT
from .enquiry import EnquiryDialog, raise_enquiry
from .form import VisitForm
from .panels import DuplicatesPanel, ReturningPanel
from .pickers import Choice
from .receipt import ReceiptDialog
from .visits_panel import HistoryPanel, TodayPanel

if TYPE_CHECKING:  # types only: the sessions are opened by ctx.read() in the worker
    from sqlalchemy.orm import Session

T = TypeVar("T")

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 500
LOOKUP_DELAY_MS = 300


class ReceptionView(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("receptionView")
        self.last_result: VisitResult | None = None
        self._ops: dict[str, Op[Any]] = {}  # the running look-up of each kind
        self.receipt_dialog: ReceiptDialog | None = None
        self.enquiry_dialog: EnquiryDialog | None = None
        self.names = Names()  # filled with the choices, off the GUI thread

        self.title = plain_label(self.tr("Reception desk"))
        self.title.setObjectName("screenTitle")
        keys = plain_label(
            self.tr("Tab: next field · Enter: submit · Esc: clear · Alt+1/2/3: outcome · F4: tree")
        )
        keys.setObjectName("hintLabel")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(keys)
        self.enquiry_button = QPushButton(self.tr("Progress enquiry…"))
        self.enquiry_button.setObjectName("enquiryButton")
        self.enquiry_button.setToolTip(
            self.tr(
                "%1 — a case's progress, by the receipt's query code or the visitor's phone"
            ).replace("%1", ENQUIRY_SHORTCUT)
        )
        self.enquiry_button.clicked.connect(self.open_enquiry)
        self.enquiry_button.setVisible(ctx.can(Permission.ENQUIRE_PROGRESS))
        top.addWidget(self.enquiry_button)
        self._build_banners()
        self.form = VisitForm(ctx.can(Permission.DISPATCH), data_dir=ctx.data_dir)
        if ctx.can(Permission.VIEW_MAP):
            add_pick_button(self.form, ctx)  # "pick on the map": location and grid
        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        form_side = QWidget()
        form_layout = QVBoxLayout(form_side)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(scroll, 1)
        self.form.place_buttons(form_layout)
        self._build_tabs()
        side = self.tabs

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(form_side)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 11)
        splitter.setStretchFactor(1, 9)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.draft_banner)
        layout.addWidget(self.result_banner)
        layout.addWidget(splitter, 1)
        self._build_timers()
        self._connect()

        self.load_choices()
        self.refresh_today()
        self.offer_draft()

    def _build_banners(self) -> None:
        # Draft offered back after a crash or power cut.
        self.draft_banner = QFrame()
        self.draft_banner.setObjectName("draftBanner")
        self.draft_label = plain_label()
        self.draft_label.setWordWrap(True)
        self.restore_button = QPushButton(self.tr("Restore"))
        self.restore_button.setObjectName("restoreDraft")
        self.restore_button.setAutoDefault(True)
        self.restore_button.setProperty("primary", True)
        self.restore_button.clicked.connect(self.restore_draft)
        self.discard_button = QPushButton(self.tr("Discard"))
        self.discard_button.setAutoDefault(True)
        self.discard_button.clicked.connect(self.discard_draft)
        banner = QHBoxLayout(self.draft_banner)
        banner.addWidget(self.draft_label, 1)
        banner.addWidget(self.restore_button)
        banner.addWidget(self.discard_button)
        self.draft_banner.hide()

        # What the last submission did.
        self.result_banner = QFrame()
        self.result_banner.setObjectName("resultBanner")
        self.result_label = plain_label()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton(self.tr("Print receipt"))
        self.print_button.setObjectName("printReceipt")
        self.print_button.setToolTip(self.tr("Ctrl+P"))
        self.print_button.setAutoDefault(True)
        self.print_button.clicked.connect(self.print_last_receipt)
        self.show_case_button = QPushButton(self.tr("Show case"))
        self.show_case_button.setAutoDefault(True)
        self.show_case_button.clicked.connect(self._show_last_case)
        result = QHBoxLayout(self.result_banner)
        result.addWidget(self.result_label, 1)
        result.addWidget(self.show_case_button)
        result.addWidget(self.print_button)
        self.result_banner.hide()

    def _build_tabs(self) -> None:
        self.returning = ReturningPanel()
        self.duplicates = DuplicatesPanel()
        self.today = TodayPanel()
        self.history = HistoryPanel()
        # One column of tabs beside the form; a look-up that finds something brings its tab forward.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("receptionTabs")
        self.tabs.addTab(self.returning, self.tr("Returning visitor"))
        self.tabs.addTab(self.duplicates, self.tr("Possible duplicates"))
        self.tabs.addTab(self.today, self.tr("Today"))
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.setTabVisible(self.tabs.indexOf(self.returning), False)
        self.tabs.setTabVisible(self.tabs.indexOf(self.duplicates), False)
        self.tabs.setCurrentWidget(self.today)

    def _build_timers(self) -> None:
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.save_draft)
        self.lookup_timer = QTimer(self)
        self.lookup_timer.setSingleShot(True)
        self.lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self.lookup_timer.timeout.connect(self.look_up_visitor)
        self.place_timer = QTimer(self)
        self.place_timer.setSingleShot(True)
        self.place_timer.setInterval(LOOKUP_DELAY_MS)
        self.place_timer.timeout.connect(self.check_place)

    def _connect(self) -> None:
        self.form.submit_requested.connect(self.submit)
        self.form.changed.connect(self._form_changed)
        self.form.cleared.connect(self._form_cleared)
        self.form.visitor_keys_changed.connect(self.lookup_timer.start)
        self.form.place_changed.connect(self.place_timer.start)
        self.returning.fill_requested.connect(self.form.fill_visitor)
        self.returning.open_case.connect(self.open_case)
        self.duplicates.attach_requested.connect(self.form.set_attach)
        self.duplicates.open_case.connect(self.open_case)
        for visits in (self.today.list, self.history.list):
            visits.reprint.connect(self.open_receipt)
            visits.open_case.connect(self.open_case)
            visits.reveal.connect(self.reveal)
            visits.reveal_button.setVisible(self.ctx.can(Permission.REVEAL_PERSONAL_DATA))
        self.history.search_requested.connect(self.search_history)
        self.history.export_requested.connect(self.export_history)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        print_shortcut = QShortcut(QKeySequence("Ctrl+P"), self)
        print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        print_shortcut.activated.connect(self.print_last_receipt)
        self.ctx.events.reference_changed.connect(self.load_choices)
        self.ctx.events.visits_changed.connect(lambda _ids: self.refresh_today())

    # ------------------------------------------------------------------ data
    def _in_background(self, key: str, work: Callable[[Session], T]) -> Op[T]:
        """``work`` with a read session in the thread pool; a newer op of the same
        ``key`` replaces an older one (latest wins)."""
        op = Op(self, ops.in_read(self.ctx, work), key=key)
        self._ops[key] = op
        return op

    def _cancel(self, key: str) -> None:
        op = self._ops.pop(key, None)
        if op is not None:
            op.cancel()

    def load_choices(self) -> None:
        actor = self.ctx.actor
        self._in_background("choices", lambda s: desk_choices(s, actor)).success(
            self._show_choices
        ).run_in_background()

    def _show_choices(self, choices: DeskChoices) -> None:
        self.names = choices.names
        categories = [
            Choice(c.code, c.name, c.path, c.parent_code, c.search) for c in choices.categories
        ]
        places = choices.places
        ids = {p.id for p in places}
        place_items = []
        for p in places:
            parent = next((p.id[:n] for n in (12, 9) if len(p.id) > n and p.id[:n] in ids), None)
            place_items.append(Choice(p.id, p.name, p.path, parent, p.search))
        self.form.set_categories(categories)
        self.form.set_places(place_items)

    def refresh_today(self) -> None:
        actor = self.ctx.actor
        self._in_background("today", lambda s: today_stats(s, actor)).success(
            self.today.show_stats
        ).failure(
            lambda exc: self._quiet_failure("today's visits not shown", exc)
        ).run_in_background()

    def _quiet_failure(self, what: str, exc: BaseException) -> None:
        """A look-up the clerk did not ask for: a refusal is logged, a fault reported."""
        if isinstance(exc, DomainError):
            log.info("%s: %s", what, exc)
        else:
            show_failure(exc, self)

    # ------------------------------------------------------------------ drafts
    def offer_draft(self) -> None:
        # Read at once, not in the background: until it is known whether a draft
        # waits, typing would save over it (one row by its key, well under a ms).
        saved = ops.load_draft(self.ctx)
        if saved is None:
            return
        self._pending_draft = saved.payload
        name = str(saved.payload.get("name") or "").strip()
        self.draft_label.setText(
            self.tr(
                "A visit that was being typed (%1, saved %2) was not submitted — perhaps the "
                "computer was switched off. Restore it?"
            )
            .replace("%1", name or self.tr("no name yet"))
            .replace("%2", local(saved.updated_at, "%m-%d %H:%M"))
        )
        self.draft_banner.show()
        self.form.setEnabled(False)
        self.restore_button.setFocus()

    _pending_draft: dict[str, Any] | None = None

    def restore_draft(self) -> None:
        payload = self._pending_draft or {}
        self._pending_draft = None
        self.draft_banner.hide()
        self.form.setEnabled(True)
        self.form.load_draft(payload)
        self.form.name.setFocus()
        self.lookup_timer.start()
        self.place_timer.start()

    def discard_draft(self) -> None:
        self._pending_draft = None
        ops.clear_draft(self.ctx)
        self.draft_banner.hide()
        self.form.setEnabled(True)
        self.form.name.setFocus()

    def _form_changed(self) -> None:
        if self._pending_draft is None:
            self.draft_timer.start()

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        # Leaving a field saves at once rather than after the pause.
        if self.draft_timer.isActive():
            self.draft_timer.stop()
            self.save_draft()

    def save_draft(self) -> None:
        if self._pending_draft is not None:
            return
        try:
            ops.save_draft(self.ctx, self.form.draft())
        except Exception:  # noqa: BLE001 - a failed draft must never stop the typing
            log.exception("the reception draft could not be saved")

    def _form_cleared(self) -> None:
        self._cancel("visitor")  # an answer about the visitor just registered is stale
        self._cancel("place")
        self.returning.show_visitor(None, self.names)
        self.duplicates.show_candidates([], self.names)
        self._show_tab(self.returning, False)
        self._show_tab(self.duplicates, False)
        self.form.set_dispatch_preview("")
        self.draft_timer.stop()
        ops.clear_draft(self.ctx)

    # ------------------------------------------------------------------ look-ups
    def look_up_visitor(self) -> None:
        actor, phone, id_number = self.ctx.actor, self.form.phone.text(), self.form.id_number.text()
        self._in_background(
            "visitor", lambda s: find_returning(s, actor, phone=phone, id_number=id_number)
        ).success(self._show_visitor).failure(
            lambda exc: self._quiet_failure("returning-visitor look-up refused", exc)
        ).run_in_background()

    def _show_visitor(self, found: ReturningVisitor | None) -> None:
        self.returning.show_visitor(found, self.names)
        self._show_tab(self.returning, found is not None)

    def _show_tab(self, page: QWidget, show: bool, title: str | None = None) -> None:
        index = self.tabs.indexOf(page)
        was_visible = self.tabs.isTabVisible(index)
        if title is not None:
            self.tabs.setTabText(index, title)
        self.tabs.setTabVisible(index, show)
        if show and not was_visible:
            self.tabs.setCurrentIndex(index)
        elif not show and self.tabs.currentIndex() in (index, -1):
            self.tabs.setCurrentWidget(self.today)

    def check_place(self) -> None:
        outcome = self.form.outcome()
        category = self.form.category.value()
        if outcome == Outcome.RECORD_ONLY or not category:
            self._cancel("place")
            self._show_place(None)
            return
        actor, calendar = self.ctx.actor, self.ctx.calendar
        place, lat, lon = self.form.place.value(), self.form.lat, self.form.lon
        urgency = "urgent" if self.form.urgent.isChecked() else "normal"
        self._in_background(
            "place",
            lambda s: check_place(
                s,
                actor,
                calendar,
                category_code=category,
                org_unit_id=place,
                lat=lat,
                lon=lon,
                urgency=urgency,
            ),
        ).success(self._show_place).failure(
            lambda exc: self._quiet_failure("duplicate check refused", exc)
        ).run_in_background()

    def _show_place(self, check: PlaceCheck | None) -> None:
        candidates = check.candidates if check is not None else []
        preview = ""
        if check is not None:
            if self.form.can_dispatch and self.form.dispatch_now.isChecked():
                preview = (
                    self.tr("Dispatch to %1 — sign for by %2, handle by %3")
                    .replace("%1", check.department_name or self.tr("(no default department)"))
                    .replace("%2", local(check.ack_deadline))
                    .replace("%3", local(check.deadline))
                )
            else:
                preview = self.tr("Handling limit if dispatched now: %1").replace(
                    "%1", local(check.deadline)
                )
        self.duplicates.show_candidates(candidates, self.names)
        self._show_tab(
            self.duplicates,
            bool(candidates),
            self.tr("Duplicates? (%1)").replace("%1", str(len(candidates))),
        )
        self.form.set_dispatch_preview(preview)

    # ------------------------------------------------------------------ submitting
    def submit(self) -> VisitResult | None:
        if self._pending_draft is not None:
            return None
        self.draft_timer.stop()
        picker_errors = self.form.unresolved_picker_errors()
        data = self.form.visit_input()
        try:
            result = ops.register(self.ctx, data, self.form.files())
        except VisitInvalid as exc:
            self.form.show_errors(exc.errors, picker_errors)
            self.save_draft()
            return None
        except ValidationError as exc:
            self.form.show_errors([exc], picker_errors)
            self.save_draft()
            return None
        except DomainError as exc:
            show_failure(exc, self)
            self.save_draft()
            return None
        log.info("visit %s registered: %s", result.visit_id, result.outcome)
        self.last_result = result
        self.show_result(result)
        self.form.clear()
        self.ctx.events.visits_changed.emit([result.visit_id])
        if result.case_id:
            self.ctx.events.cases_changed.emit([result.case_id])
        self.refresh_today()
        return result

    def show_result(self, result: VisitResult) -> None:
        number = result.case_number or ""
        if result.outcome == Outcome.ON_THE_SPOT:
            text = self.tr("Closed on the spot. Case %1.").replace("%1", number)
        elif result.outcome == Outcome.RECORD_ONLY:
            text = self.tr("Visit recorded (no case). Query code %1.").replace(
                "%1", result.query_code or ""
            )
        elif result.attached:
            text = self.tr("The visit was added to case %1.").replace("%1", number)
        elif result.assignee_name:
            text = (
                self.tr("Case %1 opened and dispatched to %2: sign for by %3, handle by %4.")
                .replace("%1", number)
                .replace("%2", result.assignee_name)
                .replace("%3", local(result.ack_deadline))
                .replace("%4", local(result.deadline))
            )
        else:
            text = (
                self.tr("Case %1 opened. Promised handling by %2.")
                .replace("%1", number)
                .replace("%2", local(result.deadline))
            )
        self.result_label.setText(text)
        self.show_case_button.setVisible(bool(result.case_id))
        self.result_banner.show()

    # ------------------------------------------------------------------ actions
    def open_case(self, case_id: str) -> None:
        if case_id:
            self.ctx.events.open_case.emit(case_id)

    def _show_last_case(self) -> None:
        if self.last_result is not None and self.last_result.case_id:
            self.open_case(self.last_result.case_id)

    def print_last_receipt(self) -> None:
        if self.last_result is not None:
            self.open_receipt(self.last_result.visit_id)

    def open_receipt(self, visit_id: str) -> ReceiptDialog | None:
        try:
            receipt = ops.receipt(self.ctx, visit_id)
        except DomainError as exc:
            show_failure(exc, self)
            return None
        if self.receipt_dialog is not None:
            self.receipt_dialog.close()
        self.receipt_dialog = ReceiptDialog(receipt, self)
        self.receipt_dialog.open()
        return self.receipt_dialog

    def open_enquiry(self) -> EnquiryDialog:
        """The progress enquiry (the main window's F9 opens its own)."""
        self.enquiry_dialog = raise_enquiry(self.ctx, self, self.enquiry_dialog)
        return self.enquiry_dialog

    def search_history(self) -> None:
        actor, search = self.ctx.actor, self.history.search()
        self._in_background("history", lambda s: search_visits(s, actor, search)).success(
            self.history.show_rows
        ).failure(self._history_failed).run_in_background()

    def _history_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            self.history.show_error(error_text(exc))
        else:
            show_failure(exc, self)

    def export_history(self, path: str | None = None) -> int | None:
        """The visits found by the history search as .xlsx (masked, without ID numbers)."""
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self,
                self.tr("Export visits"),
                self.tr("visits") + ".xlsx",
                self.tr("Excel workbooks (*.xlsx)"),
            )
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        try:
            count = ops.export(self.ctx, self.history.search(), target, label)
        except DomainError as exc:
            self.history.show_error(error_text(exc))
            return None
        except OSError as exc:
            self.history.show_error(
                self.tr("The file %1 could not be written: %2")
                .replace("%1", str(target))
                .replace("%2", str(exc))
            )
            return None
        self.history.result_label.setText(
            self.tr("%n visit(s) exported to %1", "", count).replace("%1", str(target))
        )
        return count

    def reveal_text(self, visit_id: str) -> str:
        """The visit's personal data in clear; each field read is written to the audit log."""
        captions = {
            "name": self.tr("Name"),
            "phone": self.tr("Phone"),
            "id_number": self.tr("ID number"),
            "address": self.tr("Home address"),
        }
        values = ops.reveal(self.ctx, visit_id, list(captions))
        return "\n".join(f"{captions[f]}：{values[f] or '—'}" for f in captions)

    def reveal(self, visit_id: str) -> None:
        try:
            text = self.reveal_text(visit_id)
        except DomainError as exc:
            show_failure(exc, self)
            return
        box = message_box(
            self,
            self.tr("Visitor's personal data"),
            text + "\n\n" + self.tr("This look has been written to the audit log."),
            QMessageBox.Icon.Information,
            QMessageBox.StandardButton.Close,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
