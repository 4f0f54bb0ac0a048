"""The commands of main.py that need no window: seed-demo, screenshot, and how
every command refuses a database it cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import func, select

from desktop.cli import main
from models.db import open_database
from models.tables import Case, User

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _office_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """No English LANG, as on an office PC: the commands speak Chinese (desktop/cli_text.py)."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_seed_demo_command_builds_the_district(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["seed-demo", "--data-dir", str(tmp_path), "--cases", "120"]) == 0
    assert "、120 件案件、" in capsys.readouterr().out
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
    assert "用户 dept_huanwei 没有界面 'nowhere'；可用的界面：queue" in capsys.readouterr().err


# --- one way to open the database: desktop/commands/common.py ---------------------

COMMANDS_ON_A_DATABASE = [
    ["export-bulletin", "--period", "last", "--out", "{tmp}/b.xlsx"],
    ["purge-personal-data"],
    ["seed-demo", "--cases", "1"],
    ["sync"],
]


def _command(words: list[str], data_dir: Path, tmp_path: Path) -> list[str]:
    return [w.replace("{tmp}", str(tmp_path)) for w in words[:1]] + [
        "--data-dir",
        str(data_dir),
        *(w.replace("{tmp}", str(tmp_path)) for w in words[1:]),
    ]


@pytest.mark.parametrize("words", COMMANDS_ON_A_DATABASE, ids=lambda w: w[0])
def test_a_damaged_database_is_refused_in_chinese_and_left_as_it_was(
    words: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    damaged = b"this is no SQLite file " * 200
    (data_dir / "griddesk.sqlite3").write_bytes(damaged)
    with pytest.raises(SystemExit) as exited:
        main(_command(words, data_dir, tmp_path))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"数据库 {data_dir / 'griddesk.sqlite3'} 已损坏" in err
    assert "is damaged" not in err  # the person's language, Chinese by default
    assert (data_dir / "griddesk.sqlite3").read_bytes() == damaged
    assert sorted(p.name for p in data_dir.iterdir()) == ["griddesk.sqlite3"]
    assert not (tmp_path / "b.xlsx").exists()


@pytest.mark.parametrize("words", [w for w in COMMANDS_ON_A_DATABASE if w[0] != "seed-demo"])
def test_a_folder_without_a_database_gets_none(words: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "empty"
    data_dir.mkdir()
    with pytest.raises(SystemExit) as exited:
        main(_command(words, data_dir, tmp_path))
    assert exited.value.code == 2
    assert f"{data_dir} 中没有网格工作台数据库" in capsys.readouterr().err
    assert list(data_dir.iterdir()) == []


def test_sync_makes_a_new_desk_only_when_asked(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A mistyped folder is refused; ``--create`` makes the folder and the database."""
    missing = tmp_path / "no-such-folder"
    with pytest.raises(SystemExit) as exited:
        main(["sync", "--data-dir", str(missing), "--server", "http://127.0.0.1:9"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"{missing} 中没有网格工作台数据库" in err
    assert "请加 --create" in err
    assert not missing.exists()
    # With --create the desk is made (and the address kept), then the round is tried.
    assert (
        main(["sync", "--data-dir", str(missing), "--create", "--server", "http://127.0.0.1:9"])
        == 4  # nobody logged in to the county here yet
    )
    assert (missing / "griddesk.sqlite3").exists()
    assert "本工作台没有人登录 http://127.0.0.1:9" in capsys.readouterr().err
    # From now on the folder is a desk: no --create needed.
    assert main(["sync", "--data-dir", str(missing)]) == 4
