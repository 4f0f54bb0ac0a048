"""A line edit that finds an item of a tree by typing part of its name (or its
pinyin initials), with a tree dialog for browsing: used for the category tree
and for the org-unit tree (street / community / grid)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..formatting import plain_tip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
PATH_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Choice:
    id: str
    name: str
    path: str
    parent_id: str | None
    search: str  # lower-case text that typing is matched against


class _PathCompleter(QCompleter):
    """Matches typing against the search text; puts the item's path into the edit."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # noqa: N802
        return str(index.data(PATH_ROLE) or "")


class _TreeFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


class TreeChooserDialog(QDialog):
    """Browse the whole tree, filtered as one types; Enter takes the selected item."""

    def __init__(
        self,
        choices: Sequence[Choice],
        title: str,
        text: str = "",
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("treeChooserDialog")
        self.setWindowTitle(title)
        self.resize(460, 520)
        self.chosen: str | None = None
        self.model = QStandardItemModel(self)
        items: dict[str, QStandardItem] = {}
        for choice in choices:
            item = QStandardItem(choice.name)
            item.setEditable(False)
            item.setData(choice.id, ID_ROLE)
            item.setData(choice.search, SEARCH_ROLE)
            item.setData(choice.path, PATH_ROLE)
            item.setToolTip(plain_tip(choice.path))
            parent_item = items.get(choice.parent_id or "")
            (parent_item or self.model.invisibleRootItem()).appendRow(item)
            items[choice.id] = item
        self.proxy = _TreeFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setObjectName("treeSearch")
        self.search.setPlaceholderText(self.tr("Type part of a name or its pinyin initials"))
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeView()
        self.tree.setObjectName("chooserTree")
        self.tree.setHeaderHidden(True)
        self.tree.setModel(self.proxy)
        self.tree.doubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.search.setText(text)
        self._filter(text)
        if current and current in items:
            index = self.proxy.mapFromSource(items[current].index())
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip().lower())
        if text.strip():
            self.tree.expandAll()
        else:
            self.tree.collapseAll()
        if not self.tree.currentIndex().isValid() or not text.strip():
            first = self._first_match(QModelIndex(), text.strip().lower())
            if first.isValid():
                self.tree.setCurrentIndex(first)

    def _first_match(self, parent: QModelIndex, text: str) -> QModelIndex:
        for row in range(self.proxy.rowCount(parent)):
            index = self.proxy.index(row, 0, parent)
            if not text or text in str(index.data(SEARCH_ROLE)).split(" / ")[-1]:
                return index
            child = self._first_match(index, text)
            if child.isValid():
                return child
        return QModelIndex()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.tree.setFocus()
                self.tree.keyPressEvent(event)  # type: ignore[arg-type]
                return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return
        self.chosen = str(index.data(ID_ROLE))
        super().accept()


class TreePicker(QWidget):
    """Type part of a name (井盖) or pinyin initials (jg) and pick from the list;
    F4 or the "…" button opens the whole tree. ``changed`` when the chosen id changes."""

    changed = Signal()

    def __init__(self, dialog_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialog_title = dialog_title
        self._choices: list[Choice] = []
        self._by_id: dict[str, Choice] = {}
        self._value: str | None = None
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(True)
        self.browse = QToolButton()
        self.browse.setText("…")
        self.browse.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.browse.setToolTip(self.tr("Choose from the whole tree (F4)"))
        self.browse.clicked.connect(self.open_tree)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self.setFocusProxy(self.edit)
        self.model = QStandardItemModel(self)
        self.completer = _PathCompleter(self.model, self)
        self.completer.setCompletionRole(SEARCH_ROLE)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.edit.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(self._activated)  # type: ignore[index]
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self.resolve)
        self.edit.installEventFilter(self)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F4), self.edit)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.open_tree)

    # ------------------------------------------------------------------ data
    def set_choices(self, choices: Sequence[Choice]) -> None:
        self._choices = list(choices)
        self._by_id = {c.id: c for c in self._choices}
        self.model.clear()
        for choice in self._choices:
            item = QStandardItem(choice.path)
            item.setEditable(False)
            item.setData(choice.id, ID_ROLE)
            item.setData(choice.search, SEARCH_ROLE)
            item.setData(choice.path, PATH_ROLE)
            self.model.appendRow(item)

    def value(self) -> str | None:
        return self._value

    def text(self) -> str:
        return self.edit.text()

    def choice(self) -> Choice | None:
        return self._by_id.get(self._value or "")

    def set_value(self, value: str | None, *, text: str | None = None) -> None:
        """Choose ``value`` (an id); unknown ids keep ``text`` typed but choose nothing."""
        choice = self._by_id.get(value or "")
        old = self._value
        self._value = choice.id if choice else None
        self.edit.setText(choice.path if choice else (text or ""))
        self.edit.setCursorPosition(0)
        if old != self._value:
            self.changed.emit()

    def clear(self) -> None:
        self.set_value(None)

    # ------------------------------------------------------------------ typing
    def matches(self, text: str) -> list[Choice]:
        needle = " ".join(text.lower().split())
        if not needle:
            return []
        return [c for c in self._choices if needle in c.search]

    def resolve(self) -> bool:
        """Take what was typed if it names one item; True when an item is chosen."""
        if self._value is not None:
            return True
        text = self.edit.text().strip()
        if not text:
            return False
        exact = [c for c in self._choices if c.name == text or c.path == text]
        found = exact or self.matches(text)
        if len(found) == 1 or exact:
            self.set_value(found[0].id)
            return True
        return False

    def _edited(self, text: str) -> None:
        current = self.choice()
        if current is not None and text != current.path:
            self._value = None
            self.changed.emit()
        elif current is None and not text:
            self.changed.emit()

    def _activated(self, index: QModelIndex) -> None:
        self.set_value(str(index.data(ID_ROLE)))

    def open_tree(self) -> None:
        text = "" if self._value else self.edit.text()
        dialog = TreeChooserDialog(self._choices, self.dialog_title, text, self._value, self)
        if dialog.exec() and dialog.chosen:
            self.set_value(dialog.chosen)
        self.edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.edit and event.type() == QEvent.Type.FocusOut:
            popup = self.completer.popup()
            if self.resolve() and popup is not None:
                popup.hide()
        elif watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            popup = self.completer.popup()
            popup_open = popup is not None and popup.isVisible()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not popup_open:
                if self._value is None and self.edit.text().strip() and not self.resolve():
                    # Several items match: show them instead of submitting the form.
                    self.completer.setCompletionPrefix(self.edit.text())
                    self.completer.complete()
                    return True
            elif key == Qt.Key.Key_Down and not popup_open and self.edit.text().strip():
                self.completer.setCompletionPrefix(self.edit.text())
                self.completer.complete()
                return True
        return super().eventFilter(watched, event)
