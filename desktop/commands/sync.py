"""``sync --data-dir DIR [--create] [--server URL] [--user NAME] [--deadline SECONDS]``:
one sync round without a window (docs/protocol.md).

A folder without a GridDesk database is refused (a mistyped folder would
otherwise become an empty desk); ``--create`` makes the folder and database,
for a new desk's first sync.

``--user`` logs that person in to the county first (password from
``GRIDDESK_PASSWORD``, never stored); every person who logged in on this desk
before has a device-bound token of their own, and each person's items go up
with that person's token. Items whose author has no login here wait and are
listed. Never ends with a traceback: the details go to the log file.

It prints what came down and went up, per type (``services.sync.report``):
new and updated cases, events, visits, users and reference records, and the
county's answers to what was pushed (accepted, already there, rejected) —
also on the first round, which reads the county's feed from the beginning.

Exit status (desktop/cli_text.py EXIT_CODES): 0 done, 2 usage (bad arguments,
no or a bad server address, the database), 3 the server cannot be reached, is
the wrong address, broken or too slow (services/sync/diagnosis.py says which), 4
the login was refused, 5 items were rejected or pulled items were kept aside.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import unicodedata
from collections.abc import Callable

from services.i18n import QT_TRANSLATE_NOOP

from ..cli_text import (
    EXIT_LOGIN,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_SERVER,
    EXIT_USAGE,
    error_text,
    translate,
    with_scheme,
)
from .common import database_problem_of, open_db_or_exit

NAME = "sync"
HELP = QT_TRANSLATE_NOOP("cli", "push and pull once against the county server")
DESCRIPTION = QT_TRANSLATE_NOOP(
    "cli",
    "One sync round without a window: what this desk recorded goes up to the county "
    "server, what the county holds for this desk comes down, and the figures are printed "
    "per type. A folder without a GridDesk database is refused unless --create is given "
    "(a new desk). With --user that person logs in first (password from the environment "
    "variable GRIDDESK_PASSWORD, never stored); otherwise the logins kept on this desk are "
    "used.",
)
EXAMPLES = (
    "sync --data-dir D:\\griddesk --server http://county.example:8765 --user zhangsan",
    "sync --data-dir D:\\griddesk",
    "sync --data-dir new-desk --create --server https://county.example --user zhangsan",
)

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--create",
        action="store_true",
        help=translate(
            "cli", "make the data folder and an empty database when there is none (a new desk)"
        ),
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help=translate(
            "cli",
            "county server address, http://HOST:PORT or https://HOST (stored for next time; "
            "without http:// or https://, http:// is assumed)",
        ),
    )
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help=translate(
            "cli",
            "log this county user in first (password from GRIDDESK_PASSWORD); "
            "without it, the logins already kept on this desk are used",
        ),
    )
    parser.add_argument(
        "--timeout",
        type=_seconds(3600),
        default=30.0,
        metavar="SECONDS",
        help=translate("cli", "seconds per request, 1 to 3600 (default 30)"),
    )
    parser.add_argument(
        "--deadline",
        type=_seconds(86400),
        default=None,
        metavar="SECONDS",
        help=translate(
            "cli", "seconds the whole round may take, 1 to 86400 (default: the setting, 600)"
        ),
    )


def _seconds(most: int) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 1 <= number <= most:
            raise argparse.ArgumentTypeError(
                translate("cli", "{value!r} is not a number of seconds from 1 to {most}").format(
                    value=value, most=most
                )
            )
        return number

    return parse


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the command boundary: never a traceback
        log.exception("sync command failed")
        problem = database_problem_of(exc, args.data_dir)
        if problem is not None:  # a read-only or full disk met during the round
            _say(problem)
            return EXIT_USAGE
        _say(
            translate("cli", "sync failed: {error} (details in the log file)").format(
                error=f"{type(exc).__name__}: {str(exc)[:300]}"
            )
        )
        return EXIT_SERVER


def _run(args: argparse.Namespace) -> int:
    from models.db import DB_FILENAME
    from services import settings as settings_service
    from services import sync
    from services.errors import DomainError
    from services.sync.diagnosis import diagnose

    password = os.environ.get("GRIDDESK_PASSWORD", "")
    if args.user and not password:
        _say(
            translate(
                "cli", "set the environment variable GRIDDESK_PASSWORD to the password of --user"
            )
        )
        return EXIT_USAGE
    server = None
    if args.server:
        server, added = with_scheme(args.server)
        if added:
            _say(
                translate("cli", "note: {given} has no http:// or https://; using {url}").format(
                    given=args.server, url=server
                )
            )
    try:
        db = open_db_or_exit(args, must_exist=not args.create)
    except SystemExit:
        if not args.create and not (args.data_dir / DB_FILENAME).exists():
            _say(translate("cli", "to start a new desk in that folder, add --create"))
        raise
    try:
        with db.session() as session:
            if server:
                try:
                    settings_service.put(session, "device.server_url", server)
                except DomainError as exc:
                    _say(
                        translate(
                            "cli",
                            "bad server address {url!r}: {reason} (for example "
                            "http://127.0.0.1:8765)",
                        ).format(url=args.server, reason=error_text(exc))
                    )
                    return EXIT_USAGE
            conn = sync.connection(session)
        if not conn.server_url:
            _say(translate("cli", "no server address: pass --server http://HOST:PORT"))
            return EXIT_USAGE

        async def round_trip() -> sync.RoundResult:
            engine = sync.SyncEngine(
                db,
                conn,
                client=sync.make_client(conn, timeout=args.timeout),
                deadline=args.deadline,
            )
            try:
                if args.user:
                    await engine.login(args.user, password)
                return await engine.run_round()
            finally:
                await engine.close()

        try:
            result = asyncio.run(round_trip())
        except sync.SyncError as exc:
            log.warning("sync round failed: %s", exc)
            if isinstance(exc, sync.LoginRequired) and exc.code == "login_required":
                _say(
                    translate(
                        "cli",
                        "nobody is logged in to {url} on this desk: pass --user NAME "
                        "with the password in GRIDDESK_PASSWORD",
                    ).format(url=conn.server_url)
                )
                return EXIT_LOGIN
            found = diagnose(exc, conn.server_url)
            _say(translate("services", found.template).format(**found.params))
            return EXIT_LOGIN if isinstance(exc, sync.LoginRequired) else EXIT_SERVER
        except DomainError as exc:
            _say(error_text(exc))
            return EXIT_USAGE
        return _report(db, result)
    finally:
        db.dispose()


# The rows of the report: (kind, label); services.sync.report names the kinds.
_DOWN_ROWS = (
    ("case", QT_TRANSLATE_NOOP("cli", "cases")),
    ("case_event", QT_TRANSLATE_NOOP("cli", "case events")),
    ("visit", QT_TRANSLATE_NOOP("cli", "visits")),
    ("user", QT_TRANSLATE_NOOP("cli", "users")),
    ("org_unit", QT_TRANSLATE_NOOP("cli", "org units")),
    ("department", QT_TRANSLATE_NOOP("cli", "departments")),
    ("category", QT_TRANSLATE_NOOP("cli", "categories")),
    ("holiday", QT_TRANSLATE_NOOP("cli", "holidays")),
    ("setting", QT_TRANSLATE_NOOP("cli", "settings")),
)
_UP_ROWS = (
    ("visit", QT_TRANSLATE_NOOP("cli", "visits")),
    ("case_event", QT_TRANSLATE_NOOP("cli", "case events")),
)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: object, width: int) -> str:
    text = str(text)
    return " " * max(0, width - _width(text)) + text


def report_lines(report: object) -> list[str]:
    """The round's figures per type, as the command prints them."""
    from services import sync

    assert isinstance(report, sync.RoundReport)
    if report.from_start:
        head = translate("cli", "came down (the county's feed read from the beginning):")
    else:
        head = translate("cli", "came down:")
    new, updated_ = translate("cli", "new"), translate("cli", "updated")
    lines = [head, "  " + _left("", 14) + _right(new, 8) + _right(updated_, 9)]
    for kind, name in _DOWN_ROWS:
        updated = "-" if kind == "case_event" else str(report.count_updated(kind))
        lines.append(
            "  "
            + _left(translate("cli", name), 14)
            + _right(report.count_new(kind), 8)
            + _right(updated, 9)
        )
    lines.append(translate("cli", "went up:"))
    accepted, there, rejected = (
        translate("cli", "accepted"),
        translate("cli", "already there"),
        translate("cli", "rejected"),
    )
    lines.append(
        "  " + _left("", 14) + _right(accepted, 9) + _right(there, 15) + _right(rejected, 10)
    )
    for kind, name in _UP_ROWS:
        lines.append(
            "  "
            + _left(translate("cli", name), 14)
            + _right(report.accepted.get(kind, 0), 9)
            + _right(report.duplicate.get(kind, 0), 15)
            + _right(report.rejected.get(kind, 0), 10)
        )
    lines.append(
        "  " + translate("cli", "waiting for a county login: {count}").format(count=report.waiting)
    )
    return lines


def _report(db: object, result: object) -> int:
    from services import sync

    assert isinstance(result, sync.RoundResult)
    report = result.report
    for line in report_lines(report):
        print(line)
    if report.pruned_cases or report.pruned_visits:
        print(
            translate(
                "cli", "dropped {cases} cases and {visits} visits outside this desk's scope"
            ).format(cases=report.pruned_cases, visits=report.pruned_visits)
        )
    for item in result.rejected:
        print(
            translate("cli", "rejected {kind} {id}: {code} — {message}").format(
                kind=item.kind, id=item.item_id, code=item.code, message=item.message
            )
        )
    with db.sessions() as session:  # type: ignore[attr-defined]
        view = sync.overview(session)
    for waiting in view.waiting:
        name = waiting.username or waiting.user_id
        print(
            translate("cli", "{count} items wait for {person} ({username}) to log in").format(
                count=waiting.count, person=waiting.display_name, username=name
            )
        )
    if report.quarantined:
        print(
            translate("cli", "{count} pulled items break the protocol and were kept aside").format(
                count=report.quarantined
            )
        )
    if view.rejected:
        print(
            translate(
                "cli", "{count} rejected items wait for a decision on the sync screen"
            ).format(count=view.rejected)
        )
    return EXIT_REJECTED if result.rejected or report.quarantined else EXIT_OK
