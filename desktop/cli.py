"""The command line: ``python main.py [--demo] [--data-dir DIR]`` starts the GUI;
sub-commands do the same work without a window (seed the demo district, take a
screenshot of a screen …)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="griddesk", description="GridDesk (网格工作台)")
    parser.add_argument(
        "--data-dir", type=Path, help="data folder (default: the per-user data folder)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="start on the demo district in its own folder"
    )
    parser.add_argument("--verbose", action="store_true", help="log to the console too")
    sub = parser.add_subparsers(dest="command")

    seed = sub.add_parser("seed-demo", help="create the demo district with N cases")
    seed.add_argument("--data-dir", type=Path, required=True, dest="cmd_data_dir")
    seed.add_argument("--cases", type=int, default=2000)
    seed.add_argument("--seed", type=int, default=2026)

    shot = sub.add_parser("screenshot", help="log in, render a screen offscreen and save it as PNG")
    shot.add_argument("--data-dir", type=Path, required=True, dest="cmd_data_dir")
    shot.add_argument("--user", required=True)
    shot.add_argument("--view", required=True, help="reception|queue|map|reports|sync|settings")
    shot.add_argument("--out", type=Path, required=True)
    shot.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")
    return parser


def _data_dir(args: argparse.Namespace) -> Path:
    from .app import set_identity
    from .paths import default_data_dir, demo_data_dir

    explicit = getattr(args, "cmd_data_dir", None) or args.data_dir
    if explicit is not None:
        return Path(explicit).expanduser().resolve()
    set_identity()
    return demo_data_dir() if args.demo else default_data_dir()


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from models.db import DatabaseProblem, open_database
    from services.demo import seed_demo
    from services.errors import DomainError

    if args.cases < 0:
        print("--cases must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    data_dir = _data_dir(args)
    try:
        db = open_database(data_dir)
    except DatabaseProblem as problem:
        print(f"cannot use the database: {problem}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            last[0] = now
            print(f"  {done:>9,} / {total:,} cases  ({now - started:.0f} s)", flush=True)

    try:
        summary = seed_demo(db, cases=args.cases, seed=args.seed, progress=progress)
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.dispose()
    print(
        f"demo district in {data_dir}: {summary.org_units} org units, {summary.departments} departments, "
        f"{summary.users} users, {summary.cases:,} cases, {summary.events:,} events, {summary.visits:,} visits "
        f"in {summary.seconds:.1f} s"
    )
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    from .screenshot import take_screenshot

    password = os.environ.get("GRIDDESK_PASSWORD")
    if not password:
        print("set the password in the environment variable GRIDDESK_PASSWORD", file=sys.stderr)
        return EXIT_USAGE
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print("--size must look like 1400x900", file=sys.stderr)
        return EXIT_USAGE
    return take_screenshot(
        _data_dir(args), args.user, password, args.view, args.out, (width, height)
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "seed-demo":
        return cmd_seed_demo(args)
    if args.command == "screenshot":
        return cmd_screenshot(args)
    from .app import run_gui

    return run_gui(_data_dir(args), demo=args.demo, verbose=args.verbose)
