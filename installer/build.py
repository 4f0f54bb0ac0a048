"""Build GridDesk's installers (see installer/README.md).

    python installer/build.py linux     # PyInstaller one-folder bundle in dist/GridDesk/
    python installer/build.py deb       # dist/griddesk_<version>_<arch>.deb from that bundle
    python installer/build.py windows   # on Windows: the bundle and the Inno Setup installer
    python installer/build.py check     # build the Linux bundle, run it outside any virtual
                                        # environment on the demo data, check the screenshots

The version is read from services/version.py, the one place it is written.
Only the standard library is used here (PyInstaller runs as a subprocess), so
``check`` can also test an installed package: ``check --no-build
--executable /usr/bin/griddesk``.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "griddesk.spec"
ISS = INSTALLER / "griddesk.iss"
LINUX_FILES = INSTALLER / "linux"
DIST = ROOT / "dist"
BUNDLE = DIST / "GridDesk"
WORK = ROOT / "build" / "installer"
APP_ICON = ROOT / "resources" / "icons" / "app.svg"

PACKAGE = "griddesk"
INSTALL_DIR = "/opt/griddesk"
EXECUTABLE = "GridDesk.exe" if sys.platform == "win32" else "GridDesk"

# The Debian packages of the shared libraries the bundle takes from the system
# (PyInstaller leaves out the C library, the graphics stack and a few more on
# purpose: they must match the machine's drivers and kernel). ``build.py deb``
# reads every bundled ELF file's DT_NEEDED and refuses a library not listed
# here, so Depends always says exactly what the bundle loads from the system.
# "a | b" where newer releases renamed the package (64-bit time_t).
SONAME_PACKAGES = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "libresolv.so.2": "libc6",
    "librt.so.1": "libc6",
    "libutil.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libgbm.so.1": "libgbm1",
    "libdrm.so.2": "libdrm2",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libwayland-server.so.0": "libwayland-server0",
    "libxcb.so.1": "libxcb1",
    "libxcb-dri2.so.0": "libxcb-dri2-0",
    "libxcb-dri3.so.0": "libxcb-dri3-0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-present.so.0": "libxcb-present0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libgobject-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libgio-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libgthread-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libdbus-1.so.3": "libdbus-1-3",
    "libnss3.so": "libnss3",
    "libnssutil3.so": "libnss3",
    "libsmime3.so": "libnss3",
    "libnspr4.so": "libnspr4",
    "libplc4.so": "libnspr4",
    "libplds4.so": "libnspr4",
    "libasound.so.2": "libasound2 | libasound2t64",
    "libz.so.1": "zlib1g",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
}
# Not linked but needed: Chinese text must be drawn with a Chinese font.
EXTRA_DEPENDS = ["fonts-noto-cjk | fonts-wqy-microhei | fonts-wqy-zenhei"]

DEMO_PASSWORD = "griddesk-demo"
# Right of the navigation and the filter panel: the queue's table, the map's web view.
MIDDLE = (0.45, 0.25, 0.75, 0.75)


# ---------------------------------------------------------------------- basics
def read_version() -> str:
    """``__version__`` from services/version.py, read without importing anything."""
    tree = ast.parse((ROOT / "services" / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise SystemExit("services/version.py has no __version__ = '…'")


def numeric_version(version: str) -> str:
    """``1.2.3rc1`` → ``1.2.3.0`` (Windows wants four numbers)."""
    numbers = [int(m) for m in re.findall(r"\d+", version.split("+")[0])][:4]
    return ".".join(str(n) for n in (numbers + [0, 0, 0, 0])[:4])


def deb_version(version: str) -> str:
    """PEP 440 pre-releases sort before the release in Debian with ``~``."""
    return re.sub(r"(\d)(a|b|rc|\.dev)(\d+)", r"\1~\2\3", version)


def run(command: Sequence[str | os.PathLike[str]], **kwargs: object) -> None:
    print("+ " + " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)  # type: ignore[call-overload]


def source_date_epoch() -> int:
    """The last commit's time (or SOURCE_DATE_EPOCH if set), for reproducible packages."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 1_700_000_000  # no git: still a fixed time


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def compile_translations() -> None:
    run([sys.executable, ROOT / "tools" / "i18n.py", "compile"], cwd=ROOT)


# ---------------------------------------------------------------------- linux
def pyinstaller_command(clean: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK / "pyinstaller"),
    ]
    if clean:
        command.append("--clean")
    return [*command, str(SPEC)]


def build_bundle(clean: bool = False) -> Path:
    """The PyInstaller one-folder bundle (dist/GridDesk/) for this platform."""
    compile_translations()
    run(pyinstaller_command(clean), cwd=ROOT)
    executable = BUNDLE / EXECUTABLE
    if not executable.is_file():
        raise SystemExit(f"PyInstaller made no {executable}")
    # QtWebEngine looks for (and, when it may, creates) this empty folder; PyInstaller
    # copies no empty folders, and an installed bundle is read-only.
    for resources in (
        BUNDLE / "_internal/PySide6/Qt/resources",
        BUNDLE / "_internal/PySide6/resources",
    ):
        if resources.is_dir():
            (resources / "locales").mkdir(exist_ok=True)
    print(f"bundle: {BUNDLE} ({megabytes(folder_size(BUNDLE))})")
    return BUNDLE


# ---------------------------------------------------------------------- deb
def deb_architecture() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)


_GLIBC = re.compile(rb"GLIBC_(2\.\d+)(?:\.\d+)?\x00")


def glibc_needed(folder: Path) -> str:
    """The newest ``GLIBC_2.x`` symbol version any bundled ELF file asks for: the
    bundle runs on systems with that C library or newer."""
    newest = (2, 17)
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
            data = handle.read()
        for match in _GLIBC.finditer(data):
            major, minor = (int(n) for n in match.group(1).split(b"."))
            newest = max(newest, (major, minor))
    return f"{newest[0]}.{newest[1]}"


def elf_needed(path: Path) -> list[str]:
    """The shared libraries an ELF file asks for (DT_NEEDED, via binutils' readelf)."""
    out = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return [line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def system_libraries(folder: Path) -> set[str]:
    """The libraries bundled ELF files need that the bundle does not contain."""
    bundled = {path.name for path in folder.rglob("*") if ".so" in path.name}
    needed: set[str] = set()
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) != b"\x7fELF":
                    continue
            needed.update(elf_needed(path))
    return needed - bundled


def deb_depends(libraries: set[str], glibc: str) -> list[str]:
    """Depends for ``libraries`` (sonames): one entry per package, the C library first."""
    unknown = sorted(name for name in libraries if name not in SONAME_PACKAGES)
    if unknown:
        raise SystemExit(
            "the bundle needs system libraries build.py does not know the package of: "
            + ", ".join(unknown)
            + " (add them to SONAME_PACKAGES)"
        )
    packages = sorted({SONAME_PACKAGES[name] for name in libraries} - {"libc6"})
    return [f"libc6 (>= {glibc})", *packages, *EXTRA_DEPENDS]


def control_file(version: str, arch: str, installed_kb: int, depends_list: list[str]) -> str:
    depends = ", ".join(depends_list)
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {deb_version(version)}\n"
        f"Architecture: {arch}\n"
        "Maintainer: GridDesk <griddesk@localhost>\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {depends}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: GridDesk (网格工作台) for street offices and community centres\n"
        " The desktop workbench of a street office (街道) or community service centre\n"
        " (社区): reception of walk-in visitors, dispatch of cases to departments and\n"
        " grid workers with working-day deadlines, assessment, the half-monthly\n"
        " bulletin, an offline map, and synchronisation with the county server.\n"
        " .\n"
        " Everything it needs (Python, Qt, QtWebEngine, map assets, time-zone data)\n"
        f" is in {INSTALL_DIR}; it needs no internet. The user's data stays in\n"
        " ~/.local/share/GridDesk when the package is removed.\n"
    )


WRAPPER = f"""#!/bin/sh
# GridDesk (网格工作台): the program is in {INSTALL_DIR}.
exec {INSTALL_DIR}/GridDesk "$@"
"""


def _normalise(root: Path, epoch: int) -> None:
    """Fixed modes and times, so that the same bundle gives the same package."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_symlink():
            os.utime(path, (epoch, epoch), follow_symlinks=False)
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & 0o111
            path.chmod(0o755 if executable else 0o644)
        os.utime(path, (epoch, epoch))
    os.utime(root, (epoch, epoch))


def build_deb(bundle: Path = BUNDLE) -> Path:
    """A reproducible .deb of the bundle: /opt/griddesk, /usr/bin/griddesk, menu entry, icon."""
    if not (bundle / "GridDesk").is_file():
        raise SystemExit(f"no Linux bundle in {bundle}: run `python installer/build.py linux`")
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is needed (Debian, 统信UOS, 麒麟)")
    version = read_version()
    arch = deb_architecture()
    epoch = source_date_epoch()
    stage = WORK / "deb" / f"{PACKAGE}_{deb_version(version)}_{arch}"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    wrapper = stage / "usr" / "bin" / PACKAGE
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(WRAPPER, encoding="utf-8")
    wrapper.chmod(0o755)
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copyfile(LINUX_FILES / "griddesk.desktop", applications / "griddesk.desktop")
    if shutil.which("desktop-file-validate"):  # package desktop-file-utils, when present
        run(["desktop-file-validate", applications / "griddesk.desktop"])
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copyfile(APP_ICON, icons / "griddesk.svg")
    doc = stage / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copyfile(LINUX_FILES / "copyright", doc / "copyright")
    installed_kb = (folder_size(stage) + 1023) // 1024
    if shutil.which("readelf") is None:
        raise SystemExit("readelf is needed (package binutils)")
    depends = deb_depends(system_libraries(opt), glibc_needed(opt))
    print("Depends: " + ", ".join(depends))
    debian = stage / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        control_file(version, arch, installed_kb, depends), encoding="utf-8"
    )
    _normalise(stage, epoch)
    DIST.mkdir(exist_ok=True)
    target = DIST / f"{PACKAGE}_{deb_version(version)}_{arch}.deb"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", stage, target],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    print(f"package: {target} ({megabytes(target.stat().st_size)})")
    return target


# ---------------------------------------------------------------------- windows
def iscc_command(iscc: str = "iscc") -> list[str]:
    version = read_version()
    return [
        iscc,
        f"/DAppVersion={version}",
        f"/DNumericVersion={numeric_version(version)}",
        f"/DSourceDir={ROOT}",
        f"/DFilesDir={BUNDLE}",
        f"/DOutputDir={DIST}",
        f"/DIconFile={WORK / 'griddesk.ico'}",
        str(ISS),
    ]


def make_ico(target: Path) -> Path:
    """resources/icons/app.svg as a 256-pixel .ico (the exe's and the installer's icon)."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import Qt\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "app = QGuiApplication(['ico'])\n"
        "image = QImage(256, 256, QImage.Format.Format_ARGB32)\n"
        "image.fill(Qt.GlobalColor.transparent)\n"
        "painter = QPainter(image)\n"
        "QSvgRenderer(sys.argv[1]).render(painter)\n"
        "painter.end()\n"
        "sys.exit(0 if image.save(sys.argv[2], 'ICO') else 1)\n"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    run([sys.executable, "-c", code, APP_ICON, target], env=env)
    return target


def build_windows(iscc: str) -> int:
    commands = [
        [sys.executable, "tools/i18n.py", "compile"],
        [sys.executable, "installer/build.py", "windows-icon"],
        pyinstaller_command(clean=False),
        iscc_command(iscc),
    ]
    if sys.platform != "win32":
        print("The Windows installer is built on Windows (Python 3.11, Inno Setup 6) with:")
        for command in commands:
            print("  " + subprocess.list2cmdline([str(c) for c in command]))
        print("This machine is not Windows: nothing was built.")
        return 0
    found = shutil.which(iscc) or next(
        (
            str(p)
            for p in (
                Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
                / "Inno Setup 6"
                / "ISCC.exe",
                Path(os.environ.get("PROGRAMFILES", r"C:\Program Files"))
                / "Inno Setup 6"
                / "ISCC.exe",
                Path(os.environ.get("LOCALAPPDATA", "")) / "Programs" / "Inno Setup 6" / "ISCC.exe",
            )
            if p.is_file()
        ),
        None,
    )
    if found is None:
        raise SystemExit("Inno Setup 6 (ISCC.exe) not found: install it or pass --iscc PATH")
    make_ico(WORK / "griddesk.ico")
    build_bundle()
    run(iscc_command(found), cwd=ROOT)
    print(f"installer: {DIST / ('GridDesk-' + read_version() + '-setup.exe')}")
    return 0


# ---------------------------------------------------------------------- check
def _png_rows(path: Path) -> tuple[int, int, int, Iterator[bytes]]:
    """Width, height, bytes per pixel and the unfiltered rows of an 8-bit PNG."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    idat = bytearray()
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
            if depth != 8 or channels is None or interlace:
                raise ValueError(f"unexpected PNG format (depth {depth}, colour type {colour})")
            bpp = channels
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp

    def rows() -> Iterator[bytes]:
        previous = bytearray(stride)
        for y in range(height):
            start = y * (stride + 1)
            kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up = previous[i]
                corner = previous[i - bpp] if i >= bpp else 0
                if kind == 1:
                    line[i] = (line[i] + left) & 0xFF
                elif kind == 2:
                    line[i] = (line[i] + up) & 0xFF
                elif kind == 3:
                    line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
                elif kind == 4:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                    line[i] = (line[i] + pred) & 0xFF
            previous = line
            yield bytes(line)

    return width, height, bpp, rows()


def png_colours(path: Path, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> int:
    """How many different colours the PNG has inside ``box`` (fractions x0, y0, x1, y1)."""
    width, height, bpp, rows = _png_rows(path)
    x0, x1 = int(box[0] * width), int(box[2] * width)
    y0, y1 = int(box[1] * height), int(box[3] * height)
    colours: set[bytes] = set()
    for y, row in enumerate(rows):
        if y0 <= y < y1:
            colours.update(row[x * bpp : (x + 1) * bpp] for x in range(x0, x1, 2))
    return len(colours)


def check_screenshot(path: Path, size: tuple[int, int]) -> str | None:
    """None if ``path`` is a real picture of a screen; else what is wrong with it."""
    if not path.is_file() or path.stat().st_size == 0:
        return f"{path} was not written"
    try:
        width, height, _bpp, _rows = _png_rows(path)
        if (width, height) != size:
            return f"{path} is {width}x{height}, not {size[0]}x{size[1]}"
        whole = png_colours(path)
        middle = png_colours(path, MIDDLE)
    except (ValueError, zlib.error, struct.error) as exc:
        return f"{path} is not a readable PNG: {exc}"
    print(f"  {path.name}: {width}x{height}, {whole} colours, {middle} in the middle")
    if whole < 32:
        return f"{path} is nearly blank ({whole} colours)"
    if middle < 4:
        return f"the middle of {path} is blank ({middle} colours): the screen did not draw"
    return None


def clean_environment(home: Path) -> dict[str, str]:
    """What a fresh login session on an office PC has, and no Python of ours."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "GRIDDESK_PASSWORD": DEMO_PASSWORD,
    }
    if sys.platform == "win32":  # pragma: no cover - the check runs on Linux
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", r"C:\Windows")
        env["PATH"] = env["SYSTEMROOT"] + r"\System32"
    return env


def run_check(
    executable: Path | None, build: bool, views: list[str], cases: int, keep: Path | None
) -> int:
    size = (1400, 900)
    with tempfile.TemporaryDirectory(prefix="griddesk-check-") as temp:
        place = Path(temp)
        if executable is None:
            if build or not (BUNDLE / EXECUTABLE).is_file():
                build_bundle()
            # A copy away from the source tree: nothing may be found through the repository.
            copy = place / "GridDesk"
            shutil.copytree(BUNDLE, copy, symlinks=True)
            executable = copy / EXECUTABLE
        print(f"running {executable} outside any virtual environment")
        home = place / "home"
        home.mkdir()
        data = place / "data"
        env = clean_environment(home)
        steps = [[executable, "seed-demo", "--data-dir", data, "--cases", str(cases)]]
        shots = {view: (keep or place) / f"griddesk-{view}.png" for view in views}
        for view, shot in shots.items():
            user = "coordinator" if view in {"queue", "map", "reports"} else "admin"
            if view == "reception":
                user = "reception"
            steps.append(
                [
                    executable,
                    "screenshot",
                    "--data-dir",
                    data,
                    "--user",
                    user,
                    "--view",
                    view,
                    "--out",
                    shot,
                    "--size",
                    f"{size[0]}x{size[1]}",
                ]
            )
        for step in steps:
            print("+ " + " ".join(str(s) for s in step), flush=True)
            result = subprocess.run(
                [str(s) for s in step], env=env, cwd=place, timeout=600, check=False
            )
            if result.returncode != 0:
                print(f"FAILED: exit status {result.returncode}", file=sys.stderr)
                return 1
        problems = [p for p in (check_screenshot(shot, size) for shot in shots.values()) if p]
        for problem in problems:
            print(f"FAILED: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("check passed: the bundle starts outside the virtual environment and draws")
        return 0


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/build.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="target", required=True)
    linux = sub.add_parser("linux", help="PyInstaller one-folder bundle in dist/GridDesk/")
    linux.add_argument("--clean", action="store_true", help="rebuild PyInstaller's cache")
    deb = sub.add_parser("deb", help="the .deb from dist/GridDesk/ (builds it when missing)")
    deb.add_argument("--build", action="store_true", help="rebuild the bundle first")
    windows = sub.add_parser("windows", help="the Windows bundle and Inno Setup installer")
    windows.add_argument("--iscc", default="iscc", help="Inno Setup's compiler, ISCC.exe")
    sub.add_parser("windows-icon", help="make build/installer/griddesk.ico (Windows build step)")
    check = sub.add_parser("check", help="build the Linux bundle, run it clean, check screenshots")
    check.add_argument("--no-build", action="store_true", help="use the existing dist/GridDesk")
    check.add_argument("--executable", type=Path, help="test this installed program instead")
    check.add_argument("--views", default="queue,map", help="screens to take (comma-separated)")
    check.add_argument("--cases", type=int, default=500, help="demo cases to create")
    check.add_argument("--keep", type=Path, help="folder to keep the screenshots in")
    sub.add_parser("version", help="print the version from services/version.py")
    args = parser.parse_args(argv)

    if args.target == "version":
        print(read_version())
        return 0
    if args.target == "linux":
        build_bundle(clean=args.clean)
        return 0
    if args.target == "deb":
        if args.build or not (BUNDLE / "GridDesk").is_file():
            build_bundle()
        build_deb()
        return 0
    if args.target == "windows":
        return build_windows(args.iscc)
    if args.target == "windows-icon":
        make_ico(WORK / "griddesk.ico")
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        args.keep = args.keep.resolve()
    views = [v.strip() for v in args.views.split(",") if v.strip()]
    return run_check(args.executable, not args.no_build, views, args.cases, args.keep)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as failed:
        print(f"FAILED: {failed.cmd[0]} exited with status {failed.returncode}", file=sys.stderr)
        sys.exit(1)
