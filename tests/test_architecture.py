"""The layers of docs/architecture.md. import-linter checks them (contracts in
pyproject.toml, run by tools/run-tests.sh); this module runs the same contracts
inside the test suite, proves they bite on a planted offence, and checks what
import-linter cannot see: modules imported by name at run time."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("desktop", "views", "services", "county_server", "models")
# What a package may name in importlib.import_module(...): itself and the layers below.
MAY_LOAD_BY_NAME = {
    "services": ("services", "models"),
    "models": ("models",),
    "county_server": ("county_server", "services", "models"),
}


def run_contracts(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the packages in root, in its own process: this one has
    imported our real packages already, and import-linter finds them by name."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)


def planted_tree(root: Path) -> Path:
    """A tiny tree of our packages, importing each other as the layers allow,
    under a copy of our contracts."""
    for package in OURS:
        folder = root / package
        folder.mkdir()
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (root / "views" / "screen.py").write_text("import services\n", encoding="utf-8")
    (root / "desktop" / "shell.py").write_text("import views.screen\n", encoding="utf-8")
    (root / "county_server" / "app.py").write_text("import services\n", encoding="utf-8")
    (root / "services" / "__init__.py").write_text("import models\n", encoding="utf-8")
    # The external packages the contracts name must be in the graph for a planted
    # import of them to count: the probe has its own stand-ins.
    for external in ("PySide6", "sqlalchemy"):
        (root / f"{external}.py").write_text("", encoding="utf-8")
    (root / "models" / "tables.py").write_text("import sqlalchemy\n", encoding="utf-8")
    (root / "desktop" / "app.py").write_text("import PySide6\n", encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_contracts_hold() -> None:
    result = run_contracts(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_planted_tree_is_clean(tmp_path: Path) -> None:
    result = run_contracts(planted_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_of_ours_is_under_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert sorted(config["tool"]["importlinter"]["root_packages"]) == sorted(OURS)


@pytest.mark.parametrize(
    ("offender", "line"),
    [
        ("services/bad.py", "from views import screen\n"),
        ("services/bad.py", "from PySide6.QtCore import QObject\n"),
        ("models/bad.py", "import services\n"),
        ("county_server/bad.py", "import desktop\n"),
        ("county_server/bad.py", "from views import screen\n"),
        ("views/bad.py", "from desktop import shell\n"),
        ("views/bad.py", "from sqlalchemy import select\n"),
    ],
)
def test_the_contracts_catch_a_planted_import(tmp_path: Path, offender: str, line: str) -> None:
    """The clean tree passes (test above); one forbidden import breaks it."""
    root = planted_tree(tmp_path)
    (root / offender).write_text(line, encoding="utf-8")
    result = run_contracts(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def names_loaded_at_run_time(path: Path) -> list[str]:
    """The leading text of every importlib.import_module(...) argument."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called not in ("import_module", "__import__"):
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.append(first.value)
        elif isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            names.append(head.value if isinstance(head, ast.Constant) else "?")
        else:
            names.append("?")
    return names


@pytest.mark.parametrize("folder", sorted(MAY_LOAD_BY_NAME))
def test_modules_loaded_by_name_keep_to_the_layers(folder: str) -> None:
    allowed = MAY_LOAD_BY_NAME[folder]
    offenders = {
        str(path.relative_to(ROOT)): bad
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (bad := [n for n in names_loaded_at_run_time(path) if n.split(".")[0] not in allowed])
    }
    assert offenders == {}


def test_the_run_time_guard_sees_names(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text(
        "import importlib\nimportlib.import_module('views.queue')\n"
        "importlib.import_module(f'PySide6.{x}')\n__import__(name)\n",
        encoding="utf-8",
    )
    assert names_loaded_at_run_time(sample) == ["views.queue", "PySide6.", "?"]


# Imports under ``if TYPE_CHECKING:`` are left out of the contracts (a view may name
# sqlalchemy's Session in a signature); every other rule holds for them too.
TYPE_ONLY_FORBIDDEN = {
    "models": ("services", "views", "desktop", "county_server", "PySide6"),
    "services": ("views", "desktop", "county_server", "PySide6"),
    "county_server": ("views", "desktop", "PySide6"),
    "views": ("desktop", "county_server"),
}


def type_only_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        test = node.test if isinstance(node, ast.If) else None
        if test is None or "TYPE_CHECKING" not in ast.unparse(test):
            continue
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if isinstance(inner, ast.Import):
                names += [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                names.append(inner.module)
    return names


@pytest.mark.parametrize("folder", sorted(TYPE_ONLY_FORBIDDEN))
def test_type_only_imports_keep_to_the_layers(folder: str) -> None:
    forbidden = TYPE_ONLY_FORBIDDEN[folder]
    offenders = {
        str(path.relative_to(ROOT)): bad
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (bad := [n for n in type_only_imports(path) if n.split(".")[0] in forbidden])
    }
    assert offenders == {}


def test_the_type_only_guard_sees_names(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\nimport os\n"
        "if TYPE_CHECKING:\n    from views.queue import view\n    import PySide6.QtCore\n",
        encoding="utf-8",
    )
    assert type_only_imports(sample) == ["views.queue", "PySide6.QtCore"]
