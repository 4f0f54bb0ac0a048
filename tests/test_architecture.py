"""The arrows of STYLE.md: services/, models/ and county_server/ never import Qt,
and models/ imports nothing else of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync", "pytestqt")
OURS = ("desktop", "views", "services", "county_server", "models")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["services", "models", "county_server"])
def test_no_qt_below_the_shell(folder: str) -> None:
    files = python_files(folder)
    assert files or folder == "county_server"
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] in QT_MODULES
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_models_import_nothing_of_ours() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in OURS and m.split(".")[0] != "models"
        )
        for path in python_files("models")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_views_do_not_import_the_shell() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "desktop"
        )
        for path in python_files("views")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_guard_sees_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport qasync\n", encoding="utf-8")
    assert {"PySide6.QtCore", "qasync"} <= imported_modules(sample)
