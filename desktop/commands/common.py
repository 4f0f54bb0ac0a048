"""What the commands share: opening the database, or saying in the person's
language why it cannot be opened and exiting with status 2 (EXIT_USAGE)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.db import Database, DatabaseProblem

from ..cli_text import EXIT_USAGE, translate


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
    """``views.messages.database_problem_text`` in the command's language
    (desktop/cli_text.py), without an application: the English template is taken
    with its placeholders kept, then translated and filled in here, so that a later
    QApplication (``screenshot``, the window) can still be made in the process."""
    from types import SimpleNamespace

    from ..i18n import database_problem_text

    placeholders = SimpleNamespace(code=problem.code, path="{path}", detail="{detail}")
    template = database_problem_text(placeholders)  # type: ignore[arg-type]
    return translate("errors", template).format(path=problem.path, detail=problem.detail)
