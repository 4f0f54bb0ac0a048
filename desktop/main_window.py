"""The main window: navigation on the left, one screen at a time, and a status
bar that says who is working, in which role and for which org unit."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from services.cases.permissions import ROLE_LABELS, Permission
from views.formatting import label
from views.reception.enquiry import SHORTCUT as ENQUIRY_SHORTCUT
from views.reception.enquiry import EnquiryDialog, raise_enquiry

from .context import AppContext
from .logging_setup import current_log_file
from .manual import ManualWindow, help_target
from .paths import resources_dir
from .screens import Screen, first_screen, screens_for

NAV_COLOURS = {
    QIcon.Mode.Normal: "#e6eef7",
    QIcon.Mode.Selected: "#1f4e79",
    QIcon.Mode.Active: "#e6eef7",
}


def nav_icon(name: str, size: int = 22) -> QIcon:
    """A navigation icon drawn light on the blue bar and blue on the selected item."""
    source = (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    icon = QIcon()
    for mode, colour in NAV_COLOURS.items():
        renderer = QSvgRenderer(QByteArray(source.replace("#1f4e79", colour).encode("utf-8")))
        for scale in (1, 2):
            pixmap = QPixmap(size * scale, size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter)
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap, mode)
    return icon


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("GridDesk"))
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.svg")))
        self.resize(1360, 860)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(168)
        self.stack = QStackedWidget()
        self.screens: list[Screen] = screens_for(ctx)
        self.enquiry_dialog: EnquiryDialog | None = None
        self.manual_window: ManualWindow | None = None
        self.widgets: dict[str, QWidget] = {}
        for screen in self.screens:
            item = QListWidgetItem(nav_icon(screen.icon), screen.title)
            item.setData(Qt.ItemDataRole.UserRole, screen.key)
            self.navigation.addItem(item)
            self.stack.addWidget(QWidget())  # the real screen is built when first shown
        self.navigation.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        body = QWidget()
        body.setObjectName("screenArea")
        body_layout = QHBoxLayout(body)
        body_layout.setContentsMargins(14, 10, 14, 10)
        body_layout.addWidget(self.stack)
        layout.addWidget(body, 1)
        self.setCentralWidget(central)
        self._build_menu()
        self._build_status_bar()
        first = first_screen(ctx.user.role, self.screens)
        if first is not None:
            self.show_screen(first)
        ctx.events.open_case.connect(self.open_case)
        geometry = ctx.prefs.window_geometry
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)

    # ---------------------------------------------------------------- screens
    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        screen = self.screens[row]
        if screen.key not in self.widgets:
            widget = screen.factory(self.ctx)
            old = self.stack.widget(row)
            if old is not None:  # the placeholder put there by the constructor
                self.stack.removeWidget(old)
                old.deleteLater()
            self.stack.insertWidget(row, widget)
            self.widgets[screen.key] = widget
        self.stack.setCurrentIndex(row)

    def show_screen(self, key: str) -> QWidget:
        """Switch to the screen ``key``; KeyError if this user has no such screen."""
        for row, screen in enumerate(self.screens):
            if screen.key == key:
                self.navigation.setCurrentRow(row)
                self._show_row(row)
                return self.widgets[key]
        raise KeyError(key)

    def open_case(self, case_id: str) -> None:
        """Show ``case_id`` in the queue (from the map, the reception desk, an alert …)."""
        try:
            queue = self.show_screen("queue")
        except KeyError:
            return
        opener = getattr(queue, "open_case", None)
        if callable(opener):
            opener(case_id)

    def screen_keys(self) -> list[str]:
        return [s.key for s in self.screens]

    def set_badge(self, screen_key: str, count: int) -> None:
        """Show ``count`` (e.g. new deadline alerts) beside a screen's navigation title."""
        for row, screen in enumerate(self.screens):
            if screen.key == screen_key:
                item = self.navigation.item(row)
                item.setText(f"{screen.title}  ({count})" if count > 0 else screen.title)
                item.setData(Qt.ItemDataRole.UserRole + 1, count)

    # ---------------------------------------------------------------- chrome
    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        if self.ctx.can(Permission.ENQUIRE_PROGRESS):
            cases_menu = self.menuBar().addMenu(self.tr("&Cases"))
            enquiry = QAction(self.tr("Progress &enquiry…"), self)
            enquiry.setObjectName("enquiryAction")
            enquiry.setShortcut(QKeySequence(ENQUIRY_SHORTCUT))
            enquiry.triggered.connect(self.open_enquiry)
            cases_menu.addAction(enquiry)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        manual = QAction(self.tr("&Manual"), self)
        manual.setObjectName("manualAction")
        manual.setShortcut(QKeySequence(Qt.Key.Key_F1))
        manual.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        manual.triggered.connect(lambda: self.show_manual())
        help_menu.addAction(manual)
        about = QAction(self.tr("&About GridDesk"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def open_enquiry(self) -> EnquiryDialog:
        """The progress enquiry by query code or phone (reception and coordinators)."""
        self.enquiry_dialog = raise_enquiry(self.ctx, self, self.enquiry_dialog)
        return self.enquiry_dialog

    def _build_status_bar(self) -> None:
        user = self.ctx.user
        bar = self.statusBar()
        self.user_label = QLabel(self.tr("User: %1").replace("%1", user.display_name))
        self.user_label.setObjectName("statusUser")
        self.role_label = QLabel(
            self.tr("Role: %1").replace("%1", label(ROLE_LABELS.get(user.role, user.role)))
        )
        self.role_label.setObjectName("statusRole")
        self.unit_label = QLabel(self.tr("Org unit: %1").replace("%1", self.ctx.org_unit_name()))
        self.unit_label.setObjectName("statusUnit")
        for widget in (self.user_label, self.role_label, self.unit_label):
            widget.setTextFormat(Qt.TextFormat.PlainText)  # names come from the county
            bar.addWidget(widget)
        if self.ctx.can(Permission.SYNC):
            from views.sync.status import SyncIndicator

            from .sync_loop import sync_loop_for

            self.sync_indicator = SyncIndicator(sync_loop_for(self.ctx))
            self.sync_indicator.clicked.connect(lambda: self.show_screen("sync"))
            bar.addPermanentWidget(self.sync_indicator)
        if self.ctx.demo:
            badge = QLabel(self.tr("Demo data"))
            badge.setObjectName("demoBadge")
            bar.addPermanentWidget(badge)

    def current_screen_key(self) -> str | None:
        row = self.navigation.currentRow()
        return self.screens[row].key if 0 <= row < len(self.screens) else None

    def show_manual(self) -> ManualWindow:
        """The manual at the page of this user's role and the section of the screen on show."""
        page, heading = help_target(self.ctx.user.role, self.current_screen_key())
        if self.manual_window is None:
            self.manual_window = ManualWindow(self)
        self.manual_window.open_page(page, heading)
        self.manual_window.show()
        self.manual_window.raise_()
        self.manual_window.activateWindow()
        return self.manual_window

    def show_about(self) -> None:
        from .about import AboutDialog

        AboutDialog(self.ctx.data_dir, current_log_file(), self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.prefs.window_geometry = self.saveGeometry()
        self.ctx.prefs.sync()
        super().closeEvent(event)
