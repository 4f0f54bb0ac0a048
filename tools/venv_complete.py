"""Whether this Python environment already holds what GridDesk needs, without asking
any package index: ``python tools/venv_complete.py [EXTRA ...]`` exits 0 when every
requirement of pyproject.toml (and of the extras named) is installed in a version
it accepts and GridDesk itself is installed, else 1, listing what is missing.

``tools/run-demo.sh`` uses it to start without a network when nothing needs installing.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
except ImportError:  # pip's own copy, present wherever pip is
    from pip._vendor.packaging.requirements import (  # type: ignore[no-redef]
        InvalidRequirement,
        Requirement,
    )

ROOT = Path(__file__).resolve().parent.parent


def requirements(extras: list[str]) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project.get("dependencies", []))
    for extra in extras:
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    return wanted


def missing(extras: list[str], wanted: list[str] | None = None) -> list[str]:
    """What is not installed, or installed in a version the requirement refuses
    (``wanted``: requirement lines to check instead of pyproject.toml's)."""
    problems: list[str] = []
    try:
        metadata.version(
            str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"])
        )
    except metadata.PackageNotFoundError:
        problems.append("griddesk itself (pip install -e .)")
    for line in requirements(extras) if wanted is None else wanted:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            problems.append(f"{line} (cannot be read)")
            continue
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{requirement} (not installed)")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            problems.append(f"{requirement} (installed: {installed})")
    return problems


def main(argv: list[str]) -> int:
    problems = missing(argv)
    for problem in problems:
        print(f"  needs {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
