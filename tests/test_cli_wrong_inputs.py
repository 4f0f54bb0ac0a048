"""Every command of ``main.py`` and of ``python -m county_server`` given the
mistakes a person makes: each ends with a message and an exit code from the
documented table (README.md, ``--help``), never a traceback."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from county_server.cli import EXIT_CODES as COUNTY_EXIT_CODES
from county_server.cli import main as county_main
from desktop.cli import main as desk_main
from desktop.cli_text import EXIT_CODES as DESK_EXIT_CODES
from tests.sync_harness import free_port

ROOT = Path(__file__).resolve().parent.parent
DESK_CODES = {code for code, _text in DESK_EXIT_CODES}
COUNTY_CODES = {code for code, _text in COUNTY_EXIT_CODES}


@pytest.fixture(autouse=True)
def _chinese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The locale an office PC has: no English LANG, so the desk's commands speak Chinese."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("GRIDDESK_PASSWORD", raising=False)


def _run(main: Callable[[list[str]], int], argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exited:  # argparse, and a database that cannot be used
        return int(exited.code or 0)


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    not_json = tmp_path / "reference.json"
    not_json.write_text("org_units: [1, 2", encoding="utf-8")
    return {
        "file": str(a_file),
        "missing": str(tmp_path / "no-such-folder"),
        "tmp": str(tmp_path),
        "not_json": str(not_json),
        "closed": f"127.0.0.1:{free_port()}",  # nothing listens there
    }


# (argv, exit code, words the message must contain); {file}, {missing} … from ``places``.
DESK_CASES = [
    ([], None, ""),  # the GUI: not run here
    (["no-such-command"], 2, "无效的选择"),
    (["sync"], 2, "需要 --data-dir"),
    (["export-bulletin"], 2, "需要 --data-dir"),
    (["purge-personal-data"], 2, "需要 --data-dir"),
    (["screenshot", "--data-dir", "{tmp}"], 2, "缺少以下必需参数"),
    (["seed-demo"], 2, "需要 --data-dir"),
    (["sync", "--data-dir", "{file}"], 2, "是文件而不是文件夹"),
    (
        ["--data-dir", "{file}", "export-bulletin", "--period", "last", "--out", "x.xlsx"],
        2,
        "是文件而不是文件夹",
    ),
    (["purge-personal-data", "--data-dir", "{file}"], 2, "是文件而不是文件夹"),
    (["seed-demo", "--data-dir", "{file}"], 2, "是文件而不是文件夹"),
    (["sync", "--data-dir", "{missing}"], 2, "--create"),
    (["--data-dir", "{missing}", "purge-personal-data"], 2, "中没有网格工作台数据库"),
    (["export-bulletin", "--data-dir", "{missing}", "--list-units"], 2, "中没有网格工作台数据库"),
    (
        ["export-bulletin", "--data-dir", "{missing}", "--period", "last"],
        2,
        "需要 --period 和 --out",
    ),
    (["export-bulletin", "--data-dir", "{tmp}", "--period", "x", "--out", "a.xlsx"], 2, "x"),
    (
        [
            "export-bulletin",
            "--data-dir",
            "{tmp}",
            "--period",
            "last",
            "--out",
            "a.txt",
            "--format",
            "pdf",
        ],
        2,
        ".pdf",
    ),
    (["export-bulletin", "--data-dir", "{tmp}", "--format", "odt"], 2, "无效的选择"),
    (["seed-demo", "--data-dir", "{missing}", "--cases", "-1"], 2, "不是大于等于 0 的整数"),
    (["seed-demo", "--data-dir", "{missing}", "--today", "yesterday"], 2, "不是日期"),
    (["sync", "--data-dir", "{missing}", "--timeout", "soon"], 2, "秒数"),
    (["sync", "--data-dir", "{missing}", "--user", "zhangsan"], 2, "GRIDDESK_PASSWORD"),
    (["sync", "--lang", "fr", "--data-dir", "{missing}"], 2, "不是可用的语言"),
    (
        [
            "sync",
            "--data-dir",
            "{missing}",
            "--create",
            "--server",
            "{closed}",
            "--user",
            "coordinator",
        ],
        3,
        "没有响应",
    ),
    (["sync", "--data-dir", "{missing}", "--create", "--server", "ftp://x"], 2, "服务器地址"),
    (
        [
            "screenshot",
            "--data-dir",
            "{missing}",
            "--user",
            "a",
            "--view",
            "queue",
            "--out",
            "a.png",
        ],
        2,
        "GRIDDESK_PASSWORD",
    ),
    (
        [
            "screenshot",
            "--data-dir",
            "{tmp}",
            "--user",
            "a",
            "--view",
            "q",
            "--out",
            "a.png",
            "--size",
            "big",
        ],
        2,
        "1366x768",
    ),
]


@pytest.mark.parametrize(("argv", "code", "words"), DESK_CASES[1:], ids=lambda v: str(v)[:60])
def test_desk_commands_refuse_mistakes_with_a_message_and_a_documented_code(
    argv: list[str],
    code: int,
    words: str,
    places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "{closed}" in argv:  # a login that has to reach the server
        monkeypatch.setenv("GRIDDESK_PASSWORD", "griddesk-demo")
    argv = [w.format(**places) for w in argv]
    got = _run(desk_main, argv)
    said = _said(capsys)
    assert got == code, said
    assert got in DESK_CODES
    assert words.format(**places) in said, said
    assert "Traceback" not in said


def test_every_desk_command_is_in_the_wrong_input_table() -> None:
    from desktop.commands import command_modules

    tried = {argv[0] for argv, _code, _words in DESK_CASES if argv and not argv[0].startswith("-")}
    tried |= {argv[2] for argv, _code, _words in DESK_CASES if argv[:1] == ["--data-dir"]}
    assert {m.NAME for m in command_modules()} <= tried


def test_a_server_address_without_scheme_is_taken_as_http_with_a_note(
    places: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = places["missing"]
    closed = places["closed"]
    monkeypatch.setenv("GRIDDESK_PASSWORD", "griddesk-demo")
    argv = ["sync", "--data-dir", folder, "--create", "--server", closed, "--user", "coordinator"]
    assert _run(desk_main, argv) == 3
    said = _said(capsys)
    assert f"注意：{closed} 没有写 http:// 或 https://，按 http://{closed} 处理" in said
    from models.db import open_database
    from services import settings as settings_service

    db = open_database(Path(folder))
    try:
        with db.sessions() as session:
            assert settings_service.get(session, "device.server_url") == f"http://{closed}"
    finally:
        db.dispose()


def test_english_with_lang_or_the_flag(
    places: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = places["missing"]
    assert _run(desk_main, ["--lang", "en", "purge-personal-data", "--data-dir", missing]) == 2
    assert f"no GridDesk database in {missing}" in _said(capsys)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert _run(desk_main, ["purge-personal-data", "--data-dir", missing]) == 2
    assert f"no GridDesk database in {missing}" in _said(capsys)
    assert _run(desk_main, ["purge-personal-data", "--data-dir", missing, "--lang", "zh"]) == 2
    assert f"{missing} 中没有网格工作台数据库" in _said(capsys)


def test_help_is_chinese_with_examples_and_the_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.cli_text import display_width
    from desktop.commands import command_modules

    monkeypatch.setenv("COLUMNS", "80")

    assert _run(desk_main, ["--help"]) == 0
    said = _said(capsys)
    assert said.startswith("用法：main.py")
    assert "示例：" in said and "退出码：" in said
    for code, _text in DESK_EXIT_CODES:
        assert re.search(rf"^  {code}\s+\S", said, re.M), code
    for module in command_modules():
        assert _run(desk_main, [module.NAME, "--help"]) == 0
        said = _said(capsys)
        assert said.startswith(f"用法：main.py {module.NAME}"), said[:80]
        assert f"  main.py {module.NAME} " in said  # its examples
        assert "退出码：" in said and "--data-dir DIR" in said
        wide = [
            line
            for line in said.splitlines()
            if display_width(line) > 80 and not line.startswith(f"  main.py {module.NAME} ")
        ]
        assert wide == []  # Chinese wrapped by terminal columns, not by characters


def test_readme_documents_the_exit_codes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, text in DESK_EXIT_CODES:
        assert re.search(rf"^\| {code} \| {re.escape(text)} \|", readme, re.M), code
    county = (ROOT / "county_server" / "README.md").read_text(encoding="utf-8")
    for code, text in COUNTY_EXIT_CODES:
        assert re.search(rf"^\| {code} \| {re.escape(text)} \|", county, re.M), code


# ---------------------------------------------------------------- the county server

COUNTY_CASES = [
    ([], 2, "the following arguments are required"),
    (["no-such-command"], 2, "invalid choice"),
    (["serve", "--db", "sqlite:///{missing}/county.db"], 2, "does not exist: create it first"),
    (["serve", "--db", "sqlite:///{tmp}/c.db", "--port", "0"], 2, "--port"),
    (
        [
            "serve",
            "--db",
            "sqlite:///{tmp}/c.db",
            "--ssl-keyfile",
            "{missing}/k.pem",
            "--ssl-certfile",
            "{missing}/c.pem",
        ],
        2,
        "there is no file",
    ),
    (["serve", "--db", "nonsense"], 2, "is not a database URL"),
    (["load-reference"], 2, "the following arguments are required: file"),
    (["load-reference", "{not_json}", "--db", "sqlite:///{tmp}/c.db"], 2, "is not valid JSON"),
    (
        ["load-reference", "resources/departments.json", "--db", "sqlite:///{tmp}/c.db"],
        2,
        "is not a reference file",
    ),
    (["load-reference", "{missing}/ref.json", "--db", "sqlite:///{tmp}/c.db"], 2, "cannot read"),
    (["load-reference", "{file}", "--db", "sqlite:///{tmp}/c.db"], 2, "is not valid JSON"),
    (
        [
            "--db",
            "sqlite:///{missing}/c.db",
            "create-user",
            "--username",
            "a",
            "--name",
            "A",
            "--role",
            "coordinator",
            "--org-unit",
            "330106",
        ],
        2,
        "GRIDDESK_PASSWORD",
    ),
    (["set-password", "--username", "a", "--db", "sqlite:///{tmp}/c.db"], 2, "GRIDDESK_PASSWORD"),
    (["desk-code", "--street", "12", "--db", "sqlite:///{tmp}/c.db"], 2, "no street"),
    (
        ["desk-code", "--db", "sqlite:///{missing}/c.db", "--street", "330106001"],
        2,
        "does not exist",
    ),
    (["disable-user", "--username", "nobody", "--db", "sqlite:///{tmp}/c.db"], 2, "nobody"),
    (["enable-user", "--username", "nobody", "--db", "sqlite:///{tmp}/c.db"], 2, "nobody"),
    (["revoke-tokens", "--username", "nobody", "--db", "sqlite:///{tmp}/c.db"], 2, "nobody"),
    (["seed-demo", "--today", "soon"], 2, "is not a date"),
    (["seed-demo", "--db", "sqlite:///{file}/c.db"], 2, "does not exist"),
    (["export-bulletin", "--period", "last", "--out", "x.txt"], 2, "--out must name an .xlsx file"),
    (
        [
            "export-bulletin",
            "--period",
            "2026-13",
            "--out",
            "{tmp}/x.xlsx",
            "--db",
            "sqlite:///{tmp}/c.db",
        ],
        2,
        "--period",
    ),
    (
        ["export-bulletin", "--period", "last", "--out", "{tmp}/x.xlsx", "--db", "sqlite:///{tmp}"],
        2,
        "names the folder",
    ),
]


@pytest.mark.parametrize(("argv", "code", "words"), COUNTY_CASES, ids=lambda v: str(v)[:60])
def test_county_commands_refuse_mistakes_with_a_message_and_a_documented_code(
    argv: list[str],
    code: int,
    words: str,
    places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # not a terminal
    argv = [w.format(**places) for w in argv]
    got = _run(county_main, argv)
    said = _said(capsys)
    assert got == code, said
    assert got in COUNTY_CODES
    assert words in said, said
    assert "Traceback" not in said
    assert not Path(places["missing"]).exists()  # a mistyped folder is never made


def test_every_county_command_is_in_the_wrong_input_table() -> None:
    from county_server.cli import _parser

    sub = next(a for a in _parser()._actions if a.dest == "command")
    tried = {w for argv, _c, _w in COUNTY_CASES for w in argv if not w.startswith(("-", "{"))}
    assert set(sub.choices) <= tried  # type: ignore[arg-type]


def test_load_reference_reads_the_documented_example(tmp_path: Path) -> None:
    """docs/reference-file.md: the example in it is a file load-reference accepts."""
    doc = (ROOT / "docs" / "reference-file.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, re.S)
    assert blocks, "the doc has a ```json example"
    example = tmp_path / "reference.json"
    example.write_text(blocks[0], encoding="utf-8")
    reference = json.loads(blocks[0])
    url = f"sqlite:///{tmp_path / 'county.db'}"
    assert county_main(["load-reference", str(example), "--db", url]) == 0
    from sqlalchemy import select

    from county_server.db import open_server_db
    from models.tables import Category, Department, OrgUnit, User

    db = open_server_db(url)
    try:
        with db.sessions() as session:
            for table, key, items in (
                (OrgUnit, "id", reference["org_units"]),
                (Department, "id", reference["departments"]),
                (Category, "code", reference["categories"]),
                (User, "username", reference["users"]),
            ):
                held = set(session.scalars(select(getattr(table, key))))
                assert {item[key] for item in items} <= held, table
    finally:
        db.dispose()
    # Loading it again changes nothing.
    assert county_main(["load-reference", str(example), "--db", url]) == 0


def test_commands_as_a_clerk_runs_them_print_no_traceback(places: dict[str, str]) -> None:
    """The real entry points, in fresh processes (argparse, imports and all)."""
    runs = [
        (
            [sys.executable, "main.py", "--data-dir", places["file"], "sync"],
            2,
            "是文件而不是文件夹",
        ),
        (
            [
                sys.executable,
                "-m",
                "county_server",
                "load-reference",
                "resources/departments.json",
                "--db",
                f"sqlite:///{places['tmp']}/c.db",
            ],
            2,
            "is not a reference file",
        ),
    ]
    for argv, code, words in runs:
        done = subprocess.run(
            argv,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={k: v for k, v in __import__("os").environ.items() if not k.startswith("LC_")}
            | {"LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"},
        )
        said = done.stdout + done.stderr
        assert done.returncode == code, said
        assert words in said and "Traceback" not in said, said


def _read_only(*_args: object, **_kwargs: object) -> None:
    from sqlalchemy.exc import OperationalError

    raise OperationalError("UPDATE settings", {}, Exception("attempt to write a readonly database"))


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["purge-personal-data"], "services.reception.privacy.purge_personal_data"),
        (["sync", "--server", "http://127.0.0.1:9"], "services.settings.put"),
    ],
    ids=["purge", "sync"],
)
def test_a_database_that_turns_read_only_midway_is_said_in_words(
    argv: list[str],
    target: str,
    demo_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(target, _read_only)
    assert _run(desk_main, [*argv, "--data-dir", str(demo_dir)]) == 2
    said = _said(capsys)
    assert f"数据库 {demo_dir / 'griddesk.sqlite3'} 为只读" in said, said
    assert "database_read_only" not in said and "Traceback" not in said
