"""The visit form: visitor, request, category, place, urgency and outcome.

Made for the keyboard: Tab goes through the fields in reading order, Enter
submits from anywhere (Shift+Enter starts a new line in the summary), Esc
clears after asking, Alt+1/2/3 choose the outcome. Each validation message is
shown under its own field and nothing typed is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.enums import Purpose, Urgency
from services.attachments.photos import NewFile
from services.errors import ValidationError
from services.reception import draft_files
from services.reception.labels import GENDER_LABELS, PURPOSE_LABELS, Outcome
from services.reception.validation import VisitInput, VisitorInput
from views.formatting import label
from views.forms import FieldErrors
from views.messages import error_text

from ..attachments.picker import AttachmentPicker, attachments_folder
from ..formatting import plain_label
from .pickers import Choice, TreePicker

# Fields of a VisitInput and the widget key showing their errors.
ERROR_FIELDS = (
    "name",
    "phone",
    "id_number",
    "gender",
    "visitor_address",
    "purpose",
    "summary",
    "category_code",
    "org_unit_id",
    "address",
    "location",
    "outcome",
    "note",
    "attach_to_case_id",
    "attachments",
)


class _SummaryEdit(QPlainTextEdit):
    """Enter submits the form (the key goes to the parent); Shift+Enter is a new line."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            event.ignore()
            return
        super().keyPressEvent(event)


class VisitForm(QWidget):
    """The form alone; the reception view does the registering."""

    submit_requested = Signal()
    cleared = Signal()
    changed = Signal()  # anything typed or chosen (for the draft)
    visitor_keys_changed = Signal()  # phone or ID number edited (returning-visitor look-up)
    place_changed = Signal()  # category, place or map position (duplicate check)

    def __init__(
        self,
        can_dispatch: bool,
        parent: QWidget | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("visitForm")
        self.can_dispatch = can_dispatch
        self._loading = False
        self.lat: float | None = None
        self.lon: float | None = None
        self.attach_case_id: str | None = None
        self.attach_case_number: str | None = None
        self.errors = FieldErrors()
        visitor_box = self._visitor_box()
        request_box = self._request_box()
        outcome_box = self._outcome_box()
        files_box = self._files_box(data_dir)

        self.submit_button = QPushButton(self.tr("Submit"))
        self.submit_button.setObjectName("submitVisit")
        self.submit_button.setProperty("primary", True)
        self.submit_button.setToolTip(self.tr("Enter"))
        self.submit_button.clicked.connect(self.submit_requested)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Esc"))
        self.clear_button.clicked.connect(self.ask_clear)
        # The buttons' row is placed by the screen outside the form's scroll area,
        # so 提交 stays in sight however small the window.
        self.button_row = QWidget()
        self.button_row.setObjectName("visitButtons")
        buttons = QHBoxLayout(self.button_row)
        buttons.setContentsMargins(0, 6, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(visitor_box)
        layout.addWidget(request_box)
        layout.addWidget(outcome_box)
        if files_box is not None:
            layout.addWidget(files_box)
        layout.addStretch(1)

        self._tooltips()
        self._tab_order()
        self._connect()
        self._outcome_changed()
        self._show_coordinates()

    # ------------------------------------------------------------------ building
    def _visitor_box(self) -> QGroupBox:
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Full name"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("Mobile or landline with area code"))
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText(self.tr("Optional; 18 characters"))
        self.id_number.setMaxLength(22)
        self.gender = QComboBox()
        self.gender.addItem(self.tr("(not given)"), "")
        for value, text in GENDER_LABELS.items():
            self.gender.addItem(label(text), str(value))
        self.visitor_address = QLineEdit()
        self.visitor_address.setPlaceholderText(self.tr("Optional"))

        visitor_box = QGroupBox(self.tr("Visitor"))
        grid = QGridLayout(visitor_box)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self._add(grid, 0, 0, self.tr("&Name"), self.name, "name")
        self._add(grid, 0, 2, self.tr("&Phone"), self.phone, "phone")
        self._add(grid, 1, 0, self.tr("&ID number"), self.id_number, "id_number")
        self._add(grid, 1, 2, self.tr("Gender"), self.gender, "gender")
        self._add(grid, 2, 0, self.tr("Home address"), self.visitor_address, "visitor_address", 3)
        return visitor_box

    def _request_box(self) -> QGroupBox:
        self.purpose = QComboBox()
        for value, text in PURPOSE_LABELS.items():
            self.purpose.addItem(label(text), str(value))
        self.urgent = QCheckBox(self.tr("&Urgent"))
        self.urgent.setToolTip(self.tr("Urgent cases get the short urgent limits"))
        self.summary = _SummaryEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText(
            self.tr("What the visitor reports or asks for (Shift+Enter for a new line)")
        )
        self.summary.setFixedHeight(72)
        self.category = TreePicker(self.tr("Choose a category"))
        self.category.edit.setPlaceholderText(
            self.tr("Type part of a name, e.g. 井盖, or pinyin initials (F4: whole tree)")
        )
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Where the problem is"))
        self.place = TreePicker(self.tr("Choose the grid"))
        self.place.edit.setPlaceholderText(self.tr("Grid, community or street (F4: tree)"))
        self.coordinates = plain_label()
        self.coordinates.setObjectName("coordinatesLabel")
        # The map screen adds its "pick on the map" button here.
        self.location_actions = QHBoxLayout()
        self.location_actions.setContentsMargins(0, 0, 0, 0)

        request_box = QGroupBox(self.tr("Request"))
        rgrid = QGridLayout(request_box)
        rgrid.setColumnStretch(1, 3)
        rgrid.setColumnStretch(3, 2)
        self._add(rgrid, 0, 0, self.tr("Pu&rpose"), self.purpose, "purpose")
        rgrid.addWidget(self.urgent, 0, 3)
        self._add(rgrid, 1, 0, self.tr("&Summary"), self.summary, "summary", 3)
        self._add(rgrid, 2, 0, self.tr("Ca&tegory"), self.category, "category_code", 3)
        self._add(rgrid, 3, 0, self.tr("&Location"), self.address, "address", 3)
        self._add(rgrid, 4, 0, self.tr("&Grid"), self.place, "org_unit_id", 3)
        self.photo_location = QPushButton(self.tr("Use the photo's location"))
        self.photo_location.setObjectName("usePhotoLocation")
        self.photo_location.setToolTip(
            self.tr("The position recorded in a photo added below (WGS-84, as on the map)")
        )
        self.photo_location.clicked.connect(self.use_photo_location)
        self.photo_location.hide()
        location_row = QHBoxLayout()
        location_row.addWidget(self.coordinates)
        location_row.addWidget(self.photo_location)
        location_row.addLayout(self.location_actions)
        location_row.addStretch(1)
        location_holder = QWidget()
        location_holder.setLayout(location_row)
        location_row.setContentsMargins(0, 0, 0, 0)
        self._add(rgrid, 5, 0, "", location_holder, "location", 3)
        return request_box

    def _outcome_box(self) -> QGroupBox:
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        outcome_row = QHBoxLayout()
        for index, (value, text, tip) in enumerate(
            (
                (Outcome.CASE, self.tr("Open a case (受理)"), self.tr("Alt+1")),
                (Outcome.ON_THE_SPOT, self.tr("Closed on the spot"), self.tr("Alt+2")),
                (Outcome.RECORD_ONLY, self.tr("Record only (consultation)"), self.tr("Alt+3")),
            ),
            start=1,
        ):
            button = QRadioButton(text)
            button.setObjectName(f"outcome_{value}")
            button.setToolTip(tip)
            self.outcome_group.addButton(button, index)
            self.outcome_buttons[str(value)] = button
            outcome_row.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"Alt+{index}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.click)
        outcome_row.addStretch(1)
        self.outcome_buttons[Outcome.CASE].setChecked(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("The answer given or what was done at the desk"))
        self.dispatch_now = QCheckBox(self.tr("Dispatch at once to the category's department"))
        self.dispatch_now.setChecked(True)
        self.dispatch_now.setVisible(self.can_dispatch)
        self.preview = plain_label()
        self.preview.setObjectName("dispatchPreview")
        self.preview.setWordWrap(True)
        self.attach_label = plain_label()
        self.attach_label.setObjectName("attachLabel")
        self.attach_label.setWordWrap(True)
        self.cancel_attach = QPushButton(self.tr("Open a new case instead"))
        self.cancel_attach.setAutoDefault(True)
        self.cancel_attach.clicked.connect(lambda: self.set_attach(None, None))
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attach_label, 1)
        attach_row.addWidget(self.cancel_attach)

        outcome_box = QGroupBox(self.tr("Outcome"))
        ogrid = QGridLayout(outcome_box)
        ogrid.setColumnStretch(1, 1)
        holder = QWidget()
        holder.setLayout(outcome_row)
        outcome_row.setContentsMargins(0, 0, 0, 0)
        self._add(ogrid, 0, 0, "", holder, "outcome")
        self.note_label = self._add(ogrid, 1, 0, self.tr("Ans&wer"), self.note, "note")
        ogrid.addWidget(self.dispatch_now, 2, 1)
        ogrid.addWidget(self.preview, 3, 1)
        attach_holder = QWidget()
        attach_holder.setLayout(attach_row)
        attach_row.setContentsMargins(0, 0, 0, 0)
        self._add(ogrid, 4, 0, "", attach_holder, "attach_to_case_id")
        self.attach_holder = attach_holder
        return outcome_box

    def _files_box(self, data_dir: Path | None) -> QGroupBox | None:
        """The visitor's photos and documents, for the new case's registration."""
        self.picker: AttachmentPicker | None = None
        self.draft_folder: Path | None = None
        if data_dir is None:
            return None
        # Picked files are copied for the crash-recovery draft at once, and sent from there.
        self.draft_folder = draft_files.draft_files_folder(attachments_folder(data_dir))
        self.picker = AttachmentPicker(data_dir, keep=self._keep_file)
        self.picker.changed.connect(self._files_changed)
        self.files_note = plain_label(
            self.tr(
                "Files go on a new case; a visit only recorded, or added to an open case, "
                "keeps none."
            )
        )
        self.files_note.setObjectName("hintLabel")
        self.files_note.setWordWrap(True)
        self.files_note.hide()
        box = QGroupBox(self.tr("Photos and documents"))
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        self._add(grid, 0, 0, "", self.picker, "attachments")
        grid.addWidget(self.files_note, 1, 1)
        return box

    def _keep_file(self, path: Path) -> Path:
        assert self.draft_folder is not None
        return draft_files.keep_file(self.draft_folder, path).path

    def draft_files(self) -> list[dict[str, Any]]:
        """The picked files as the draft records them (hash, name, document tick)."""
        if self.picker is None or self.draft_folder is None:
            return []
        out = []
        for chosen in self.picker.files():
            kept = draft_files.kept(self.draft_folder, chosen.path)
            if kept is not None:
                out.append({"sha256": kept.sha256, "name": kept.name, "document": chosen.document})
        return out

    def _restore_files(self, data: dict[str, Any]) -> None:
        if self.picker is None or self.draft_folder is None:
            return
        self.picker.keep_original.setChecked(bool(data.get("keep_original")))
        restored = draft_files.restore_files(self.draft_folder, data)
        self.picker.add_files(
            [f.path for f, _doc in restored.found],
            documents=[f.path for f, doc in restored.found if doc],
        )
        if restored.lost:
            self.picker.show_message(
                [
                    self.tr(
                        "%n file(s) of the saved visit could not be found and must be added "
                        "again: %1",
                        "",
                        len(restored.lost),
                    ).replace("%1", "、".join(restored.lost))
                ]
            )

    def files_allowed(self) -> bool:
        """Files go on a new case only (closed on the spot or not), never on a record."""
        return self.outcome() != Outcome.RECORD_ONLY and not self.attach_case_id

    def files(self) -> list[NewFile]:
        """The files to send with the visit: none when it opens no case of its own."""
        if self.picker is None or not self.files_allowed():
            return []
        return self.picker.files()

    def _files_changed(self) -> None:
        self._offer_photo_location()
        self.changed.emit()

    def _offer_photo_location(self) -> None:
        gps = self.picker.location() if self.picker is not None else None
        offer = gps is not None and self.lat is None and self.files_allowed()
        if gps is not None:
            self.photo_location.setText(
                self.tr("Use the photo's location (%1, %2)")
                .replace("%1", f"{gps[0]:.5f}")
                .replace("%2", f"{gps[1]:.5f}")
            )
        self.photo_location.setVisible(offer)

    def use_photo_location(self) -> None:
        gps = self.picker.location() if self.picker is not None else None
        if gps is not None:
            self.set_location(gps[0], gps[1], None)

    def _add(
        self,
        grid: QGridLayout,
        row: int,
        column: int,
        text: str,
        widget: QWidget,
        key: str,
        span: int = 1,
    ) -> QLabel:
        caption = plain_label(text)
        caption.setObjectName("fieldCaption")
        if text:
            caption.setBuddy(widget)
        error = self.errors.add(
            key, widget, mark=widget.edit if isinstance(widget, TreePicker) else None
        )
        box = QVBoxLayout()
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(error)
        grid.addWidget(
            caption, row, column, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
        )
        grid.addLayout(box, row, column + 1, 1, span)
        return caption

    def _tooltips(self) -> None:
        for widget, tip in (
            (self.name, self.tr("Alt+N")),
            (self.phone, self.tr("Alt+P — a known number shows the visitor's earlier visits")),
            (self.id_number, self.tr("Alt+I — optional; only where needed; shown masked later")),
            (self.purpose, self.tr("Alt+R")),
            (self.summary, self.tr("Alt+S — Enter submits, Shift+Enter starts a new line")),
            (self.category.edit, self.tr("Alt+T — type 井盖 or jg; F4 opens the tree")),
            (self.address, self.tr("Alt+L")),
            (self.place.edit, self.tr("Alt+G — F4 opens the org-unit tree")),
            (self.urgent, self.tr("Alt+U")),
            (self.note, self.tr("Alt+W")),
        ):
            widget.setToolTip(tip)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.name,
            self.phone,
            self.id_number,
            self.gender,
            self.visitor_address,
            self.purpose,
            self.urgent,
            self.summary,
            self.category.edit,
            self.address,
            self.place.edit,
            self.outcome_buttons[Outcome.CASE],
            self.note,
            self.dispatch_now,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def place_buttons(self, layout: QVBoxLayout) -> None:
        """Put the buttons' row in ``layout`` (below the form's scroll area) and keep
        提交 next after the last field in the tab order."""
        layout.addWidget(self.button_row)
        QWidget.setTabOrder(self.dispatch_now, self.clear_button)
        QWidget.setTabOrder(self.dispatch_now, self.submit_button)

    def _connect(self) -> None:
        for edit in (self.name, self.visitor_address, self.address, self.note):
            edit.textChanged.connect(self.changed)
        for edit in (self.phone, self.id_number):
            edit.textChanged.connect(self.changed)
            edit.textChanged.connect(self.visitor_keys_changed)
        self.summary.textChanged.connect(self.changed)
        self.gender.currentIndexChanged.connect(self.changed)
        self.purpose.currentIndexChanged.connect(self._purpose_changed)
        self.urgent.toggled.connect(self.changed)
        self.urgent.toggled.connect(self.place_changed)
        self.dispatch_now.toggled.connect(self.changed)
        self.outcome_group.idToggled.connect(self._outcome_toggled)
        for picker in (self.category, self.place):
            picker.edit.textChanged.connect(self.changed)
            picker.changed.connect(self.place_changed)

    # ------------------------------------------------------------------ behaviour
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.ask_clear()
            return
        super().keyPressEvent(event)

    def _purpose_changed(self) -> None:
        # A consultation usually ends at the desk; anything else usually needs a case.
        if not self._loading:
            if self.purpose.currentData() == Purpose.CONSULTATION:
                self.outcome_buttons[Outcome.RECORD_ONLY].setChecked(True)
            elif self.outcome() == Outcome.RECORD_ONLY:
                self.outcome_buttons[Outcome.CASE].setChecked(True)
        self.changed.emit()

    def _outcome_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._outcome_changed()
            self.changed.emit()
            self.place_changed.emit()

    def _outcome_changed(self) -> None:
        outcome = self.outcome()
        on_spot = outcome == Outcome.ON_THE_SPOT
        self.note.setEnabled(on_spot)
        self.note_label.setEnabled(on_spot)
        self.dispatch_now.setEnabled(
            self.can_dispatch and outcome == Outcome.CASE and not self.attach_case_id
        )
        self.preview.setVisible(outcome == Outcome.CASE and not self.attach_case_id)
        self.attach_holder.setVisible(bool(self.attach_case_id) and outcome == Outcome.CASE)
        if self.picker is not None:
            self.picker.setVisible(self.files_allowed())
            self.files_note.setVisible(not self.files_allowed())
            self._offer_photo_location()

    def _show_coordinates(self) -> None:
        if self.lat is None or self.lon is None:
            self.coordinates.setText(self.tr("Map position: not set"))
        else:
            self.coordinates.setText(
                self.tr("Map position: %1, %2")
                .replace("%1", f"{self.lat:.6f}")
                .replace("%2", f"{self.lon:.6f}")
            )

    def set_location(self, lat: float, lon: float, grid_id: str | None) -> None:
        """Fill the map position and (if given) the grid; for the map's "pick on the map"."""
        self.lat, self.lon = float(lat), float(lon)
        if grid_id:
            self.place.set_value(grid_id)
        self._show_coordinates()
        self.photo_location.hide()
        self.changed.emit()
        self.place_changed.emit()

    def clear_location(self) -> None:
        self.lat = self.lon = None
        self._show_coordinates()
        self._offer_photo_location()

    def set_attach(self, case_id: str | None, number: str | None) -> None:
        """Attach the visit to an open case (a duplicate) instead of opening a new one."""
        self.attach_case_id, self.attach_case_number = case_id, number
        if case_id:
            self.outcome_buttons[Outcome.CASE].setChecked(True)
            self.attach_label.setText(
                self.tr(
                    "This visit will be added to the open case %1; no new case is opened."
                ).replace("%1", number or "")
            )
        self._outcome_changed()
        self.changed.emit()

    def set_categories(self, choices: list[Choice]) -> None:
        self.category.set_choices(choices)

    def set_places(self, choices: list[Choice]) -> None:
        self.place.set_choices(choices)

    def outcome(self) -> str:
        for value, button in self.outcome_buttons.items():
            if button.isChecked():
                return value
        return Outcome.CASE

    def set_dispatch_preview(self, text: str) -> None:
        self.preview.setText(text)

    # ------------------------------------------------------------------ values
    def visit_input(self) -> VisitInput:
        self.category.resolve()
        self.place.resolve()
        return VisitInput(
            visitor=VisitorInput(
                name=self.name.text(),
                phone=self.phone.text(),
                id_number=self.id_number.text(),
                gender=str(self.gender.currentData() or ""),
                address=self.visitor_address.text(),
            ),
            purpose=str(self.purpose.currentData()),
            summary=self.summary.toPlainText(),
            outcome=self.outcome(),
            category_code=self.category.value(),
            org_unit_id=self.place.value(),
            address=self.address.text(),
            lat=self.lat,
            lon=self.lon,
            urgency=Urgency.URGENT if self.urgent.isChecked() else Urgency.NORMAL,
            note=self.note.text(),
            attach_to_case_id=self.attach_case_id,
            dispatch_now=self.dispatch_now.isChecked() and self.can_dispatch,
        )

    def unresolved_picker_errors(self) -> dict[str, str]:
        """Text typed into the category or grid field that names nothing."""
        errors: dict[str, str] = {}
        if self.category.value() is None and self.category.text().strip():
            errors["category_code"] = self.tr(
                "“%1” does not name one category; pick one from the list (Down arrow) or press F4."
            ).replace("%1", self.category.text().strip())
        if self.place.value() is None and self.place.text().strip():
            errors["org_unit_id"] = self.tr(
                "“%1” does not name one grid, community or street; pick one from the list or press F4."
            ).replace("%1", self.place.text().strip())
        return errors

    def draft(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "phone": self.phone.text(),
            "id_number": self.id_number.text(),
            "gender": str(self.gender.currentData() or ""),
            "visitor_address": self.visitor_address.text(),
            "purpose": str(self.purpose.currentData()),
            "urgent": self.urgent.isChecked(),
            "summary": self.summary.toPlainText(),
            "category_code": self.category.value(),
            "category_text": self.category.text(),
            "org_unit_id": self.place.value(),
            "place_text": self.place.text(),
            "address": self.address.text(),
            "lat": self.lat,
            "lon": self.lon,
            "outcome": self.outcome(),
            "note": self.note.text(),
            "dispatch_now": self.dispatch_now.isChecked(),
            "attach_case_id": self.attach_case_id,
            "attach_case_number": self.attach_case_number,
            "files": self.draft_files(),
            "keep_original": bool(self.picker and self.picker.keep_original.isChecked()),
        }

    def load_draft(self, data: dict[str, Any]) -> None:
        self._loading = True
        try:
            self.name.setText(str(data.get("name") or ""))
            self.phone.setText(str(data.get("phone") or ""))
            self.id_number.setText(str(data.get("id_number") or ""))
            self._set_combo(self.gender, data.get("gender") or "")
            self.visitor_address.setText(str(data.get("visitor_address") or ""))
            self._set_combo(self.purpose, data.get("purpose") or Purpose.COMPLAINT)
            self.urgent.setChecked(bool(data.get("urgent")))
            self.summary.setPlainText(str(data.get("summary") or ""))
            self.category.set_value(data.get("category_code"), text=data.get("category_text"))
            self.place.set_value(data.get("org_unit_id"), text=data.get("place_text"))
            self.address.setText(str(data.get("address") or ""))
            lat, lon = data.get("lat"), data.get("lon")
            if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
                self.lat, self.lon = float(lat), float(lon)
            else:
                self.lat = self.lon = None
            self._show_coordinates()
            outcome = str(data.get("outcome") or Outcome.CASE)
            self.outcome_buttons.get(outcome, self.outcome_buttons[Outcome.CASE]).setChecked(True)
            self.note.setText(str(data.get("note") or ""))
            self.dispatch_now.setChecked(bool(data.get("dispatch_now", True)))
            self.set_attach(data.get("attach_case_id"), data.get("attach_case_number"))
            if self.picker is not None:
                self.picker.clear()
            self._restore_files(data)
        finally:
            self._loading = False
        self._outcome_changed()

    def fill_visitor(self, values: dict[str, str]) -> None:
        """Take over a returning visitor's details; fields already typed are kept."""
        for key, edit in (
            ("name", self.name),
            ("phone", self.phone),
            ("id_number", self.id_number),
            ("address", self.visitor_address),
        ):
            if values.get(key) and not edit.text().strip():
                edit.setText(values[key])
        if values.get("gender") and not self.gender.currentData():
            self._set_combo(self.gender, values["gender"])

    @staticmethod
    def _set_combo(combo: QComboBox, value: Any) -> None:
        index = combo.findData(str(value))
        combo.setCurrentIndex(max(index, 0))

    def clear(self) -> None:
        self._loading = True
        try:
            for edit in (
                self.name,
                self.phone,
                self.id_number,
                self.visitor_address,
                self.address,
                self.note,
            ):
                edit.clear()
            self.summary.clear()
            self.gender.setCurrentIndex(0)
            self.purpose.setCurrentIndex(0)
            self.urgent.setChecked(False)
            self.category.clear()
            self.place.clear()
            self.lat = self.lon = None
            self._show_coordinates()
            if self.picker is not None:
                self.picker.clear()
            self.outcome_buttons[Outcome.CASE].setChecked(True)
            self.dispatch_now.setChecked(True)
            self.set_attach(None, None)
            self.clear_errors()
        finally:
            self._loading = False
        self._outcome_changed()
        self.name.setFocus()
        self.cleared.emit()

    def is_empty(self) -> bool:
        data = self.draft()
        return not any(
            isinstance(data[k], str) and data[k].strip()
            for k in ("name", "phone", "id_number", "visitor_address", "summary", "address", "note")
        ) and not (data["category_code"] or data["org_unit_id"] or data["files"])

    def ask_clear(self) -> None:
        if self.is_empty():
            self.clear()
            return
        answer = QMessageBox.question(
            self,
            self.tr("Clear the form"),
            self.tr("Clear everything typed for this visitor?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear()

    # ------------------------------------------------------------------ errors
    def clear_errors(self) -> None:
        self.errors.clear()

    def show_errors(
        self, errors: list[ValidationError], extra: dict[str, str] | None = None
    ) -> None:
        """Each message under its field; focus on the first field to fix."""
        messages: dict[str, str] = {}
        for exc in errors:
            key = self.errors.key_for(exc.field) or "summary"
            messages.setdefault(key, error_text(exc))
        for key, text in (extra or {}).items():
            messages[key] = text
        self.errors.show_all(messages, ERROR_FIELDS)

    def error_text_of(self, key: str) -> str:
        return self.errors.text(key)
