"""``python -m county_server``: serve, load-reference, create-user, set-password,
desk-code, disable-user, enable-user, revoke-tokens, seed-demo, export-bulletin.

The county server's command line stays in English: it is run by the county's
administrators on the server, next to uvicorn's and the database's English logs,
and the county server may not load Qt, whose catalogue the desk's Chinese comes
from. Every mistake a person can make (arguments, files, the database URL, a
missing folder) ends with a message saying what to fix and an exit code from
:data:`EXIT_CODES`, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.demo.anchor import DEFAULT_CASES

from .db import DEFAULT_URL

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from models.db import Database

PROXIES_ENV = "GRIDDESK_TRUSTED_PROXIES"

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    (EXIT_OK, "done"),
    (EXIT_INTERNAL, "an unexpected error in the server itself (run again with --verbose)"),
    (
        EXIT_USAGE,
        "the command line or a file needs fixing, or the request was refused "
        "(the message says what)",
    ),
    (EXIT_DATABASE, "the database cannot be opened or reached"),
    (EXIT_INTERRUPTED, "stopped with Ctrl+C"),
)
EXAMPLES = (
    "python -m county_server serve --db sqlite:////srv/griddesk/county.db --host 0.0.0.0",
    "python -m county_server load-reference reference.json --db sqlite:////srv/griddesk/county.db",
    "GRIDDESK_PASSWORD=… python -m county_server create-user --username zhangsan --name 张三 "
    "--role coordinator --org-unit 330106001 --db …",
    "python -m county_server export-bulletin --period last --out 通报.xlsx --db …",
)
REFERENCE_DOC = "docs/reference-file.md"

log = logging.getLogger(__name__)


class CommandFailed(Exception):
    """A mistake the person can fix: its message is printed and ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-16") from None


def _common_options(parser: argparse.ArgumentParser, *, before: bool = False) -> None:
    """``--db`` and ``--verbose``, before or after the command (after, they override)."""
    hidden = {} if before else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"database URL, sqlite:////path/county.db or postgresql+psycopg://user@host/db "
        f"(default: {DEFAULT_URL})",
        **({"default": DEFAULT_URL} if before else hidden),  # type: ignore[arg-type]
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show the details of an unexpected error",
        **hidden,  # type: ignore[arg-type]
    )


def _exit_table() -> str:
    return "exit codes:\n" + "\n".join(f"  {code:<3}  {text}" for code, text in EXIT_CODES)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m county_server",
        description="GridDesk county server: the HTTP API the desks sync with, and its "
        f"administration. --db is a database URL (default: {DEFAULT_URL}); the reference "
        f"file format is in {REFERENCE_DOC}.",
        epilog="examples:\n" + "\n".join(f"  {e}" for e in EXAMPLES) + "\n\n" + _exit_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common_options(parser, before=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP API")
    _common_options(serve)
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

    ref = sub.add_parser(
        "load-reference",
        help=f"load a reference file: org units, departments, categories, users, holidays, "
        f"settings (idempotent; format: {REFERENCE_DOC})",
    )
    ref.add_argument("file", type=Path, help=f"the JSON file ({REFERENCE_DOC})")
    _common_options(ref)

    user = sub.add_parser(
        "create-user", help="create a user (password from GRIDDESK_PASSWORD or a prompt)"
    )
    _common_options(user)
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
    _common_options(password)
    password.add_argument("--username", required=True)
    code = sub.add_parser(
        "desk-code",
        help="reserve the next free desk code of a street for a desk installed without "
        "network, and print it (type it into that desk's first-start wizard)",
    )
    _common_options(code)
    code.add_argument("--street", required=True, help="the street's 9-digit code")
    code.add_argument("--name", default="", help="which desk it is for, e.g. a room or a PC")
    for command, text in (
        ("disable-user", "stop a user from logging in; ends their tokens"),
        ("enable-user", "let a disabled user log in again"),
        ("revoke-tokens", "end every token of a user (a lost or stolen desk)"),
    ):
        one = sub.add_parser(command, help=text)
        _common_options(one)
        one.add_argument("--username", required=True)

    demo = sub.add_parser("seed-demo", help="load the demo district (as the demo desktop has it)")
    _common_options(demo)
    demo.add_argument(
        "--cases",
        type=int,
        default=DEFAULT_CASES,
        help=f"as many as the demo desktop ({DEFAULT_CASES})",
    )
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the history ends at 00:00 (Beijing) of that day (default: today)",
    )
    bulletin = sub.add_parser(
        "export-bulletin",
        help="write the half-monthly bulletin workbook (半月通报) of the county or one of its "
        "units, from every street's data",
    )
    _common_options(bulletin)
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
    db = _open_db(args.db)
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
    if not 0 < args.port < 65536 or args.workers < 1:
        print("--port must be from 1 to 65535 and --workers 1 or more", file=sys.stderr)
        return 2
    if bool(args.ssl_keyfile) != bool(args.ssl_certfile):
        print("--ssl-keyfile and --ssl-certfile go together", file=sys.stderr)
        return 2
    for option, file in (
        ("--ssl-keyfile", args.ssl_keyfile),
        ("--ssl-certfile", args.ssl_certfile),
    ):
        if file and not Path(file).is_file():
            print(f"{option}: there is no file {file}", file=sys.stderr)
            return 2
    from .blobs import BLOB_ROOT_ENV, default_blob_root

    _parsed_url(args.db)  # a URL at all, before it is taken apart for the blob folder
    blob_root = args.blob_root or os.environ.get(BLOB_ROOT_ENV) or default_blob_root(args.db)
    if not blob_root:
        print(
            "--blob-root DIR (or GRIDDESK_BLOB_ROOT) is required with this database: "
            "the folder where attachment files are kept",
            file=sys.stderr,
        )
        return 2
    _open_db(args.db).dispose()  # migrate once, before the workers start (and before blobs/)
    blob_root = Path(blob_root).resolve()
    try:
        blob_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"--blob-root: cannot use {blob_root}: {exc}", file=sys.stderr)
        return 2
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


def _parsed_url(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except ArgumentError:
        raise CommandFailed(
            f"--db {url!r} is not a database URL: write sqlite:////path/county.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from None


def _open_db(url: str) -> Database:
    """The server's database, migrated; CommandFailed saying what to fix when it cannot be."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.db import DatabaseProblem

    from .db import open_server_db

    parsed = _parsed_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(str(parsed.database))
        if not file.parent.is_dir():
            raise CommandFailed(
                f"the folder {file.parent} of the database {shown} does not exist: create it "
                "first, or give another --db"
            )
        if file.is_dir():
            raise CommandFailed(f"--db names the folder {file}: name the database file in it")
    try:
        return open_server_db(url)
    except DatabaseProblem as problem:
        raise CommandFailed(
            f"the database {shown} cannot be used ({problem.code}): {problem.detail}",
            EXIT_DATABASE,
        ) from None
    except (SQLAlchemyError, ImportError, OSError) as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        raise CommandFailed(
            f"the database {shown} cannot be opened: {reason}", EXIT_DATABASE
        ) from None


def _read_reference(file: Path) -> dict[str, Any]:
    """The reference file's JSON object, or CommandFailed naming what is wrong with it."""
    from services.protocol.reference import FILE_KEYS

    keys = ", ".join(key for key, _kind in FILE_KEYS)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandFailed(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{file} is not UTF-8 text; save it as UTF-8 JSON") from None
    try:
        reference = json.loads(text)
    except ValueError as exc:
        raise CommandFailed(
            f"{file} is not valid JSON ({exc}); the format is in {REFERENCE_DOC}"
        ) from None
    if not isinstance(reference, dict):
        kind = type(reference).__name__.replace("dict", "object").replace("list", "a list")
        raise CommandFailed(
            f"{file} is not a reference file: it holds {kind}, and a reference file is one "
            f"JSON object with lists under the keys {keys} ({REFERENCE_DOC})"
        )
    known = {key for key, _kind in FILE_KEYS}
    unknown = sorted(set(reference) - known)
    if unknown:
        raise CommandFailed(
            f"{file}: unknown key(s) {', '.join(unknown)}; a reference file has {keys} "
            f"({REFERENCE_DOC})"
        )
    for key in known & set(reference):
        items = reference[key]
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(i, dict) for i in items)
        ):
            raise CommandFailed(f"{file}: {key} must be a list of JSON objects ({REFERENCE_DOC})")
    return reference


def _load_reference(db: Database, file: Path) -> int:
    from sqlalchemy.exc import IntegrityError

    from services.errors import DomainError

    from . import admin

    reference = _read_reference(file)
    try:
        return admin.load_reference_file(db, reference)
    except DomainError as exc:
        raise CommandFailed(f"{file}: {exc} ({REFERENCE_DOC})") from None
    except IntegrityError as exc:
        reason = " ".join(str(exc.orig).split())[:200]
        raise CommandFailed(
            f"{file} names a parent, unit or department that is neither in the file nor in "
            f"the database ({reason}); nothing was loaded"
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandFailed(
            f"{file} has an entry that is not valid ({type(exc).__name__}: {exc}); nothing "
            f"was loaded ({REFERENCE_DOC})"
        ) from None


def _password(prompt: str) -> str:
    password = os.environ.get("GRIDDESK_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise CommandFailed("set the password in the environment variable GRIDDESK_PASSWORD")
    try:
        password = getpass.getpass(prompt)
    except EOFError:
        password = ""
    if not password:
        raise CommandFailed("no password given")
    return password


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return _dispatch(args)
    except CommandFailed as failed:
        print(f"{args.command}: {failed}", file=sys.stderr)
        return failed.code
    except KeyboardInterrupt:
        print("stopped (Ctrl+C)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the command boundary: never a traceback
        if args.verbose:
            log.exception("%s failed", args.command)
        print(
            f"{args.command} failed unexpectedly: {type(exc).__name__}: {str(exc)[:300]}. "
            "This is a fault in the county server; run it again with --verbose to see the "
            "details and report them.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "export-bulletin":
        return _export_bulletin(args)

    from services.errors import DomainError

    from . import admin

    if args.command == "load-reference":
        _read_reference(args.file)  # before the database: a wrong file is said at once
    elif args.command in ("create-user", "set-password"):
        args.password = _password(
            "password: " if args.command == "create-user" else "new password: "
        )
    db = _open_db(args.db)
    try:
        if args.command == "load-reference":
            changed = _load_reference(db, args.file)
            print(f"reference loaded from {args.file}: {changed} items changed")
        elif args.command == "create-user":
            user = admin.create_user(
                db,
                username=args.username,
                password=args.password,
                display_name=args.name,
                role=args.role,
                org_unit_id=args.org_unit,
                department_id=args.department,
                grid_ids=args.grid,
            )
            print(f"user {user.username} created ({user.id})")
        elif args.command == "set-password":
            ended = admin.set_password(db, username=args.username, password=args.password)
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
        return EXIT_USAGE
    finally:
        db.dispose()
    return EXIT_OK
