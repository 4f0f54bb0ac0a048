"""``screenshot --data-dir DIR --user NAME --view VIEW --out FILE.png`` (password
from ``GRIDDESK_PASSWORD``): log in, render one screen offscreen, save it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "screenshot"
HELP = "log in, render a screen offscreen and save it as PNG"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True)
    parser.add_argument("--view", required=True, help="reception|queue|map|reports|sync|settings")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")


def run(args: argparse.Namespace) -> int:
    from ..screenshot import take_screenshot

    password = os.environ.get("GRIDDESK_PASSWORD")
    if not password:
        print("set the password in the environment variable GRIDDESK_PASSWORD", file=sys.stderr)
        return 2
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print("--size must look like 1400x900", file=sys.stderr)
        return 2
    return take_screenshot(args.data_dir, args.user, password, args.view, args.out, (width, height))
