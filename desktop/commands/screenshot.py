"""``screenshot --data-dir DIR --user NAME --view VIEW --out FILE.png`` (password
from ``GRIDDESK_PASSWORD``): log in, render one screen offscreen, save it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from services.i18n import QT_TRANSLATE_NOOP

from ..cli_text import EXIT_USAGE, translate

NAME = "screenshot"
HELP = QT_TRANSLATE_NOOP("cli", "log in, render a screen offscreen and save it as PNG")
EXAMPLES = (
    "screenshot --data-dir demo --user coordinator --view queue --out queue.png",
    "screenshot --data-dir demo --user reception --view reception --out r.png --size 1366x768",
)
VIEWS = ("reception", "queue", "map", "reports", "sync", "settings")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help=translate("cli", "who logs in (password from GRIDDESK_PASSWORD)"),
    )
    parser.add_argument("--view", required=True, help="|".join(VIEWS), metavar="SCREEN")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.png",
        help=translate("cli", "the PNG to write"),
    )
    parser.add_argument(
        "--size",
        default="1400x900",
        help=translate("cli", "window size, WIDTHxHEIGHT (default 1400x900)"),
    )


def run(args: argparse.Namespace) -> int:
    from ..screenshot import take_screenshot

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        if not (200 <= width <= 10000 and 200 <= height <= 10000):
            raise ValueError(args.size)
    except ValueError:
        print(
            translate("cli", "--size must look like 1366x768 (each from 200 to 10000)"),
            file=sys.stderr,
        )
        return EXIT_USAGE
    password = os.environ.get("GRIDDESK_PASSWORD")
    if not password:
        print(
            translate("cli", "set the password in the environment variable GRIDDESK_PASSWORD"),
            file=sys.stderr,
        )
        return EXIT_USAGE
    return take_screenshot(args.data_dir, args.user, password, args.view, args.out, (width, height))
