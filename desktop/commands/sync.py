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

Exit status: 0 done, 2 usage (bad arguments, no or a bad server address, the
database), 3 the server cannot be reached, is broken or too slow (deadline),
4 the login was refused, 5 items were rejected or pulled items were kept aside.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from .common import open_db_or_exit

NAME = "sync"
HELP = (
    "push and pull once against the county server; exit 0 done, 2 usage, 3 server "
    "unreachable or broken, 4 login refused, 5 items rejected or quarantined"
)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_LOGIN = 4
EXIT_REJECTED = 5

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--create",
        action="store_true",
        help="make the data folder and an empty database when there is none (a new desk)",
    )
    parser.add_argument(
        "--server", help="county server address, http://… or https://… (stored for next time)"
    )
    parser.add_argument(
        "--user",
        help="log this county user in first (password from GRIDDESK_PASSWORD); "
        "without it, the logins already kept on this desk are used",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds the whole round may take (default: the setting, 600)",
    )


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except Exception as exc:  # noqa: BLE001 - the command boundary: never a traceback
        log.exception("sync command failed")
        _say(f"sync failed: {type(exc).__name__}: {str(exc)[:300]} (details in the log file)")
        return EXIT_UNREACHABLE


def _run(args: argparse.Namespace) -> int:
    from models.db import DB_FILENAME
    from services import settings as settings_service
    from services import sync
    from services.errors import DomainError

    if args.deadline is not None and not 0 < args.deadline <= 86400:
        _say("--deadline must be a number of seconds from 1 to 86400")
        return EXIT_USAGE
    if not 0 < args.timeout <= 3600:
        _say("--timeout must be a number of seconds from 1 to 3600")
        return EXIT_USAGE
    password = os.environ.get("GRIDDESK_PASSWORD", "")
    if args.user and not password:
        _say("set GRIDDESK_PASSWORD to the password of --user")
        return EXIT_USAGE
    try:
        db = open_db_or_exit(args, must_exist=not args.create)
    except SystemExit:
        if not args.create and not (args.data_dir / DB_FILENAME).exists():
            _say("to start a new desk in that folder, add --create")
        raise
    try:
        with db.session() as session:
            if args.server:
                try:
                    settings_service.put(session, "device.server_url", args.server)
                except DomainError:
                    _say(
                        f"bad server address {args.server!r}: add http:// or https:// "
                        "in front, for example http://127.0.0.1:8765"
                    )
                    return EXIT_USAGE
            conn = sync.connection(session)
        if not conn.server_url:
            _say("no server address: pass --server http://… or https://…")
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
        except sync.LoginRequired as exc:
            if exc.code == "login_required":
                _say(
                    f"nobody is logged in to {conn.server_url} on this desk: "
                    "pass --user NAME with GRIDDESK_PASSWORD"
                )
            else:
                _say(f"login refused by {conn.server_url}: {exc.code} {exc.detail}".rstrip())
            return EXIT_LOGIN
        except sync.SyncError as exc:
            log.warning("sync round failed: %s", exc)
            if isinstance(exc, sync.Offline):
                _say(f"server {conn.server_url} not reachable: {exc.detail}")
            else:
                _say(f"server {conn.server_url} failed: {exc.code}: {exc.detail}")
            return EXIT_UNREACHABLE
        except DomainError as exc:
            _say(str(exc))
            return EXIT_USAGE
        return _report(db, result)
    finally:
        db.dispose()


# The rows of the report: (kind, label); services.sync.report names the kinds.
_DOWN_ROWS = (
    ("case", "cases"),
    ("case_event", "case events"),
    ("visit", "visits"),
    ("user", "users"),
    ("org_unit", "org units"),
    ("department", "departments"),
    ("category", "categories"),
    ("holiday", "holidays"),
    ("setting", "settings"),
)
_UP_ROWS = (("visit", "visits"), ("case_event", "case events"))


def report_lines(report: object) -> list[str]:
    """The round's figures per type, as the command prints them."""
    from services import sync

    assert isinstance(report, sync.RoundReport)
    start = " (the county's feed read from the beginning)" if report.from_start else ""
    lines = [f"came down{start}:", f"  {'':<14}{'new':>8}{'updated':>9}"]
    for kind, name in _DOWN_ROWS:
        updated = "-" if kind == "case_event" else str(report.count_updated(kind))
        lines.append(f"  {name:<14}{report.count_new(kind):>8}{updated:>9}")
    lines.append("went up:")
    lines.append(f"  {'':<14}{'accepted':>9}{'already there':>15}{'rejected':>10}")
    for kind, name in _UP_ROWS:
        lines.append(
            f"  {name:<14}{report.accepted.get(kind, 0):>9}"
            f"{report.duplicate.get(kind, 0):>15}{report.rejected.get(kind, 0):>10}"
        )
    lines.append(f"  waiting for a county login: {report.waiting}")
    return lines


def _report(db: object, result: object) -> int:
    from services import sync

    assert isinstance(result, sync.RoundResult)
    report = result.report
    for line in report_lines(report):
        print(line)
    if report.pruned_cases or report.pruned_visits:
        print(
            f"dropped {report.pruned_cases} cases and {report.pruned_visits} visits "
            "outside this desk's scope"
        )
    for item in result.rejected:
        print(f"rejected {item.kind} {item.item_id}: {item.code} — {item.message}")
    with db.sessions() as session:  # type: ignore[attr-defined]
        view = sync.overview(session)
    for waiting in view.waiting:
        name = waiting.username or waiting.user_id
        print(f"{waiting.count} items wait for {waiting.display_name} ({name}) to log in")
    if report.quarantined:
        print(
            f"{report.quarantined} 条区县数据不符合协议，已隔离 "
            f"({report.quarantined} pulled items break the protocol and were kept aside)"
        )
    if view.rejected:
        print(f"{view.rejected} rejected items wait for a decision on the sync screen")
    return EXIT_REJECTED if result.rejected or report.quarantined else EXIT_OK
