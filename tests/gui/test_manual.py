"""The clerk's manual (docs/manual/): every link and picture resolves, every
role and screen has its section, F1 opens it, and a frozen build finds it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop import paths
from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.manual import INDEX, ROLE_PAGES, ManualWindow, help_target
from desktop.screens import SCREENS
from models.db import Database
from services.cases.permissions import ROLE_PERMISSIONS, Role
from tests.builders import PASSWORD, load_demo_reference

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
MANUAL = ROOT / "docs" / "manual"
LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)\)")


def pages() -> list[Path]:
    return sorted(MANUAL.glob("*.md"))


def headings(page: str) -> list[str]:
    text = (MANUAL / page).read_text(encoding="utf-8")
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def test_the_manual_has_a_page_per_role_and_an_index() -> None:
    names = {p.name for p in pages()}
    assert INDEX in names
    assert set(ROLE_PAGES) == {str(role) for role in Role}  # every role has a page …
    assert set(ROLE_PAGES.values()) <= names  # … and it is there


def test_every_image_and_page_link_resolves() -> None:
    images = 0
    for page in pages():
        for bang, target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                pytest.fail(f"{page.name} links to the internet: {target}")
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_file(), f"{page.name}: {target} is missing"
            if bang:
                images += 1
                assert path.suffix == ".png" and path.parent == MANUAL / "img"
    assert images >= 10


def test_the_screenshots_are_small() -> None:
    total = sum(p.stat().st_size for p in (MANUAL / "img").glob("*.png"))
    assert total < 3 * 1024 * 1024


@pytest.mark.parametrize("role", [str(role) for role in Role])
def test_every_screen_of_every_role_has_its_section(role: str) -> None:
    allowed = ROLE_PERMISSIONS[role]
    for screen in SCREENS:
        if screen.permission is not None and screen.permission not in allowed:
            continue
        page, heading = help_target(role, screen.key)
        assert heading is not None, (role, screen.key)
        assert heading in headings(page), (role, screen.key, page, heading)
    assert help_target(role, None) == (ROLE_PAGES[role], None)


def test_a_frozen_build_finds_the_manual_in_its_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.manual_dir() == tmp_path / "docs" / "manual"
    spec = (ROOT / "installer" / "griddesk.spec").read_text(encoding="utf-8")
    assert '_tree("docs/manual", ("*.md", "*.png"))' in spec


def test_the_viewer_follows_links_and_scales_screenshots(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = ManualWindow(folder=MANUAL)
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    assert window.open_page("coordinator.md", "核查（前后对比照片）")
    assert window.current_heading() == "核查（前后对比照片）"
    assert window.browser.verticalScrollBar().value() > 0
    document = window.browser.document()
    widths = [
        fragment.charFormat().toImageFormat().width()
        for block in _blocks(document)
        for fragment in _fragments(block)
        if fragment.charFormat().isImageFormat()
    ]
    assert widths and all(0 < w < 800 for w in widths)  # 1366-pixel shots fit the window

    window.contents_button.click()
    assert window.current_page() == INDEX
    assert window.back_button.isEnabled()
    window.back_button.click()
    assert window.current_page() == "coordinator.md"

    assert not window.open_page("no-such-page.md")
    assert window.current_page() == INDEX


def _blocks(document):  # type: ignore[no-untyped-def]
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def _fragments(block):  # type: ignore[no-untyped-def]
    iterator = block.begin()
    while not iterator.atEnd():
        yield iterator.fragment()
        iterator += 1


@pytest.mark.parametrize(
    ("username", "screens"),
    [
        ("coordinator", ["queue", "reception", "sync", "settings"]),
        ("reception", ["reception", "queue"]),
        ("official", ["reports"]),
        ("admin", ["settings"]),
    ],
)
def test_f1_opens_the_page_of_the_role_and_screen(
    qtbot, db: Database, tmp_path: Path, username: str, screens: list[str]
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=(username,))
    from services.accounts.auth import login

    user = login(db, username, PASSWORD)
    window = MainWindow(AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    window.show()
    for key in screens:
        window.show_screen(key)
        window.activateWindow()
        assert QTest.qWaitForWindowActive(window)  # shortcuts go to the active window
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_F1)  # through the shortcut map
        manual = window.manual_window
        assert manual is not None and manual.isVisible()
        page, heading = help_target(user.role, key)
        assert manual.current_page() == page
        assert manual.current_heading() == heading
        assert heading in headings(page)
    manual.close()
    window.close()


def test_the_help_menu_has_the_manual_and_about(
    qtbot, db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("official",))
    from services.accounts.auth import login

    user = login(db, "official", PASSWORD)
    window = MainWindow(AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "操作手册(&M)" and any(t.startswith("关于") for t in texts)
    assert menu.actions()[0].shortcut().toString() == "F1"
    menu.actions()[0].trigger()
    assert window.manual_window is not None
    assert window.manual_window.current_page() == "official.md"
