"""Translations: GridDesk's own (``resources/translations/*.ts``, compiled to
``.qm`` by the install step or, failing that, at start) and Qt's own ``qtbase``,
so that standard buttons and dialogs speak the same language.

Also the one place where errors from ``services/`` and ``models/`` become text
for a person: their English templates are looked up in the ``services`` context.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from views.messages import database_problem_text, error_text, tr_services

from .paths import resources_dir

log = logging.getLogger(__name__)

__all__ = [
    "compile_translations",
    "database_problem_text",
    "error_text",
    "install_translators",
    "tr_services",
]

APP_CATALOG = "griddesk"
_installed: list[QTranslator] = []


def translations_dir() -> Path:
    return resources_dir() / "translations"


def _lrelease() -> list[str] | None:
    try:
        import PySide6

        tool = Path(PySide6.__file__).parent / (
            "lrelease.exe" if sys.platform == "win32" else "lrelease"
        )
        return [str(tool)] if tool.exists() else None
    except ImportError:  # pragma: no cover - PySide6 is required
        return None


def compile_translations(folder: Path | None = None, *, force: bool = False) -> list[Path]:
    """Build ``.qm`` files next to their ``.ts`` sources when missing or stale."""
    folder = folder or translations_dir()
    built: list[Path] = []
    tool = _lrelease()
    for ts in sorted(folder.glob(f"{APP_CATALOG}_*.ts")):
        qm = ts.with_suffix(".qm")
        if not force and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        if tool is None:
            log.warning("lrelease not found; %s stays untranslated", ts.name)
            continue
        try:
            subprocess.run(
                [*tool, "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True
            )
            built.append(qm)
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not compile %s: %s", ts, exc)
    return built


def install_translators(language: str) -> bool:
    """Install Qt's and GridDesk's translators for ``language`` ("zh_CN" or "en").

    Returns False if GridDesk's own catalogue for a non-English language is missing.
    """
    app = QCoreApplication.instance()
    assert app is not None
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale(language if language != "en" else "en_US"))
    if language == "en":
        return True
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    compile_translations()
    own = QTranslator(app)
    if own.load(f"{APP_CATALOG}_{language}", str(translations_dir())):
        app.installTranslator(own)
        _installed.append(own)
        return True
    log.warning("no translation catalogue for %s", language)
    return False
