"""``sync --data-dir DIR --server URL --user NAME``: one full sync round without a window.

The password comes from ``GRIDDESK_PASSWORD``. Prints what was pushed, pulled
and rejected. Exit status: 0 done, 2 bad arguments or database, 3 the server
cannot be reached (or failed), 4 the login was refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

NAME = "sync"
HELP = "push and pull once against the county server (password from GRIDDESK_PASSWORD)"

EXIT_UNREACHABLE = 3
EXIT_LOGIN = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help="county server address (stored for the next time)")
    parser.add_argument("--user", required=True, help="county username")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")


def run(args: argparse.Namespace) -> int:
    from models.db import DatabaseProblem, open_database
    from services import settings as settings_service
    from services import sync
    from services.errors import DomainError

    password = os.environ.get("GRIDDESK_PASSWORD", "")
    if not password:
        print("set GRIDDESK_PASSWORD to the user's password", file=sys.stderr)
        return 2
    try:
        db = open_database(args.data_dir)
    except DatabaseProblem as problem:
        print(f"cannot use the database: {problem}", file=sys.stderr)
        return 2
    try:
        with db.session() as session:
            if args.server:
                settings_service.put(session, "device.server_url", args.server)
            conn = sync.connection(session)
        if not conn.server_url:
            print("no server address: pass --server URL", file=sys.stderr)
            return 2

        async def round_trip() -> sync.RoundResult:
            engine = sync.SyncEngine(db, conn, client=sync.make_client(conn, timeout=args.timeout))
            try:
                await engine.login(args.user, password)
                return await engine.run_round()
            finally:
                await engine.close()

        try:
            result = asyncio.run(round_trip())
        except sync.LoginRequired as exc:
            print(f"login refused by {conn.server_url}: {exc.code} {exc.detail}", file=sys.stderr)
            return EXIT_LOGIN
        except sync.SyncError as exc:
            print(f"server {conn.server_url} not reachable: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
        except DomainError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(
            f"pushed {result.pushed} (accepted {result.accepted}, already there {result.duplicate}, "
            f"rejected {len(result.rejected)})"
        )
        print(
            f"pulled {result.pulled} changes: {result.new_events} new events, "
            f"{result.new_visits} new visits, {result.reference} reference updates, "
            f"{len(result.case_ids)} cases updated"
        )
        for item in result.rejected:
            print(f"rejected {item.kind} {item.item_id}: {item.code} — {item.message}")
        with db.sessions() as session:
            view = sync.overview(session)
        if view.rejected:
            print(f"{view.rejected} rejected items wait for a decision on the sync screen")
        return 0
    finally:
        db.dispose()
