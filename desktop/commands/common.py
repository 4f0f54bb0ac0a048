"""What the commands share: opening the database, or saying in the person's
language why it cannot be opened and exiting with status 2 (EXIT_USAGE)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.db import Database, DatabaseProblem

from ..cli_text import EXIT_USAGE, language, translate

_app: object = None  # the QCoreApplication made here, kept alive while the command runs


def open_db_or_exit(args: argparse.Namespace | Path, *, must_exist: bool = True) -> Database:
    """The database in ``args.data_dir`` (or the folder given), migrated. When it cannot be used, print
    why on stderr (the same words the window shows, in the person's language) and
    raise ``SystemExit(2)``. With ``must_exist`` a folder without a GridDesk
    database is refused instead of getting a new empty one."""
    from models.db import DB_FILENAME, DatabaseProblem, open_database

    data_dir = Path(args.data_dir if isinstance(args, argparse.Namespace) else args)
    if data_dir.exists() and not data_dir.is_dir():
        print(
            translate("cli", "{path} is a file, not a folder: --data-dir names a folder").format(
                path=data_dir
            ),
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USAGE)
    if must_exist and not (data_dir / DB_FILENAME).exists():
        print(
            translate("cli", "no GridDesk database in {path}").format(path=data_dir),
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USAGE)
    try:
        return open_database(data_dir)
    except DatabaseProblem as problem:
        print(database_problem_message(problem), file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def database_problem_of(error: BaseException, data_dir: Path) -> str | None:
    """The person's words for ``error`` when it is a database problem met while working
    (a read-only file, a full disk, a lock), else None."""
    from models.db import DB_FILENAME, DatabaseProblem, classify

    problem = (
        error if isinstance(error, DatabaseProblem) else classify(error, data_dir / DB_FILENAME)
    )
    return None if problem is None else database_problem_message(problem)


def database_problem_message(problem: DatabaseProblem) -> str:
    """``views.messages.database_problem_text`` under a translator for the
    command's language (desktop/cli_text.py), installed only for this call: a
    command has no window that installed one."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    from ..i18n import APP_CATALOG, compile_translations, database_problem_text, translations_dir

    global _app
    app = QCoreApplication.instance()
    if app is None:
        app = _app = QCoreApplication([])
    lang = language()
    translator = QTranslator(app)
    installed = False
    if lang != "en":
        compile_translations()
        installed = translator.load(f"{APP_CATALOG}_{lang}", str(translations_dir()))
        if installed:
            app.installTranslator(translator)
    try:
        return database_problem_text(problem)
    finally:
        if installed:
            app.removeTranslator(translator)
