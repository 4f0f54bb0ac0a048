"""The commands of main.py that need no window: seed-demo and screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import func, select

from desktop.cli import main
from models.db import open_database
from models.tables import Case, User

pytestmark = pytest.mark.gui


def test_seed_demo_command_builds_the_district(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["seed-demo", "--data-dir", str(tmp_path), "--cases", "120"]) == 0
    assert "120 cases" in capsys.readouterr().out
    db = open_database(tmp_path)
    try:
        with db.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Case)) == 120
            assert (
                session.scalar(
                    select(func.count()).select_from(User).where(User.username == "reception")
                )
                == 1
            )
    finally:
        db.dispose()
    # Seeding again would mix two districts: refused, data kept.
    assert main(["seed-demo", "--data-dir", str(tmp_path), "--cases", "10"]) == 2


def test_screenshot_logs_in_and_saves_the_queue(
    demo_dir: Path, tmp_path: Path, monkeypatch, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "queue.png"
    monkeypatch.setenv("GRIDDESK_PASSWORD", "griddesk-demo")
    assert (
        main(
            [
                "screenshot",
                "--data-dir",
                str(demo_dir),
                "--user",
                "coordinator",
                "--view",
                "queue",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    assert len({image.pixel(x, 300) for x in range(0, 1400, 7)}) > 3  # not a blank picture


def test_screenshot_refuses_a_wrong_password(
    demo_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRIDDESK_PASSWORD", "not-it")
    out = tmp_path / "x.png"
    assert (
        main(
            [
                "screenshot",
                "--data-dir",
                str(demo_dir),
                "--user",
                "coordinator",
                "--view",
                "queue",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert not out.exists()


def test_screenshot_needs_the_password_in_the_environment(
    demo_dir: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GRIDDESK_PASSWORD", raising=False)
    assert (
        main(
            [
                "screenshot",
                "--data-dir",
                str(demo_dir),
                "--user",
                "coordinator",
                "--view",
                "queue",
                "--out",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )


def test_screenshot_of_a_screen_the_role_lacks(
    demo_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRIDDESK_PASSWORD", "griddesk-demo")
    assert (
        main(
            [
                "screenshot",
                "--data-dir",
                str(demo_dir),
                "--user",
                "dept_huanwei",
                "--view",
                "nowhere",
                "--out",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )
    assert "not available" in capsys.readouterr().err
