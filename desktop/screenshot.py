"""``screenshot``: log in as a person would (no bypass), render one screen of the
main window offscreen and save it as PNG — for the README, tests, and for
looking at the UI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXIT_FAILED = 2


def take_screenshot(
    data_dir: Path, username: str, password: str, view: str, out: Path, size: tuple[int, int]
) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest

    from services.accounts.auth import AuthError, login

    from .app import create_application
    from .app_settings import Preferences
    from .commands.common import open_db_or_exit
    from .context import AppContext
    from .i18n import error_text
    from .logging_setup import setup_logging
    from .main_window import MainWindow

    app = create_application()
    setup_logging(data_dir)
    db = open_db_or_exit(data_dir)
    try:
        try:
            user = login(db, username, password)
        except AuthError as exc:
            print(error_text(exc), file=sys.stderr)
            return EXIT_FAILED
        ctx = AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences(), demo=False)
        window = MainWindow(ctx)
        window.resize(*size)
        try:
            window.show_screen(view)
        except KeyError:
            print(
                f"the view {view!r} is not available to {username}; available: {', '.join(window.screen_keys())}",
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
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            return EXIT_FAILED
        print(out)
        window.close()
        return 0
    finally:
        db.dispose()
