"""The sync screen: the county connection, the state of the sync, what the last
round moved per type (``views/sync/report.py``), and the rejected items with
what a person can do about each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services import sync
from services.cases.labels import EVENT_LABELS
from services.cases.permissions import Permission
from services.errors import DomainError
from views.formatting import label, local
from views.forms import FieldErrors
from views.messages import error_text
from views.tasks import TaskSlot

from ..context import ViewContext
from . import ops
from .missing import MissingFilesBox
from .report import RoundReportBox
from .texts import failure_text, reject_advice, reject_reason


class SyncView(QWidget):
    """``loop`` is the desktop's sync loop (``desktop.sync_loop.SyncLoop``)."""

    def __init__(self, ctx: ViewContext, loop: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loop = loop
        self.slot = TaskSlot()
        self.items: list[sync.RejectedItem] = []
        self.setObjectName("syncView")

        title = QLabel(self.tr("Synchronisation with the county"))
        title.setObjectName("screenTitle")

        connection_box = self._connection_box()
        login_box = self._login_box()
        state_box = self._state_box()
        self._build_waiting_box()
        rejected_box = self._rejected_box()
        self.missing_box = MissingFilesBox(ctx)  # steps the county keeps answering missing_blob
        self.missing_box.reattached.connect(loop.sync_now)
        self.report_box = RoundReportBox()  # the last round, per type
        self._lay_out(title, connection_box, login_box, state_box, rejected_box)

        loop.status_changed.connect(self.show_status)
        loop.round_finished.connect(lambda _result: self.load_rejected())
        loop.round_finished.connect(lambda _result: self.missing_box.load())
        self.load_connection()
        self.show_status(loop.status)
        self.load_rejected()
        self.missing_box.load()

    # ------------------------------------------------------------ building
    def _connection_box(self) -> QGroupBox:
        """The server address, proxy and TLS settings."""
        connection_box = QGroupBox(self.tr("County server"))
        form = QFormLayout(connection_box)
        self.server_url = QLineEdit()
        self.server_url.setObjectName("syncServerUrl")
        self.server_url.setPlaceholderText("https://county.example:8443")
        self.proxy = QLineEdit()
        self.proxy.setObjectName("syncProxy")
        self.proxy.setPlaceholderText(self.tr("none (direct connection)"))
        self.errors = FieldErrors()
        self.server_error = self.errors.add("device.server_url", self.server_url)
        self.proxy_error = self.errors.add("device.proxy", self.proxy)
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("syncCaFile")
        self.ca_file.setPlaceholderText(self.tr("the system's certificates"))
        self.verify_tls = QCheckBox(self.tr("Verify the server's certificate (recommended)"))
        self.save_button = QPushButton(self.tr("Save connection"))
        self.save_button.setObjectName("syncSaveConnection")
        self.save_button.clicked.connect(self.save_connection)
        form.addRow(self.tr("Server address"), self.server_url)
        form.addRow("", self.server_error)
        form.addRow(self.tr("Proxy"), self.proxy)
        form.addRow("", self.proxy_error)
        form.addRow(self.tr("County CA file"), self.ca_file)
        form.addRow("", self.verify_tls)
        form.addRow("", self.save_button)
        return connection_box

    def _login_box(self) -> QGroupBox:
        """The county login of the person at the desk."""
        login_box = QGroupBox(self.tr("County login"))
        login_form = QFormLayout(login_box)
        self.login_state = QLabel()
        self.login_state.setTextFormat(Qt.TextFormat.PlainText)
        self.login_state.setObjectName("syncLoginState")
        self.username = QLineEdit(self.ctx.user.username)
        self.username.setObjectName("syncUsername")
        self.password = QLineEdit()
        self.password.setObjectName("syncPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_button = QPushButton(self.tr("Log in to the county"))
        self.login_button.setObjectName("syncLogin")
        self.login_button.clicked.connect(self.log_in)
        self.login_error = QLabel()
        self.login_error.setTextFormat(Qt.TextFormat.PlainText)  # may quote the server
        self.login_error.setObjectName("fieldError")
        self.login_error.setWordWrap(True)
        self.login_error.hide()
        login_form.addRow(self.login_state)
        login_form.addRow(self.tr("Username"), self.username)
        login_form.addRow(self.tr("Password"), self.password)
        login_form.addRow("", self.login_button)
        login_form.addRow(self.login_error)
        return login_box

    def _state_box(self) -> QGroupBox:
        """Connection, last sync, what waits and what was kept aside."""
        state_box = QGroupBox(self.tr("State"))
        state_form = QFormLayout(state_box)
        self.online = QLabel()
        self.online.setObjectName("syncOnline")
        self.last_success = QLabel()
        self.pending = QLabel()
        self.pending.setObjectName("syncPending")
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # may quote the server
        self.problem.setObjectName("syncProblem")
        self.problem.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self.sync_now)
        state_form.addRow(self.tr("Connection"), self.online)
        state_form.addRow(self.tr("Last successful sync"), self.last_success)
        state_form.addRow(self.tr("Waiting to be sent"), self.pending)
        # Attachments waiting to go up and to come down, and a bar while they move.
        self.blobs = QLabel()
        self.blobs.setObjectName("syncBlobs")
        self.blob_bar = QProgressBar()
        self.blob_bar.setObjectName("syncBlobBar")
        self.blob_bar.hide()
        state_form.addRow(self.tr("Attachments"), self.blobs)
        state_form.addRow("", self.blob_bar)
        self.desk_code = QLabel()
        self.desk_code.setObjectName("syncDeskCode")
        self.desk_code.setToolTip(
            self.tr(
                "The county's code for this desk: the two digits before the serial of a case number"
            )
        )
        state_form.addRow(self.tr("Desk code"), self.desk_code)
        state_form.addRow(self.problem)
        self.quarantine = QLabel()
        self.quarantine.setObjectName("syncQuarantine")
        self.quarantine.setWordWrap(True)
        self.quarantine.setTextFormat(Qt.TextFormat.PlainText)
        self.quarantine.hide()
        state_form.addRow(self.quarantine)
        state_form.addRow("", self.sync_button)
        return state_box

    def _build_waiting_box(self) -> None:
        """Items waiting for a person's county login (docs/protocol.md)."""
        self.waiting_box = QGroupBox(self.tr("Waiting for a county login"))
        self.waiting_box.setObjectName("syncWaiting")
        self.waiting_layout = QVBoxLayout(self.waiting_box)
        self.waiting_hint = QLabel(
            self.tr(
                "Each person's records go to the county with that person's own login. "
                "The password is not kept."
            )
        )
        self.waiting_hint.setObjectName("hintLabel")
        self.waiting_hint.setWordWrap(True)
        self.waiting_layout.addWidget(self.waiting_hint)
        self.waiting_rows: list[QWidget] = []
        self.waiting_box.hide()

    def _rejected_box(self) -> QGroupBox:
        """Items the county refused, and what a person can do with them."""
        rejected_box = QGroupBox(self.tr("Rejected by the county"))
        rejected_layout = QVBoxLayout(rejected_box)
        self.rejected_hint = QLabel(
            self.tr(
                "These items were not accepted. They are kept here until you decide: "
                "nothing is dropped or sent again by itself."
            )
        )
        self.rejected_hint.setObjectName("hintLabel")
        self.rejected_hint.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("rejectedTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Recorded"),
                self.tr("Item"),
                self.tr("Reason"),
                self.tr("County's message"),
                self.tr("What you can do"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.open_button = QPushButton(self.tr("Open case"))
        self.open_button.setObjectName("rejectedOpen")
        self.open_button.clicked.connect(self.open_case)
        self.redispatch_button = QPushButton(self.tr("Dispatch again"))
        self.redispatch_button.setObjectName("rejectedRedispatch")
        self.redispatch_button.clicked.connect(self.redispatch)
        self.renumber_button = QPushButton(self.tr("New number…"))
        self.renumber_button.setObjectName("rejectedRenumber")
        self.renumber_button.setToolTip(
            self.tr("Give the case the next free number of this desk and print a new receipt")
        )
        self.renumber_button.clicked.connect(self.renumber)
        self.retry_button = QPushButton(self.tr("Send again"))
        self.retry_button.setObjectName("rejectedRetry")
        self.retry_button.clicked.connect(self.retry)
        self.discard_button = QPushButton(self.tr("Discard…"))
        self.discard_button.setObjectName("rejectedDiscard")
        self.discard_button.clicked.connect(self.discard)
        self.action_message = QLabel()
        self.action_message.setObjectName("messageLabel")
        self.action_message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.open_button,
            self.redispatch_button,
            self.renumber_button,
            self.retry_button,
            self.discard_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        rejected_layout.addWidget(self.rejected_hint)
        rejected_layout.addWidget(self.table, 1)
        rejected_layout.addLayout(buttons)
        rejected_layout.addWidget(self.action_message)
        return rejected_box

    def _lay_out(
        self,
        title: QLabel,
        connection_box: QGroupBox,
        login_box: QGroupBox,
        state_box: QGroupBox,
        rejected_box: QGroupBox,
    ) -> None:
        left = QVBoxLayout()
        left.addWidget(connection_box)
        left.addWidget(login_box)
        left.addWidget(self.report_box)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setObjectName("syncColumn")
        left_widget.setLayout(left)
        left_widget.setMaximumWidth(460)
        left.setContentsMargins(0, 0, 0, 0)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(state_box)
        right.addWidget(self.waiting_box)
        right.addWidget(self.missing_box, 1)
        right.addWidget(rejected_box, 1)
        left_scroll = QScrollArea()  # the window fits a 768-pixel screen
        left_scroll.setObjectName("syncColumnScroll")
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setWidget(left_widget)
        left_scroll.setMaximumWidth(472)
        body = QHBoxLayout()
        body.addWidget(left_scroll, 2)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(body, 1)

    # ------------------------------------------------------------ connection
    def load_connection(self) -> None:
        values = ops.settings(self.ctx)
        self.server_url.setText(values.get("device.server_url") or "")
        self.proxy.setText(values.get("device.proxy") or "")
        self.ca_file.setText(values.get("device.ca_file") or "")
        self.verify_tls.setChecked(bool(values.get("device.verify_tls", True)))

    def save_connection(self) -> bool:
        self.errors.clear()
        fields = {"device.server_url": self.server_url.text(), "device.proxy": self.proxy.text()}
        try:
            ops.save_connection(
                self.ctx, fields, self.ca_file.text().strip(), self.verify_tls.isChecked()
            )
        except DomainError as exc:
            if self.errors.key_for(exc.field) is None:
                exc.field = "device.server_url"  # e.g. the CA file: shown under the address
            self.errors.show(exc)
            return False
        self.action_message.setText(self.tr("Connection saved."))
        self.loop.refresh()
        return True

    # ------------------------------------------------------------ login
    def log_in(self) -> None:
        self.login_error.hide()
        if not self.username.text().strip() or not self.password.text():
            self.login_error.setText(self.tr("Enter the county username and password."))
            self.login_error.show()
            return
        if not self.save_connection():
            return
        self.login_button.setEnabled(False)
        self.login_button.setText(self.tr("Logging in…"))
        self.slot.run(self._log_in(self.username.text().strip(), self.password.text()))

    async def _log_in(self, username: str, password: str) -> None:
        try:
            await self.loop.login(username, password)
        except sync.SyncError as exc:
            self.login_error.setText(failure_text(exc.code))
            self.login_error.show()
        except DomainError as exc:
            self.login_error.setText(error_text(exc))
            self.login_error.show()
        else:
            self.password.clear()
        finally:
            self.login_button.setEnabled(True)
            self.login_button.setText(self.tr("Log in to the county"))

    # ------------------------------------------------------------ state
    def show_status(self, status: Any) -> None:
        if not status.configured:
            online = self.tr("no county server set")
        elif status.running:
            online = self.tr("synchronising…")
        elif status.online is True:
            online = self.tr("online")
        elif status.online is False:
            online = self.tr("offline")
        else:
            online = self.tr("not tried yet")
        self.online.setText(online)
        self.online.setProperty("online", bool(status.online))
        self.online.style().unpolish(self.online)
        self.online.style().polish(self.online)
        self.last_success.setText(local(status.last_success) or self.tr("never"))
        self.pending.setText(self.tr("%1 items").replace("%1", str(status.pending)))
        self.show_blobs(status)
        code = getattr(status, "desk_code", None)
        self.desk_code.setText(
            code if code else self.tr("none yet (given at the first county login)")
        )
        if status.logged_in_as and not status.needs_login:
            self.login_state.setText(
                self.tr("Logged in to the county as %1.").replace("%1", status.logged_in_as)
            )
        else:
            self.login_state.setText(self.tr("Not logged in to the county."))
        problem = ""
        if status.last_error_code:
            problem = failure_text(status.last_error_code)
            if status.online is False and status.next_try_in:
                problem += " " + self.tr("Next try in %1 s.").replace(
                    "%1", str(int(status.next_try_in))
                )
        elif status.needs_login and status.configured:
            problem = failure_text("login_required")
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.sync_button.setEnabled(status.configured and not status.running)
        quarantined = int(getattr(status, "quarantined", 0) or 0)
        self.quarantine.setText(
            self.tr("%1 pulled items break the protocol and were kept aside.").replace(
                "%1", str(quarantined)
            )
        )
        self.quarantine.setVisible(quarantined > 0)
        self.show_waiting(list(getattr(status, "waiting", ()) or ()))
        self.report_box.show_report(getattr(status, "last_report", None))
        if status.rejected != len(self.items):
            self.load_rejected()

    def show_blobs(self, status: Any) -> None:
        """The attachments to upload and to download, and a bar for a transfer of more than 1 MB."""
        self.blobs.setText(
            self.tr("%1 attachments to upload / %2 to download")
            .replace("%1", str(int(getattr(status, "blobs_up", 0) or 0)))
            .replace("%2", str(int(getattr(status, "blobs_down", 0) or 0)))
        )
        transfer = getattr(status, "transfer", None)
        total = int(getattr(transfer, "bytes_total", 0) or 0)
        if transfer is None or total <= 1024 * 1024:
            self.blob_bar.hide()
            return
        self.blob_bar.setRange(0, 1000)
        self.blob_bar.setValue(min(1000, int(1000 * transfer.bytes_done / total)))
        text = self.tr("Uploading") if transfer.direction == "up" else self.tr("Downloading")
        self.blob_bar.setFormat(
            f"{text} {transfer.done}/{transfer.total} · "
            f"{transfer.bytes_done / 1048576:.1f}/{total / 1048576:.1f} MB"
        )
        self.blob_bar.show()

    # ------------------------------------------------------------ waiting for a login
    def show_waiting(self, waiting: list[Any]) -> None:
        for row_widget in self.waiting_rows:
            self.waiting_layout.removeWidget(row_widget)
            row_widget.deleteLater()
        self.waiting_rows = []
        for entry in waiting:
            text = (
                self.tr("%1 items wait until %2 logs in to the county.")
                .replace("%1", str(entry.count))
                .replace("%2", entry.display_name or entry.username or "?")
            )
            row_label = QLabel(text)
            row_label.setObjectName("syncWaitingText")
            row_label.setTextFormat(Qt.TextFormat.PlainText)
            row_label.setWordWrap(True)
            button = QPushButton(self.tr("Log in %1…").replace("%1", entry.display_name or "?"))
            button.setObjectName("syncWaitingLogin")
            button.setEnabled(bool(entry.username))
            button.clicked.connect(lambda _checked=False, e=entry: self.log_in_person(e))
            row_widget = QWidget()
            row = QHBoxLayout(row_widget)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(row_label, 1)
            row.addWidget(button)
            self.waiting_layout.addWidget(row_widget)
            self.waiting_rows.append(row_widget)
        self.waiting_box.setVisible(bool(waiting))

    def log_in_person(self, entry: Any) -> None:
        """The person whose records wait types their county password here (not kept)."""
        password, ok = QInputDialog.getText(
            self,
            self.tr("County login"),
            self.tr("Password of %1 (%2) for the county:")
            .replace("%1", entry.display_name or entry.username)
            .replace("%2", entry.username),
            QLineEdit.EchoMode.Password,
        )
        if not ok or not password:
            return
        self.login_error.hide()
        self.slot.run(self._log_in(entry.username, password))

    def sync_now(self) -> None:
        self.loop.sync_now()

    # ------------------------------------------------------------ rejected items
    def load_rejected(self) -> None:
        self.items = ops.rejected_items(self.ctx)
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            if item.kind == "visit":
                what = self.tr("Visit")
            else:
                what = (
                    self.tr("%1 · case %2")
                    .replace(
                        "%1", label(EVENT_LABELS.get(item.event_type or "", item.event_type or ""))
                    )
                    .replace("%2", item.case_number or (item.case_id or "")[:8])
                )
            cells = [
                local(item.at),
                what,
                reject_reason(item.code),
                item.message,
                reject_advice(item.code, item.event_type),
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if column == 0:
                    cell.setData(Qt.ItemDataRole.UserRole, item.seq)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        self.rejected_hint.setText(
            self.tr("Nothing was rejected.")
            if not self.items
            else self.tr(
                "These items were not accepted. They are kept here until you decide: "
                "nothing is dropped or sent again by itself."
            )
        )
        self._update_buttons()

    def selected(self) -> sync.RejectedItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _update_buttons(self) -> None:
        item = self.selected()
        self.open_button.setEnabled(item is not None and item.case_id is not None)
        self.redispatch_button.setEnabled(
            item is not None
            and item.event_type == "dispatched"
            and self.ctx.can(Permission.DISPATCH)
        )
        self.renumber_button.setVisible(any(i.code == "duplicate_number" for i in self.items))
        self.renumber_button.setEnabled(
            item is not None
            and item.code == "duplicate_number"
            and item.event_type == "created"
            and self.ctx.can(Permission.CREATE_CASE)
        )
        self.retry_button.setEnabled(item is not None and item.code != "duplicate_number")
        self.discard_button.setEnabled(item is not None)

    def open_case(self) -> None:
        item = self.selected()
        if item is not None and item.case_id:
            self.ctx.events.open_case.emit(item.case_id)

    def _after_change(self, message: str, case_id: str | None) -> None:
        self.action_message.setText(message)
        self.load_rejected()
        self.loop.refresh()
        if case_id:
            self.ctx.events.cases_changed.emit([case_id])

    def redispatch(self) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            ops.redispatch(self.ctx, item.seq)
        except DomainError as exc:
            self.action_message.setText(error_text(exc))
            return
        self._after_change(
            self.tr("Dispatched again; it will be sent with the next sync."), item.case_id
        )
        self.loop.sync_now()

    def renumber(self) -> None:
        item = self.selected()
        if item is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("New case number"),
            self.tr(
                "Another case in the county already has the number %1. Give this case the "
                "next free number of this desk? The old number stays in the case's history "
                "and the audit log, and the visitor needs a new receipt."
            ).replace("%1", item.case_number or ""),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.renumber_item(item.seq)

    def renumber_item(self, seq: int) -> sync.Renumbered | None:
        try:
            done = ops.renumber(self.ctx, seq)
        except DomainError as exc:
            self.action_message.setText(error_text(exc))
            return None
        self._after_change(
            self.tr("The case is now %1 (was %2); it will be sent with the next sync.")
            .replace("%1", done.new_number)
            .replace("%2", done.old_number),
            done.case_id,
        )
        self.loop.sync_now()
        if done.visit_id and self.ctx.can(Permission.REGISTER_VISIT):
            self.reprint_receipt(done.visit_id)
        return done

    def reprint_receipt(self, visit_id: str) -> None:
        """The visitor's receipt with the new number, to print and hand over again."""
        from ..reception.receipt import ReceiptDialog

        try:
            receipt = ops.receipt(self.ctx, visit_id)
        except DomainError as exc:
            self.action_message.setText(error_text(exc))
            return
        self.receipt_dialog = ReceiptDialog(receipt, self)
        self.receipt_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.receipt_dialog.show()

    def retry(self) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            ops.retry(self.ctx, item.seq)
        except DomainError as exc:
            self.action_message.setText(error_text(exc))
            return
        self._after_change(self.tr("It will be sent again with the next sync."), item.case_id)
        self.loop.sync_now()

    def discard(self) -> None:
        item = self.selected()
        if item is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            self.tr("Discard rejected item"),
            self.tr(
                "The item will not reach the county. This is written to the audit log. "
                "Why is it discarded?"
            ),
        )
        if not ok:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Discard rejected item"),
            self.tr("Discard this item for good?"),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.discard_item(item.seq, reason)

    def discard_item(self, seq: int, reason: str) -> None:
        try:
            ops.discard(self.ctx, seq, reason.strip())
        except DomainError as exc:
            self.action_message.setText(error_text(exc))
            return
        self._after_change(self.tr("Discarded; the audit log keeps its content."), None)
