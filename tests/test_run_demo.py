"""tools/run-demo.sh starts without a package index when .venv is complete:
tools/venv_complete.py compares pyproject.toml with what is installed, offline."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "venv_complete", ROOT / "tools" / "venv_complete.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_test_environment_is_complete() -> None:
    checker = _checker()
    assert checker.missing([]) == []
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "venv_complete.py")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_missing_or_too_old_package_is_named() -> None:
    checker = _checker()
    problems = checker.missing(
        [],
        [
            "PySide6>=99",
            "no-such-package-griddesk-test>=1",
            "SQLAlchemy>=2.0",
            'pywin32>=300; sys_platform == "nonexistent"',
        ],
    )
    assert len(problems) == 2
    assert problems[0].startswith("PySide6>=99 (installed: ")
    assert problems[1] == "no-such-package-griddesk-test>=1 (not installed)"


def test_run_demo_installs_only_when_something_is_missing() -> None:
    script = (ROOT / "tools" / "run-demo.sh").read_text(encoding="utf-8")
    subprocess.run(["bash", "-n", str(ROOT / "tools" / "run-demo.sh")], check=True)
    check = script.index("tools/venv_complete.py")
    assert check < script.index("bash tools/bootstrap.sh")  # bootstrap only in the else branch
    assert re.search(r"\bpip\b", script) is None  # no pip call of its own
    assert "griddesk-demo" in script and "data folder" in script
