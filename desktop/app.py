"""Starting the GUI: the Qt application, translations, the database (with a
clear message when it cannot be used), first start or login, the main window,
and the qasync event loop that runs it all."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from models.db import Database, DatabaseProblem, open_database
from services.accounts.setup import needs_first_run
from services.demo.anchor import DEFAULT_CASES

from .app_settings import Preferences
from .context import AppContext
from .crash import install_excepthook
from .i18n import database_problem_text, install_translators
from .logging_setup import setup_logging
from .paths import APP_NAME, ORG_NAME, resources_dir

log = logging.getLogger(__name__)

DEMO_GUI_CASES = DEFAULT_CASES  # as the county's seed-demo, so the two can sync
EXIT_DATABASE = 2
EXIT_CANCELLED = 1


def set_identity() -> None:
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, styled and translated as the preferences say."""
    set_identity()
    app = QApplication.instance()
    if app is None:
        from views.map.scheme import register_scheme

        register_scheme()  # the map's griddesk: scheme must be known before the application
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    # The menu entry installer/linux/griddesk.desktop: Wayland's app id, the taskbar's icon.
    QGuiApplication.setDesktopFileName("griddesk")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.svg")))
    style = resources_dir() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    install_translators(Preferences().language)
    return app


def open_or_explain(data_dir: Path) -> Database | None:
    """Open the database, or show why it cannot be used and return None."""
    try:
        return open_database(data_dir)
    except DatabaseProblem as problem:
        log.error("database problem: %s", problem)
        QMessageBox.critical(
            None,
            QCoreApplication.translate("App", "GridDesk cannot start"),
            database_problem_text(problem),
        )
        return None


def seed_demo_with_progress(db: Database, cases: int) -> None:
    from services.demo.generator import seed_demo

    dialog = QProgressDialog(
        QCoreApplication.translate("App", "Preparing the demo district…"), "", 0, cases
    )
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        QCoreApplication.processEvents()

    summary = seed_demo(db, cases=cases, progress=progress)
    dialog.close()
    log.info(
        "demo district seeded: %d cases up to 00:00 of %s (Beijing); "
        "a county seeded with --today %s holds the same",
        summary.cases,
        summary.today,
        summary.today,
    )


def demo_hint() -> str:
    return QCoreApplication.translate(
        "App",
        "Demo accounts: reception, coordinator, official, admin, dept_chengguan (one per department), "
        "gw_1 … — all with the password griddesk-demo.",
    )


def authenticate_interactively(db: Database, prefs: Preferences, demo: bool) -> object | None:
    from .first_run import FirstRunDialog
    from .login import LoginDialog

    with db.sessions() as session:
        first = needs_first_run(session)
    if first:
        dialog: FirstRunDialog | LoginDialog = FirstRunDialog(db)
    else:
        dialog = LoginDialog(db, username=prefs.last_username, hint=demo_hint() if demo else "")
    if not dialog.exec() or dialog.user is None:
        return None
    prefs.last_username = dialog.user.username
    return dialog.user


def run_daily_purge(db: Database) -> None:
    """The retention purge of visitors' personal data, once a day at start."""
    from services.cases.permissions import SYSTEM_ACTOR
    from services.reception.privacy import daily_purge

    try:
        with db.session() as session:
            result = daily_purge(session, SYSTEM_ACTOR)
    except Exception:  # noqa: BLE001 - the purge runs again at the next start
        log.exception("the daily purge of personal data failed")
        return
    if result is not None:
        log.info("daily purge: personal data removed from %d visit(s)", result.visits)


def run_gui(data_dir: Path, *, demo: bool = False, verbose: bool = False) -> int:
    app = create_application()
    setup_logging(data_dir, verbose=verbose)
    install_excepthook()
    log.info("GridDesk starting on %s", data_dir)
    db = open_or_explain(data_dir)
    if db is None:
        return EXIT_DATABASE
    if demo:
        with db.sessions() as session:
            empty = needs_first_run(session)
        if empty:
            seed_demo_with_progress(db, DEMO_GUI_CASES)
    prefs = Preferences()
    user = authenticate_interactively(db, prefs, demo)
    if user is None:
        db.dispose()
        return EXIT_CANCELLED

    run_daily_purge(db)

    import qasync

    from .main_window import MainWindow

    ctx = AppContext(db=db, data_dir=data_dir, user=user, prefs=prefs, demo=demo)  # type: ignore[arg-type]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(ctx)
    window.show()
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    with loop:
        loop.run_until_complete(closing.wait())
    db.dispose()
    log.info("GridDesk stopped")
    return 0
