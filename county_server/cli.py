"""``python -m county_server``: serve, load-reference, create-user, set-password,
desk-code, disable-user, enable-user, revoke-tokens, seed-demo, export-bulletin."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

from services.demo.anchor import DEFAULT_CASES

from .db import DEFAULT_URL

PROXIES_ENV = "GRIDDESK_TRUSTED_PROXIES"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="county_server", description="GridDesk county server")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument(
        "--db", default=DEFAULT_URL, help="database URL (sqlite:///… or postgresql+psycopg://…)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    serve.add_argument(
        "--token-hours", type=float, default=12.0, help="token lifetime, at most 12 hours"
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a reverse proxy whose X-Forwarded-For is believed: an IP address or a network "
        "such as 10.0.0.0/8 (repeatable; also GRIDDESK_TRUSTED_PROXIES, comma-separated)",
    )
    serve.add_argument(
        "--ssl-keyfile", help="TLS private key (or terminate TLS at a reverse proxy)"
    )
    serve.add_argument("--ssl-certfile", help="TLS certificate chain")
    serve.add_argument(
        "--blob-root",
        type=Path,
        metavar="DIR",
        help="the folder of attachment files (also GRIDDESK_BLOB_ROOT); default: blobs/ next "
        "to the SQLite database file; required with PostgreSQL",
    )

    ref = sub.add_parser("load-reference", help="load a reference file (idempotent)")
    ref.add_argument("file", type=Path)
    ref.add_argument("--db", default=DEFAULT_URL)

    user = sub.add_parser(
        "create-user", help="create a user (password from GRIDDESK_PASSWORD or a prompt)"
    )
    user.add_argument("--db", default=DEFAULT_URL)
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True, help="display name")
    user.add_argument("--role", required=True)
    user.add_argument("--org-unit", required=True)
    user.add_argument("--department")
    user.add_argument("--grid", action="append", default=[], help="a grid id (repeatable)")

    password = sub.add_parser(
        "set-password",
        help="give a user a new password (GRIDDESK_PASSWORD or a prompt); ends their tokens",
    )
    password.add_argument("--db", default=DEFAULT_URL)
    password.add_argument("--username", required=True)
    code = sub.add_parser(
        "desk-code",
        help="reserve the next free desk code of a street for a desk installed without "
        "network, and print it (type it into that desk's first-start wizard)",
    )
    code.add_argument("--db", default=DEFAULT_URL)
    code.add_argument("--street", required=True, help="the street's 9-digit code")
    code.add_argument("--name", default="", help="which desk it is for, e.g. a room or a PC")
    for command, text in (
        ("disable-user", "stop a user from logging in; ends their tokens"),
        ("enable-user", "let a disabled user log in again"),
        ("revoke-tokens", "end every token of a user (a lost or stolen desk)"),
    ):
        one = sub.add_parser(command, help=text)
        one.add_argument("--db", default=DEFAULT_URL)
        one.add_argument("--username", required=True)

    demo = sub.add_parser("seed-demo", help="load the demo district (as the demo desktop has it)")
    demo.add_argument("--db", default=DEFAULT_URL)
    demo.add_argument(
        "--cases",
        type=int,
        default=DEFAULT_CASES,
        help=f"as many as the demo desktop ({DEFAULT_CASES})",
    )
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        help="YYYY-MM-DD: the history ends at 00:00 (Beijing) of that day (default: today)",
    )
    bulletin = sub.add_parser(
        "export-bulletin",
        help="write the half-monthly bulletin workbook (半月通报) of the county or one of its "
        "units, from every street's data",
    )
    bulletin.add_argument("--db", default=DEFAULT_URL)
    bulletin.add_argument(
        "--period",
        required=True,
        help="YYYY-MM-H1, YYYY-MM-H2, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, or 'last' "
        "(the last complete half-month)",
    )
    bulletin.add_argument(
        "--scope",
        default=None,
        help="org unit code of the county (default), a street or a community; 'help' lists them",
    )
    bulletin.add_argument("--out", type=Path, help="the .xlsx file to write")
    bulletin.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def _export_bulletin(args: argparse.Namespace) -> int:
    from models.types import utcnow
    from services.errors import DomainError
    from services.reports.periods import last_complete_half_month, parse_period

    from .bulletin import assessed_units, export_county_bulletin
    from .db import open_server_db

    listing = (args.scope or "").strip().lower() == "help"
    out: Path | None = args.out
    if not listing and (out is None or out.suffix.lower() != ".xlsx"):
        print("--out must name an .xlsx file, e.g. --out 通报.xlsx", file=sys.stderr)
        return 2
    now = utcnow()
    try:
        period = (
            last_complete_half_month(now)
            if args.period.strip().lower() == "last"
            else parse_period(args.period)
        )
    except DomainError as exc:
        print(f"--period: {exc}", file=sys.stderr)
        return 2
    db = open_server_db(args.db)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        if args.quiet or not total:
            return
        if (tenth := done * 10 // total) != shown[0]:
            shown[0] = tenth
            print(f"  {done * 100 // total:3d}%  {done:,} / {total:,} rows", flush=True)

    try:
        if listing:
            for unit in assessed_units(db):
                print(f"{unit.id}\t{unit.level}\t{unit.name}")
            return 0
        assert out is not None
        assessment = export_county_bulletin(db, period, out, args.scope, now=now, progress=progress)
    except DomainError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot write {out}: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    t = assessment.totals
    if assessment.fallback_years:
        years = ", ".join(str(y) for y in assessment.fallback_years)
        print(f"warning: no holiday calendar for {years}; working days counted Monday-Friday")
    if now < period.end:
        print(f"note: {period.key} has not ended; its figures are those of the events until now")
    print(
        f"{out}: {assessment.title} — {t.created:,} registered, {t.due:,} due, "
        f"{t.closed:,} closed, {t.overdue:,} overdue"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .auth_api import parse_proxies
    from .db import open_server_db
    from .tokens import TOKEN_HOURS

    if not 0 < args.token_hours <= TOKEN_HOURS:
        print(f"--token-hours must be more than 0 and at most {TOKEN_HOURS}", file=sys.stderr)
        return 2
    proxies = ",".join(args.trusted_proxy) or os.environ.get(PROXIES_ENV, "")
    try:
        parse_proxies(proxies.split(","))
    except ValueError as exc:
        print(f"--trusted-proxy: {exc}", file=sys.stderr)
        return 2
    from .blobs import BLOB_ROOT_ENV, default_blob_root

    blob_root = args.blob_root or os.environ.get(BLOB_ROOT_ENV) or default_blob_root(args.db)
    if not blob_root:
        print(
            "--blob-root DIR (or GRIDDESK_BLOB_ROOT) is required with this database: "
            "the folder where attachment files are kept",
            file=sys.stderr,
        )
        return 2
    blob_root = Path(blob_root).resolve()
    try:
        blob_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"--blob-root: cannot use {blob_root}: {exc}", file=sys.stderr)
        return 2
    open_server_db(args.db).dispose()  # migrate once, before the workers start
    os.environ[BLOB_ROOT_ENV] = str(blob_root)
    os.environ["GRIDDESK_SERVER_DB"] = args.db
    os.environ["GRIDDESK_SERVER_TOKEN_HOURS"] = str(args.token_hours)
    os.environ[PROXIES_ENV] = proxies
    uvicorn.run(
        "county_server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        ssl_keyfile=args.ssl_keyfile,
        ssl_certfile=args.ssl_certfile,
        proxy_headers=False,  # X-Forwarded-For only from --trusted-proxy (auth_api)
        log_level="info",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "serve":
        return _serve(args)
    if args.command == "export-bulletin":
        return _export_bulletin(args)

    from services.errors import DomainError

    from . import admin
    from .db import open_server_db

    db = open_server_db(args.db)
    try:
        if args.command == "load-reference":
            try:
                reference = json.loads(args.file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                print(f"cannot read {args.file}: {exc}", file=sys.stderr)
                return 2
            changed = admin.load_reference_file(db, reference)
            print(f"reference loaded from {args.file}: {changed} items changed")
        elif args.command == "create-user":
            password = os.environ.get("GRIDDESK_PASSWORD") or getpass.getpass("password: ")
            user = admin.create_user(
                db,
                username=args.username,
                password=password,
                display_name=args.name,
                role=args.role,
                org_unit_id=args.org_unit,
                department_id=args.department,
                grid_ids=args.grid,
            )
            print(f"user {user.username} created ({user.id})")
        elif args.command == "set-password":
            password = os.environ.get("GRIDDESK_PASSWORD") or getpass.getpass("new password: ")
            ended = admin.set_password(db, username=args.username, password=password)
            print(f"password of {args.username} changed; {ended} tokens ended")
        elif args.command == "disable-user":
            ended = admin.disable_user(db, username=args.username)
            print(f"user {args.username} disabled; {ended} tokens ended")
        elif args.command == "enable-user":
            if admin.enable_user(db, username=args.username):
                print(f"user {args.username} enabled")
            else:
                print(f"user {args.username} was enabled already")
        elif args.command == "desk-code":
            print(admin.reserve_desk_code(db, street=args.street, name=args.name))
        elif args.command == "revoke-tokens":
            ended = admin.revoke_tokens(db, username=args.username)
            print(f"{ended} tokens of {args.username} ended")
        elif args.command == "seed-demo":
            day, counts = admin.seed_demo(db, cases=args.cases, seed=args.seed, today=args.today)
            print(
                "demo district loaded: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
                + f"; its history ends at 00:00 of {day} (Beijing)"
            )
    except DomainError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0
