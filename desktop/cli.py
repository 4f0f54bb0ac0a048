"""The command line: ``python main.py [--demo] [--data-dir DIR]`` starts the GUI;
sub-commands (``desktop/commands/``) do work without a window.

Every text is in the person's language (desktop/cli_text.py); the global
options (``--data-dir``, ``--lang``, ``--verbose``, ``--demo``) may stand before
or after the sub-command; a mistake on the command line, in a file or in the
data folder ends with a message and an exit code from ``cli_text.EXIT_CODES``,
never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path

from .cli_text import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    HelpFormatter,
    choose_language,
    exit_code_table,
    normalise,
    speaking,
    translate,
)
from .commands import command_modules

log = logging.getLogger(__name__)

PROG = "main.py"
NO_DATA_DIR = {"help"}  # commands that need no data folder


def _language(value: str) -> str:
    lang = normalise(value)
    if lang is None:
        raise argparse.ArgumentTypeError(
            translate("cli", "{value!r} is not a language here: use zh or en").format(value=value)
        )
    return lang


def _global_options(parser: argparse.ArgumentParser, *, after: bool) -> None:
    """The options every command takes; after the sub-command they only override."""
    hidden = {"default": argparse.SUPPRESS} if after else {}
    group = parser.add_argument_group(translate("cli", "global options"))
    group.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=translate("cli", "the data folder (the window's default: the per-user data folder)"),
        **hidden,  # type: ignore[arg-type]
    )
    group.add_argument(
        "--lang",
        type=_language,
        metavar="zh|en",
        help=translate(
            "cli", "language of the messages (default: Chinese; English when LANG is en_…)"
        ),
        **hidden,  # type: ignore[arg-type]
    )
    group.add_argument(
        "--verbose",
        action="store_true",
        help=translate("cli", "log to the console too, and show the details of an internal error"),
        **hidden,  # type: ignore[arg-type]
    )
    if not after:
        group.add_argument(
            "--demo",
            action="store_true",
            help=translate("cli", "start the window on the demo district in its own folder"),
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=translate(
            "cli",
            "GridDesk (网格工作台). Without a command it opens the window; the commands below "
            "work without one (for clerks and scheduled tasks). In the source folder run them "
            "with .venv/bin/python main.py … (Windows: .venv\\Scripts\\python main.py …).",
        ),
        epilog="\n\n".join(
            [
                "\n".join(
                    [
                        translate("cli", "Examples:"),
                        "  main.py seed-demo --data-dir demo --cases 300",
                        "  main.py --data-dir D:\\griddesk sync --server http://county.example:8765",
                        "  main.py export-bulletin --data-dir D:\\griddesk --period last "
                        "--out 通报.xlsx",
                        "  main.py sync --help",
                    ]
                ),
                exit_code_table(),
            ]
        ),
        formatter_class=HelpFormatter,
    )
    _global_options(parser, after=False)
    sub = parser.add_subparsers(
        dest="command", title=translate("cli", "commands"), metavar="COMMAND"
    )
    for module in command_modules():
        help_text = translate("cli", module.HELP)
        epilog = [exit_code_table()]
        if getattr(module, "EXAMPLES", None):
            lines = [translate("cli", "Examples:")]
            lines += [f"  {PROG} {line}" for line in module.EXAMPLES]
            epilog.insert(0, "\n".join(lines))
        command = sub.add_parser(
            module.NAME,
            help=help_text,
            description=translate("cli", getattr(module, "DESCRIPTION", module.HELP)),
            epilog="\n\n".join(epilog),
            formatter_class=HelpFormatter,
        )
        command.set_defaults(module=module)
        module.add_arguments(command)
        _global_options(command, after=True)
    return parser


def resolve_data_dir(args: argparse.Namespace) -> Path:
    from .app import set_identity
    from .paths import default_data_dir, demo_data_dir

    explicit = args.data_dir
    if explicit is not None:
        return Path(explicit).expanduser().resolve()
    set_identity()
    return demo_data_dir() if args.demo else default_data_dir()


def main(argv: list[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    with speaking(choose_language(words)):
        parser = _parser()
        args = parser.parse_args(words)
        if args.command and args.command not in NO_DATA_DIR and args.data_dir is None:
            parser.error(
                translate(
                    "cli",
                    "{command} needs --data-dir FOLDER: the desk's data folder "
                    "(before or after the command)",
                ).format(command=args.command)
            )
        args.data_dir = resolve_data_dir(args)
        if args.command:
            return _run(args)
    from .app import run_gui

    return run_gui(args.data_dir, demo=args.demo, verbose=args.verbose)


def _run(args: argparse.Namespace) -> int:
    """Run a command: its own exit code, or a message and a code from the table, never a traceback."""
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    try:
        return int(args.module.run(args))
    except KeyboardInterrupt:
        print(translate("cli", "stopped (Ctrl+C)"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        log.exception("command %s failed", args.command)
        name = exc.filename if exc.filename is not None else ""
        print(
            translate("cli", "{command}: cannot use {path}: {reason}").format(
                command=args.command, path=name, reason=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the command boundary: never a traceback
        log.exception("command %s failed", args.command)
        from .commands.common import database_problem_of

        problem = database_problem_of(exc, args.data_dir)
        if problem is not None:
            print(problem, file=sys.stderr)
            return EXIT_USAGE
        print(
            translate(
                "cli",
                "{command} failed unexpectedly: {error}. This is a fault in GridDesk; "
                "run it again with --verbose to see the details and report them.",
            ).format(command=args.command, error=f"{type(exc).__name__}: {str(exc)[:300]}"),
            file=sys.stderr,
        )
        if args.verbose:
            traceback.print_exc()
        return EXIT_INTERNAL
