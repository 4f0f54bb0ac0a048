"""Build GridDesk's installers (see installer/README.md).

    python installer/build.py linux     # PyInstaller one-folder bundle in dist/GridDesk/
    python installer/build.py deb       # dist/griddesk_<version>_<arch>.deb from that bundle
    python installer/build.py windows   # on Windows: the bundle and the Inno Setup installer
    python installer/build.py check     # build the Linux bundle, check that no file needs a C
                                        # library newer than the floor (glibc 2.28), run it
                                        # outside any virtual environment on the demo data,
                                        # check the screenshots

The version is read from services/version.py, the one place it is written.
Only the standard library is used here (PyInstaller runs as a subprocess), so
``check`` can also test an installed package: ``check --no-build
--executable /usr/bin/griddesk``.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
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

# The oldest systems the Linux bundle is for: 统信UOS 20, 麒麟 V10 and Debian 10 have
# glibc 2.28 and GCC 8's libstdc++ (GLIBCXX_3.4.25). No bundled file may ask for more.
GLIBC_FLOOR = "2.28"
GLIBCXX_FLOOR = "3.4.25"
# Debian's architecture names, the ELF e_machine of each, and the machine names of uname.
ARCHITECTURES = {"amd64": (62, "x86_64"), "arm64": (183, "aarch64")}
# PNG sizes of the menu icon (hicolor), rendered from resources/icons/app.svg.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

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
    shown = [str(c) for c in command]
    if "-c" in shown[1:2]:  # a Python snippet: its first line is enough
        shown[2] = repr(shown[2].splitlines()[0] + " …")
    print("+ " + " ".join(shown), flush=True)
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


def build_bundle(clean: bool = False, arch: str | None = None) -> Path:
    """The PyInstaller one-folder bundle (dist/GridDesk/) for this platform."""
    if sys.platform.startswith("linux"):
        check_architecture(arch)
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
def host_architecture() -> str:
    """This machine's Debian architecture name (amd64, arm64)."""
    machine = os.uname().machine
    for arch, (_code, name) in ARCHITECTURES.items():
        if machine == name:
            return arch
    return machine


def deb_architecture() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return host_architecture()


def check_architecture(wanted: str | None, host: str | None = None) -> str:
    """The architecture to build for: the machine's own. PyInstaller bundles the Python,
    Qt and libraries of the machine it runs on, so a bundle for another one cannot be
    made here; say so and how instead of building the wrong thing."""
    host = host or host_architecture()
    if wanted is None or wanted == host:
        return host
    if wanted not in ARCHITECTURES:
        raise SystemExit(
            f"unknown architecture {wanted!r}: GridDesk is built for " + ", ".join(ARCHITECTURES)
        )
    raise SystemExit(
        f"cannot build for {wanted} on this {host} machine: the bundle takes Python, Qt and "
        f"their libraries from the machine that builds it. Build on a {wanted} machine "
        f"({ARCHITECTURES[wanted][1]}; for arm64 a 飞腾 or 鲲鹏 PC or server with 统信UOS, "
        "麒麟 or Debian 10) as installer/README.md says under 'ARM64'"
    )


def elf_machine(path: Path) -> int | None:
    """The ELF e_machine of ``path`` (62 x86-64, 183 AArch64), None if not ELF."""
    with path.open("rb") as handle:
        head = handle.read(20)
    if head[:4] != b"\x7fELF" or len(head) < 20:
        return None
    order = "<" if head[5] == 1 else ">"
    (machine,) = struct.unpack(order + "H", head[18:20])
    return int(machine)


def elf_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


_NEEDS_SECTION = re.compile(r"^Version needs section .*?(?=^Version \w+ section|\Z)", re.M | re.S)
_NEEDED_VERSION = re.compile(r"Name: (GLIBC|GLIBCXX)_(\d+(?:\.\d+)+)\b")


def version_needs(path: Path) -> dict[str, str]:
    """The newest ``GLIBC_`` and ``GLIBCXX_`` versions ``path`` asks for (its ELF
    version-needs section, read with binutils' ``readelf -V``): {"GLIBC": "2.34", …}.
    The versions a library defines itself (a bundled libstdc++) are not needs."""
    out = subprocess.run(
        ["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=False
    ).stdout
    newest: dict[str, str] = {}
    for section in _NEEDS_SECTION.findall(out):
        for library, version in _NEEDED_VERSION.findall(section):
            if library not in newest or _version_key(version) > _version_key(newest[library]):
                newest[library] = version
    return newest


def glibc_report(folder: Path) -> dict[Path, dict[str, str]]:
    """Every ELF file of ``folder`` with the C (and C++) library versions it needs."""
    if shutil.which("readelf") is None:
        raise SystemExit("readelf is needed (package binutils)")
    return {path: needs for path in elf_files(folder) if (needs := version_needs(path))}


def above_floor(
    report: dict[Path, dict[str, str]],
    glibc_floor: str = GLIBC_FLOOR,
    glibcxx_floor: str = GLIBCXX_FLOOR,
) -> list[tuple[Path, str]]:
    """The files that ask for more than the floor, each with what it asks for."""
    floors = {"GLIBC": glibc_floor, "GLIBCXX": glibcxx_floor}
    found = []
    for path, needs in sorted(report.items()):
        over = [
            f"{library}_{version}"
            for library, version in sorted(needs.items())
            if _version_key(version) > _version_key(floors[library])
        ]
        if over:
            found.append((path, ", ".join(over)))
    return found


def newest_need(report: dict[Path, dict[str, str]], library: str = "GLIBC") -> str | None:
    versions = [needs[library] for needs in report.values() if library in needs]
    return max(versions, key=_version_key) if versions else None


def glibc_needed(folder: Path) -> str:
    """The newest ``GLIBC_2.x`` any bundled ELF file asks for: the bundle runs on systems
    with that C library or newer (``libc6 (>= …)`` in Depends)."""
    return newest_need(glibc_report(folder)) or "2.17"


def check_glibc_floor(
    folder: Path, glibc_floor: str = GLIBC_FLOOR, glibcxx_floor: str = GLIBCXX_FLOOR
) -> list[str]:
    """What stops the bundle in ``folder`` running on the floor's systems, one line per
    file (empty when nothing does). Prints the newest versions found."""
    report = glibc_report(folder)
    print(
        f"C library: the bundle's {len(report)} ELF files ask for GLIBC_"
        f"{newest_need(report) or '-'} and GLIBCXX_{newest_need(report, 'GLIBCXX') or '-'} "
        f"at most (floor: GLIBC_{glibc_floor}, GLIBCXX_{glibcxx_floor})"
    )
    return [
        f"{path.relative_to(folder)} needs {what}, newer than the floor"
        for path, what in above_floor(report, glibc_floor, glibcxx_floor)
    ]


def floor_problem_text(problems: list[str], glibc_floor: str) -> str:
    return (
        f"{len(problems)} file(s) of the bundle need a C library newer than glibc "
        f"{glibc_floor} (统信UOS 20, 麒麟 V10, Debian 10 have 2.28):\n  "
        + "\n  ".join(problems)
        + "\nBuild on a glibc 2.28 system (installer/README.md, 'The C library'), or pass "
        "--glibc-floor to accept a newer one knowingly."
    )


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
    for path in elf_files(folder):
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

# /opt belongs to the system, not to this package: the package's files hold no entry
# for it (so removing the package never tries to remove /opt, or warns that it is not
# empty), and this makes it where a minimal system has none, before unpacking.
UNOWNED_DIRS = ("./opt/",)
PREINST = """#!/bin/sh
set -e
# /opt is not the package's own (its removal must not touch it): make it when missing.
[ -d /opt ] || install -d -m 0755 /opt
exit 0
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


def _tar_xz(
    root: Path, epoch: int, skip: tuple[str, ...] = (), leave_out: tuple[str, ...] = ()
) -> bytes:
    """``root`` as a reproducible xz-compressed tar (sorted, owned by root, one time),
    without the directory entries in ``skip`` and the top-level names in ``leave_out``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz", format=tarfile.GNU_FORMAT) as tar:

        def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = epoch
            return info

        tar.add(root, arcname=".", recursive=False, filter=owned_by_root)
        paths = (p for p in root.rglob("*") if p.relative_to(root).parts[0] not in leave_out)
        for path in sorted(paths, key=lambda p: p.relative_to(root).parts):
            name = "./" + path.relative_to(root).as_posix()
            if path.is_dir() and not path.is_symlink() and name + "/" in skip:
                continue
            tar.add(path, arcname=name, recursive=False, filter=owned_by_root)
    return buffer.getvalue()


def _ar(members: list[tuple[str, bytes]], epoch: int) -> bytes:
    """A Debian archive (``ar``) of ``members``."""
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        header = (
            f"{name:<16}{epoch:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}".encode("ascii")
            + b"`\n"
        )
        out += header + data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def write_deb(stage: Path, target: Path, epoch: int) -> Path:
    """The package of ``stage`` (``DEBIAN/`` and the files) as dpkg-deb would write it,
    but without the entries of UNOWNED_DIRS, byte for byte the same for the same stage."""
    control = _tar_xz(stage / "DEBIAN", epoch)
    data = _tar_xz(stage, epoch, skip=UNOWNED_DIRS, leave_out=("DEBIAN",))
    target.write_bytes(
        _ar(
            [
                ("debian-binary", b"2.0\n"),
                ("control.tar.xz", control),
                ("data.tar.xz", data),
            ],
            epoch,
        )
    )
    return target


def render_icons(target_root: Path, sizes: Sequence[int] = ICON_SIZES) -> list[Path]:
    """resources/icons/app.svg as ``hicolor/<n>x<n>/apps/griddesk.png`` under
    ``target_root`` (rendered with Qt: no icon files of anyone else's)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import Qt\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "app = QGuiApplication(['icons'])\n"
        "renderer = QSvgRenderer(sys.argv[1])\n"
        "for size in (int(n) for n in sys.argv[3:]):\n"
        "    image = QImage(size, size, QImage.Format.Format_ARGB32)\n"
        "    image.fill(Qt.GlobalColor.transparent)\n"
        "    painter = QPainter(image)\n"
        "    painter.setRenderHint(QPainter.RenderHint.Antialiasing)\n"
        "    renderer.render(painter)\n"
        "    painter.end()\n"
        "    out = Path(sys.argv[2]) / f'{size}x{size}' / 'apps' / 'griddesk.png'\n"
        "    out.parent.mkdir(parents=True, exist_ok=True)\n"
        "    if not image.save(str(out), 'PNG'):\n"
        "        sys.exit(f'could not write {out}')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    run([sys.executable, "-c", code, APP_ICON, target_root, *map(str, sizes)], env=env)
    return [target_root / f"{n}x{n}" / "apps" / "griddesk.png" for n in sizes]


def validate_menu_entry(path: Path, required: bool = True) -> bool:
    """desktop-file-validate on the menu entry. Missing, it stops the build unless
    ``required`` is off, and then says plainly that the entry was not checked."""
    if shutil.which("desktop-file-validate") is None:
        if required:
            raise SystemExit(
                "desktop-file-validate is needed to check the menu entry: install it "
                "(apt-get install desktop-file-utils) or pass --no-menu-check"
            )
        print("WARNING: the menu entry was NOT checked (desktop-file-validate is missing)")
        return False
    run(["desktop-file-validate", path])
    return True


def build_deb(
    bundle: Path = BUNDLE,
    *,
    arch: str | None = None,
    glibc_floor: str = GLIBC_FLOOR,
    menu_check: bool = True,
    out_dir: Path = DIST,
) -> Path:
    """A reproducible .deb of the bundle: /opt/griddesk, /usr/bin/griddesk, menu entry, icons."""
    if not (bundle / "GridDesk").is_file():
        raise SystemExit(
            f"no Linux bundle in {bundle}: run `.venv/bin/python installer/build.py linux`"
        )
    arch = check_architecture(arch, deb_architecture())
    machine = elf_machine(bundle / "GridDesk")
    if machine is not None and machine != ARCHITECTURES.get(arch, (machine,))[0]:
        names = {code: name for name, (code, _u) in ARCHITECTURES.items()}
        raise SystemExit(
            f"{bundle / 'GridDesk'} is a {names.get(machine, f'machine {machine}')} program, "
            f"not {arch}: rebuild the bundle on this machine"
        )
    if shutil.which("readelf") is None:
        raise SystemExit("readelf is needed (package binutils)")
    problems = check_glibc_floor(bundle, glibc_floor)
    if problems:
        raise SystemExit(floor_problem_text(problems, glibc_floor))
    version = read_version()
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
    validate_menu_entry(applications / "griddesk.desktop", required=menu_check)
    hicolor = stage / "usr" / "share" / "icons" / "hicolor"
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(APP_ICON, hicolor / "scalable" / "apps" / "griddesk.svg")
    render_icons(hicolor)
    doc = stage / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copyfile(LINUX_FILES / "copyright", doc / "copyright")
    installed_kb = (folder_size(stage) + 1023) // 1024
    depends = deb_depends(system_libraries(opt), glibc_needed(opt))
    print("Depends: " + ", ".join(depends))
    debian = stage / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        control_file(version, arch, installed_kb, depends), encoding="utf-8"
    )
    (debian / "preinst").write_text(PREINST, encoding="utf-8")
    (debian / "preinst").chmod(0o755)
    _normalise(stage, epoch)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = write_deb(stage, out_dir / f"{PACKAGE}_{deb_version(version)}_{arch}.deb", epoch)
    if shutil.which("dpkg-deb"):  # the package reads back as dpkg sees it
        subprocess.run(["dpkg-deb", "--info", str(target)], check=True, stdout=subprocess.DEVNULL)
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


def floor_check_folder(executable: Path | None) -> Path | None:
    """The bundle whose C library needs ``check`` reads: dist/GridDesk, or the folder of
    an installed GridDesk program (through the /usr/bin wrapper to /opt/griddesk)."""
    if executable is None:
        return BUNDLE
    program = executable.resolve()
    if program.is_file() and elf_machine(program) is None:  # the .deb's shell wrapper
        installed = Path(INSTALL_DIR) / "GridDesk"
        program = installed if installed.is_file() else program
    return program.parent if program.is_file() and elf_machine(program) is not None else None


def run_check(
    executable: Path | None,
    build: bool,
    views: list[str],
    cases: int,
    keep: Path | None,
    glibc_floor: str = GLIBC_FLOOR,
    arch: str | None = None,
) -> int:
    size = (1400, 900)
    if executable is None and (build or not (BUNDLE / EXECUTABLE).is_file()):
        build_bundle(arch=arch)
    folder = floor_check_folder(executable)
    if folder is None:
        print(f"WARNING: {executable} is not a GridDesk bundle: its C library needs not checked")
    elif sys.platform.startswith("linux"):
        floor_problems = check_glibc_floor(folder, glibc_floor)
        if floor_problems:
            print("FAILED: " + floor_problem_text(floor_problems, glibc_floor), file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="griddesk-check-") as temp:
        place = Path(temp)
        if executable is None:
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
        print(
            "check passed: the bundle starts outside the virtual environment and draws, "
            f"and no file of it needs more than glibc {glibc_floor}"
        )
        return 0


# ---------------------------------------------------------------------- main
def floor_argument(value: str) -> str:
    if not re.fullmatch(r"2\.\d+", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a glibc version like 2.28")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/build.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="target", required=True)
    linux = sub.add_parser("linux", help="PyInstaller one-folder bundle in dist/GridDesk/")
    linux.add_argument("--clean", action="store_true", help="rebuild PyInstaller's cache")
    deb = sub.add_parser("deb", help="the .deb from dist/GridDesk/ (builds it when missing)")
    deb.add_argument("--build", action="store_true", help="rebuild the bundle first")
    deb.add_argument(
        "--no-menu-check",
        action="store_true",
        help="build without desktop-file-validate (says so: the menu entry is not checked)",
    )
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
    for command in (linux, deb, check):
        command.add_argument(
            "--arch",
            choices=sorted(ARCHITECTURES),
            help="the architecture to build for: only this machine's own (default)",
        )
    for command in (deb, check):
        command.add_argument(
            "--glibc-floor",
            default=GLIBC_FLOOR,
            type=floor_argument,
            metavar="2.X",
            help=f"the oldest C library the bundle must run on (default {GLIBC_FLOOR})",
        )
    args = parser.parse_args(argv)

    if args.target == "version":
        print(read_version())
        return 0
    if args.target == "linux":
        build_bundle(clean=args.clean, arch=args.arch)
        return 0
    if args.target == "deb":
        check_architecture(args.arch)
        if args.build or not (BUNDLE / "GridDesk").is_file():
            build_bundle(arch=args.arch)
        build_deb(arch=args.arch, glibc_floor=args.glibc_floor, menu_check=not args.no_menu_check)
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
    return run_check(
        args.executable,
        not args.no_build,
        views,
        args.cases,
        args.keep,
        glibc_floor=args.glibc_floor,
        arch=args.arch,
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as failed:
        print(f"FAILED: {failed.cmd[0]} exited with status {failed.returncode}", file=sys.stderr)
        sys.exit(1)
