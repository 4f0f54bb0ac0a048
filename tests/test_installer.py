"""The installers' sources agree with each other and with the code, without
building anything: one version, the Inno Setup defines, the .desktop entry,
the Debian control file, the spec's contents, and the screenshot checker."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import struct
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from services.version import __version__

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "griddesk_installer_build", INSTALLER / "build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def test_the_version_has_one_place() -> None:
    assert build.read_version() == __version__
    assert build.numeric_version("1.2.3") == "1.2.3.0"
    assert build.numeric_version("2.0rc1") == "2.0.1.0"
    assert build.deb_version("1.0rc1") == "1.0~rc1"
    assert build.deb_version(__version__) == __version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = { attr = "services.version.__version__" }' in pyproject
    for path in (INSTALLER / "griddesk.spec", INSTALLER / "build.py", INSTALLER / "griddesk.iss"):
        text = path.read_text(encoding="utf-8-sig")
        assert __version__ not in text, f"{path.name} writes the version"
    assert "from services.version import __version__" in (INSTALLER / "griddesk.spec").read_text(
        encoding="utf-8"
    )


def test_inno_setup_script_takes_its_version_and_paths_as_defines() -> None:
    raw = (INSTALLER / "griddesk.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads non-ASCII scripts as UTF-8 with a BOM"
    text = raw.decode("utf-8-sig")
    command = build.iscc_command("iscc")
    passed = {arg.split("=", 1)[0][2:] for arg in command if arg.startswith("/D")}
    assert passed == {
        "AppVersion",
        "NumericVersion",
        "SourceDir",
        "FilesDir",
        "OutputDir",
        "IconFile",
    }
    assert f"/DAppVersion={__version__}" in command
    for name in ("AppVersion", "NumericVersion", "SourceDir", "FilesDir"):
        assert f"#ifndef {name}" in text
        assert "{#" + name + "}" in text
    assert "PrivilegesRequired=admin" in text  # per-machine
    assert r"DefaultDirName={autopf}" in text
    assert '"{group}\\{cm:AppTitle}"' in text  # Start menu
    assert "{autodesktop}" in text and "Tasks: desktopicon" in text
    assert "{uninstallexe}" in text
    assert "DefaultGroupName=网格工作台" in text  # the Start-menu folder the README names
    # An upgrade removes the old bundle's files first.
    install_delete = text.split("[InstallDelete]", 1)[1].split("\n[", 1)[0]
    assert 'Type: filesandordirs; Name: "{app}\\_internal"' in install_delete
    # x64compatible needs Inno Setup 6.3: an older compiler stops with a message.
    assert "#if VER < EncodeVer(6, 3, 0)" in text and "x64compatible" in text
    # Without the Chinese messages the build stops instead of making an English wizard.
    chinese = text.split("#if !FileExists(ChineseMessages)", 1)[1].split("#endif", 1)[0]
    assert "#error" in chinese and "ChineseSimplified.isl" in chinese
    assert "HaveChinese" not in text
    assert "GridDesk.exe" in text
    # The uninstaller never deletes the users' data folder.
    uninstall = text.split("[UninstallDelete]", 1)[1].split("[Code]", 1)[0]
    assert "localappdata" not in uninstall.lower() and "userappdata" not in uninstall.lower()
    sections = {line.strip() for line in text.splitlines() if line.startswith("[")}
    assert {
        "[Setup]",
        "[Languages]",
        "[Files]",
        "[Icons]",
        "[Tasks]",
        "[Run]",
        "[Code]",
    } <= sections


def test_desktop_entry_has_the_required_fields() -> None:
    path = INSTALLER / "linux" / "griddesk.desktop"
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "GridDesk" and entry["Name[zh_CN]"] == "网格工作台"
    assert entry["Exec"].split()[0] == build.PACKAGE  # the /usr/bin wrapper
    assert entry["Icon"] == build.PACKAGE  # hicolor/scalable/apps/griddesk.svg
    assert entry["Terminal"] == "false"
    for key in ("Categories", "Keywords", "Keywords[zh_CN]"):
        assert entry[key].endswith(";"), f"{key} is a list and must end with ';'"
    assert "Office" in entry["Categories"].split(";")
    assert (ROOT / "resources" / "icons" / "app.svg").is_file()


def test_debian_control_file_and_wrapper() -> None:
    depends = build.deb_depends(
        {"libc.so.6", "libm.so.6", "libEGL.so.1", "libxcb-icccm.so.4", "libglib-2.0.so.0"}, "2.28"
    )
    assert depends[0] == "libc6 (>= 2.28)"
    assert "libegl1" in depends and "libxcb-icccm4" in depends
    assert "libglib2.0-0 | libglib2.0-0t64" in depends
    assert depends.count("libc6") == 0 and any("fonts-noto-cjk" in d for d in depends)
    with pytest.raises(SystemExit, match="libunknown.so.9"):
        build.deb_depends({"libunknown.so.9"}, "2.28")

    control = build.control_file(__version__, "amd64", 123456, depends)
    fields = dict(
        line.split(": ", 1) for line in control.splitlines() if line and not line.startswith(" ")
    )
    assert fields["Package"] == "griddesk"
    assert fields["Version"] == __version__
    assert fields["Architecture"] == "amd64"
    assert fields["Installed-Size"] == "123456"
    assert fields["Depends"] == ", ".join(depends)
    assert control.endswith("\n") and all(
        line.startswith(" ") for line in control.split("Description: ", 1)[1].splitlines()[1:]
    )
    assert build.WRAPPER.startswith("#!/bin/sh\n")
    assert f'exec {build.INSTALL_DIR}/GridDesk "$@"' in build.WRAPPER


def test_the_glibc_floor_is_that_of_the_oldest_targets() -> None:
    """统信UOS 20, 麒麟 V10, Debian 10: glibc 2.28, GCC 8 (tests/test_installer_linux.py
    reads real ELF files against it)."""
    assert build.GLIBC_FLOOR == "2.28" and build.GLIBCXX_FLOOR == "3.4.25"
    assert "2.28" in (INSTALLER / "README.md").read_text(encoding="utf-8")


def test_spec_bundles_what_the_program_reads_at_run_time() -> None:
    text = (INSTALLER / "griddesk.spec").read_text(encoding="utf-8")
    ast.parse(text)
    for needed in (
        '"resources/translations"',
        '"models/migrations"',
        'collect_data_files("xstatic")',
        'collect_data_files("folium")',
        'collect_data_files("branca")',
        'collect_data_files("tzdata")',
        'contents_directory="_internal"',
        'name="GridDesk"',
    ):
        assert needed in text, needed
    for package in ("desktop", "views", "services", "models"):
        assert f'"{package}"' in text
    # The packages the map page reads files from are the ones the spec collects.
    map_page = (ROOT / "services" / "map" / "page.py").read_text(encoding="utf-8")
    assert "import xstatic.pkg.leaflet" in map_page and "folium.__file__" in map_page


def test_gitignore_keeps_build_outputs_out() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/build/" in lines and "/dist/" in lines


def _png(path: Path, pixels: list[list[tuple[int, int, int]]], filter_type: int = 0) -> None:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(
        bytes([filter_type]) + b"".join(bytes(p) for p in row)
        if filter_type == 0
        else bytes([2]) + _up_filtered(pixels, y)
        for y, row in enumerate(pixels)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _up_filtered(pixels: list[list[tuple[int, int, int]]], y: int) -> bytes:
    row = b"".join(bytes(p) for p in pixels[y])
    above = b"".join(bytes(p) for p in pixels[y - 1]) if y else bytes(len(row))
    return bytes((a - b) & 0xFF for a, b in zip(row, above, strict=True))


@pytest.mark.parametrize("filter_type", [0, 2])
def test_screenshot_check_tells_a_picture_from_a_blank(tmp_path: Path, filter_type: int) -> None:
    size = (40, 30)
    varied = [
        [((x * 7) % 256, (y * 11) % 256, (x * y) % 256) for x in range(40)] for y in range(30)
    ]
    picture = tmp_path / "picture.png"
    _png(picture, varied, filter_type)
    assert build.png_colours(picture) > 100
    assert build.check_screenshot(picture, size) is None

    blank = tmp_path / "blank.png"
    _png(blank, [[(255, 255, 255)] * 40 for _ in range(30)], filter_type)
    assert "blank" in (build.check_screenshot(blank, size) or "")

    framed = tmp_path / "framed.png"  # busy edges, an empty middle: the screen did not draw
    _png(
        framed,
        [
            [varied[y][x] if x < 8 or y < 6 else (250, 250, 250) for x in range(40)]
            for y in range(30)
        ],
        filter_type,
    )
    assert "middle" in (build.check_screenshot(framed, size) or "")

    assert "not" in (build.check_screenshot(tmp_path / "missing.png", size) or "")
    assert "40x30" in (build.check_screenshot(picture, (1400, 900)) or "")
    (tmp_path / "junk.png").write_bytes(b"not a png")
    assert "readable" in (build.check_screenshot(tmp_path / "junk.png", size) or "")


def test_clean_environment_has_no_python_of_ours(tmp_path: Path) -> None:
    env = build.clean_environment(tmp_path)
    assert env["PATH"] == "/usr/bin:/bin"
    assert not any(key.startswith(("PYTHON", "VIRTUAL_ENV")) for key in env)
    assert env["QT_QPA_PLATFORM"] == "offscreen" and env["GRIDDESK_PASSWORD"]


def test_the_window_names_its_menu_entry(qapp: object) -> None:
    """Wayland (and the taskbars) match the window to griddesk.desktop by this name."""
    from PySide6.QtGui import QGuiApplication

    from desktop.app import create_application

    QGuiApplication.setDesktopFileName("")
    create_application()
    assert QGuiApplication.desktopFileName() == build.PACKAGE
    assert (INSTALLER / "linux" / f"{build.PACKAGE}.desktop").is_file()


def test_bootstrap_installs_what_the_bundle_loads_from_the_system() -> None:
    """An offline `dpkg -i` stops on a dependency the office PC lacks: the Wayland
    libraries the Qt plug-ins load (ldd) are installed by tools/bootstrap.sh too."""
    script = (ROOT / "tools" / "bootstrap.sh").read_text(encoding="utf-8")
    packages = set(script.split("APT_PACKAGES=(", 1)[1].split(")", 1)[0].split())
    for soname in (
        "libwayland-client.so.0",
        "libwayland-cursor.so.0",
        "libwayland-egl.so.1",
        "libwayland-server.so.0",
        "libxcb-dri3.so.0",
        "libEGL.so.1",
        "libdrm.so.2",
    ):
        assert build.SONAME_PACKAGES[soname] in packages, soname
