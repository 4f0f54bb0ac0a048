"""``screenshot``: log in as a person would (no bypass), render one screen of the
main window offscreen and save it as PNG — for the README, tests, and for
looking at the UI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

EXIT_FAILED = 2


def take_screenshot(
    data_dir: Path, username: str, password: str, view: str, out: Path, size: tuple[int, int]
) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QThreadPool

    from services.accounts.auth import AuthError, login

    from .app import create_application
    from .app_settings import Preferences
    from .cli_text import error_text as cli_error_text
    from .commands.common import open_db_or_exit
    from .context import AppContext
    from .logging_setup import setup_logging
    from .main_window import MainWindow

    app = create_application()
    db = open_db_or_exit(data_dir)  # a missing folder is refused, not made
    setup_logging(data_dir)
    try:
        try:
            user = login(db, username, password)
        except AuthError as exc:
            print(cli_error_text(exc), file=sys.stderr)
            return EXIT_FAILED
        ctx = AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences(), demo=False)
        window = MainWindow(ctx)
        try:
            return _render(app, window, view, username, out, size)
        finally:
            # The screens load in the thread pool; a window dropped while they run
            # would have them deliver to deleted objects (RuntimeError: Signal
            # source has been deleted). Let them finish and deliver first.
            QThreadPool.globalInstance().waitForDone()
            app.processEvents()
            window.close()
            app.processEvents()
    finally:
        db.dispose()


def _render(
    app: QApplication,
    window: MainWindow,
    view: str,
    username: str,
    out: Path,
    size: tuple[int, int],
) -> int:
    from PySide6.QtTest import QTest

    from .cli_text import translate

    window.resize(*size)
    try:
        window.show_screen(view)
    except KeyError:
        print(
            translate(
                "cli", "the screen {view!r} is not available to {user}; available: {screens}"
            ).format(view=view, user=username, screens=", ".join(window.screen_keys())),
            file=sys.stderr,
        )
        return EXIT_FAILED
    window.show()
    for _ in range(10):
        app.processEvents()
        QTest.qWait(50)
    widget = window.widgets.get(view)
    ready = getattr(widget, "wait_until_ready", None)
    if callable(ready):
        ready()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(
            translate("cli", "cannot write {path}: {reason}").format(
                path=out, reason=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    if not window.grab().save(str(out)):
        print(translate("cli", "could not write {path}").format(path=out), file=sys.stderr)
        return EXIT_FAILED
    print(out)
    return 0
