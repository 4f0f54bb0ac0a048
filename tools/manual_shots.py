"""Regenerate every screenshot of the clerk's manual (docs/manual/img/).

    .venv/bin/python tools/manual_shots.py [--keep DIR]

Seeds the demo district into a fresh folder (``main.py seed-demo``), renders
each screen as the role it is written for with ``main.py screenshot`` (the
same command anyone can run, logging in as a person would), and renders the
few pictures that show a selected case, the manual window and the About box
in this process. Every PNG is 1366×768 (the design size of the office PCs)
unless the window refuses to get that small, and is reduced to a 256-colour
palette with Pillow so the repository stays small.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMG = ROOT / "docs" / "manual" / "img"
SIZE = (1366, 768)
PASSWORD = "griddesk-demo"  # the demo district's password (services.demo.district)

# file name → (username, screen) rendered by ``main.py screenshot``.
SCREENS: dict[str, tuple[str, str]] = {
    "reception-form.png": ("reception", "reception"),
    "reception-queue.png": ("reception", "queue"),
    "coordinator-queue.png": ("coordinator", "queue"),
    "coordinator-sync.png": ("coordinator", "sync"),
    "coordinator-map.png": ("coordinator", "map"),
    "department-queue.png": ("dept_gongan", "queue"),
    "grid-worker-queue.png": ("gw_1", "queue"),
    "official-reports.png": ("official", "reports"),
    "official-map.png": ("official", "map"),
    "admin-settings.png": ("admin", "settings"),
    "admin-sync.png": ("admin", "sync"),
}

# file name → (username, case state, assignee) shown selected in the queue, in-process.
SELECTED: dict[str, tuple[str, str, str | None]] = {
    "coordinator-verify.png": ("coordinator", "handled", None),
    "department-sign.png": ("dept_gongan", "dispatched", "dept_gongan"),
}


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} ended with {done.returncode}:\n{done.stdout}{done.stderr}"
        )


def shrink(path: Path) -> None:
    """A 256-colour palette PNG: screenshots are flat colours and text, so this is ~4× smaller."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def screenshots(data_dir: Path, env: dict[str, str]) -> list[Path]:
    size = f"{SIZE[0]}x{SIZE[1]}"

    def one(item: tuple[str, tuple[str, str]]) -> Path:
        name, (user, view) = item
        out = IMG / name
        command = [sys.executable, "main.py", "screenshot", "--data-dir", str(data_dir)]
        run(command + ["--user", user, "--view", view, "--out", str(out), "--size", size], env)
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:  # each is a process of its own
        return list(pool.map(one, SCREENS.items()))


def case_number(data_dir: Path, state: str, assignee: str | None) -> str:
    with sqlite3.connect(data_dir / "griddesk.sqlite3") as con:
        query = "SELECT id FROM cases WHERE state = ? AND number LIKE '990101001-%'"
        args: list[str] = [state]
        if assignee is not None:
            query += " AND assignee_id = ?"
            args.append(assignee)
        row = con.execute(query + " ORDER BY number LIMIT 1", args).fetchone()
    if row is None:
        raise SystemExit(f"the demo district has no case in state {state} for {assignee}")
    return str(row[0])


def in_process(data_dir: Path) -> list[Path]:
    """A selected case in the queue, the manual window (F1) and the About box."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QDeadlineTimer, QThreadPool
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.about import AboutDialog
    from desktop.app import create_application
    from desktop.app_settings import Preferences
    from desktop.commands.common import open_db_or_exit
    from desktop.context import AppContext
    from desktop.logging_setup import current_log_file, setup_logging
    from desktop.main_window import MainWindow
    from services.accounts.auth import login

    app = create_application()
    setup_logging(data_dir)
    db = open_db_or_exit(data_dir)

    def settle() -> None:
        for _ in range(10):
            QThreadPool.globalInstance().waitForDone(QDeadlineTimer(30_000))
            app.processEvents()
            QTest.qWait(40)

    def save(widget: QWidget, name: str) -> Path:
        out = IMG / name
        if not widget.grab().save(str(out)):
            raise SystemExit(f"could not write {out}")
        return out

    def window(username: str) -> MainWindow:
        user = login(db, username, PASSWORD)
        ctx = AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences(), demo=True)
        main = MainWindow(ctx)
        main.resize(*SIZE)
        main.show()
        settle()
        return main

    made: list[Path] = []
    try:
        for name, (username, state, assignee) in SELECTED.items():
            main = window(username)
            queue = main.show_screen("queue")
            ready = getattr(queue, "wait_until_ready", None)
            if callable(ready):
                ready()
            main.open_case(case_number(data_dir, state, assignee))
            settle()
            made.append(save(main, name))
            main.close()

        main = window("coordinator")
        main.show_screen("queue")
        settle()
        manual = main.show_manual()
        manual.resize(*SIZE)
        manual.open_page(*manual_target(main))
        settle()
        made.append(save(manual, "help-window.png"))
        manual.close()

        about = AboutDialog(data_dir, current_log_file(), main)
        about.show()
        settle()
        made.append(save(about, "about.png"))
        about.close()
        main.close()
        QApplication.processEvents()
    finally:
        db.dispose()
    return made


def manual_target(main: object) -> tuple[str, str | None]:
    from desktop.manual import help_target

    return help_target(main.ctx.user.role, main.current_screen_key())  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep", type=Path, help="seed the demo here and keep it (else a temp dir)"
    )
    args = parser.parse_args()
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", GRIDDESK_PASSWORD=PASSWORD, LANG="zh_CN.UTF-8"
    )
    env.pop("GRIDDESK_LANG", None)
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="griddesk-manual-") as tmp:
        data_dir = args.keep if args.keep is not None else Path(tmp) / "demo"
        if not (data_dir / "griddesk.sqlite3").exists():
            seed = [sys.executable, "main.py", "seed-demo", "--data-dir", str(data_dir)]
            run(seed + ["--cases", "300"], env)
        made = screenshots(data_dir, env)
        os.environ.update(env)
        made += in_process(data_dir)
    for path in made:
        shrink(path)
        print(path.relative_to(ROOT))
    total = sum(p.stat().st_size for p in IMG.glob("*.png"))
    print(f"{len(made)} screenshots, {total / 1024:.0f} KiB in {IMG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
