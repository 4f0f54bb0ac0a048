"""Where GridDesk keeps its files: the per-user data folder from QStandardPaths,
overridable with ``--data-dir``; the demo gets a folder of its own."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths

APP_NAME = "GridDesk"
ORG_NAME = "GridDesk"


def resources_dir() -> Path:
    """``resources/`` next to the code, or inside a PyInstaller bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources"


def default_data_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    if not location:
        location = str(Path.home() / ".griddesk")
    return Path(location)


def demo_data_dir() -> Path:
    return default_data_dir() / "demo"


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / "attachments"


def manual_dir() -> Path:
    """The clerk's manual, ``docs/manual/`` of the source tree or of the bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "docs" / "manual"
