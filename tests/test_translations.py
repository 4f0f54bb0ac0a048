"""Chinese is the default language: every text of the interface has a translation,
and the catalogue is up to date with the sources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import i18n as tool  # noqa: E402


def test_every_text_has_a_chinese_translation() -> None:
    assert tool.missing() == []


def test_catalogue_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    copy = tmp_path / "griddesk_zh_CN.ts"
    shutil.copy(tool.CATALOGUE, copy)
    subprocess.run(
        [
            tool._tool("lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            *tool.sources(),
            "-ts",
            str(copy),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def texts(path: Path) -> set[tuple[str, str]]:
        root = ET.parse(path).getroot()
        return {
            (c.findtext("name") or "", m.findtext("source") or "")
            for c in root.iter("context")
            for m in c.iter("message")
        }

    assert texts(copy) == texts(tool.CATALOGUE)


def test_catalogue_compiles_and_translates(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QTranslator

    qm = tmp_path / "griddesk_zh_CN.qm"
    subprocess.run(
        [tool._tool("lrelease"), "-silent", str(tool.CATALOGUE), "-qm", str(qm)], check=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        assert (
            QCoreApplication.translate("services", "Wrong username or password.")
            == "用户名或密码错误。"
        )
        assert QCoreApplication.translate("Screens", "Dispatch queue") == "派遣队列"
    finally:
        QCoreApplication.removeTranslator(translator)
