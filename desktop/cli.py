"""The command line: ``python main.py [--demo] [--data-dir DIR]`` starts the GUI;
sub-commands (``desktop/commands/``) do work without a window."""

from __future__ import annotations

import argparse
from pathlib import Path

from .commands import command_modules


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
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP)
        command.add_argument(
            "--data-dir", type=Path, dest="cmd_data_dir", required=module.NAME != "help"
        )
        command.set_defaults(module=module)
        module.add_arguments(command)
    return parser


def resolve_data_dir(args: argparse.Namespace) -> Path:
    from .app import set_identity
    from .paths import default_data_dir, demo_data_dir

    explicit = getattr(args, "cmd_data_dir", None) or args.data_dir
    if explicit is not None:
        return Path(explicit).expanduser().resolve()
    set_identity()
    return demo_data_dir() if args.demo else default_data_dir()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.data_dir = resolve_data_dir(args)
    if args.command:
        return int(args.module.run(args))
    from .app import run_gui

    return run_gui(args.data_dir, demo=args.demo, verbose=args.verbose)
