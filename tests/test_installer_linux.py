"""installer/build.py on Linux without building the real bundle: the C library floor
(glibc 2.28) read from real ELF files compiled here, the architecture refusal, the
Debian package's own writer (no /opt entry, icons, reproducible) on a small fake
bundle."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.test_installer import build

pytestmark = pytest.mark.skipif(
    shutil.which("readelf") is None or shutil.which("gcc") is None,
    reason="needs binutils' readelf and gcc",
)

OLD_C = "#include <string.h>\nint copy(char *d, const char *s) { return strlen(strcpy(d, s)); }\n"
# arc4random came with glibc 2.36: a library using it asks for GLIBC_2.36.
NEW_C = "#include <stdlib.h>\nunsigned int fresh(void) { return arc4random(); }\n"


def compile_so(source: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    c_file = target.with_suffix(".c")
    c_file.write_text(source, encoding="utf-8")
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-o", str(target), str(c_file)],
        check=True,
        capture_output=True,
    )
    c_file.unlink()
    return target


def glibc_of_this_machine() -> tuple[int, ...]:
    out = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout
    return tuple(int(n) for n in out.splitlines()[0].rsplit(" ", 1)[1].split("."))


@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    """A bundle folder with a program and a library that need only an old C library."""
    bundle = tmp_path / "GridDesk"
    (bundle / "_internal").mkdir(parents=True)
    compile_so(OLD_C, bundle / "_internal" / "libold.so")
    # A program linked here asks for __libc_start_main@GLIBC_2.34: a script stands in.
    program = bundle / "GridDesk"
    program.write_text("#!/bin/sh\necho GridDesk\n", encoding="utf-8")
    program.chmod(0o755)
    (bundle / "_internal" / "notes.txt").write_text("GLIBC_2.99 is only text here\n")
    return bundle


def test_version_needs_reads_what_a_file_asks_for_not_what_it_defines(fake_bundle: Path) -> None:
    needs = build.version_needs(fake_bundle / "_internal" / "libold.so")
    assert set(needs) == {"GLIBC"}
    assert build._version_key(needs["GLIBC"]) <= (2, 28)
    # libstdc++ defines GLIBCXX_3.4.x itself; it asks only for the C library's versions.
    libstdcxx = next(Path("/usr/lib").glob("*-linux-gnu/libstdc++.so.6"), None)
    if libstdcxx is not None:
        assert "GLIBCXX" not in build.version_needs(libstdcxx.resolve())
    report = build.glibc_report(fake_bundle)
    assert set(report) == {fake_bundle / "_internal" / "libold.so"}
    assert build.above_floor(report) == []
    assert build.check_glibc_floor(fake_bundle) == []


@pytest.mark.skipif(glibc_of_this_machine() < (2, 36), reason="arc4random is glibc 2.36's")
def test_a_planted_library_needing_glibc_2_36_fails_the_check_and_is_named(
    fake_bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = compile_so(NEW_C, fake_bundle / "_internal" / "PySide6" / "libplanted.so")
    assert build.version_needs(planted)["GLIBC"] == "2.36"
    problems = build.check_glibc_floor(fake_bundle)
    assert problems == [
        "_internal/PySide6/libplanted.so needs GLIBC_2.36, newer than the floor",
    ]
    assert build.glibc_needed(fake_bundle) == "2.36"  # what Depends would say
    assert build.check_glibc_floor(fake_bundle, "2.36") == []

    # `build.py check --no-build` on that bundle: exit 1 naming the file, before running it.
    monkeypatch.setattr(build, "BUNDLE", fake_bundle)
    ran = []
    monkeypatch.setattr(build.subprocess, "run", _recording_run(ran))
    assert build.main(["check", "--no-build"]) == 1
    err = capsys.readouterr().err
    assert "_internal/PySide6/libplanted.so needs GLIBC_2.36" in err
    assert "2.28" in err
    assert not [c for c in ran if str(c[0]).endswith("GridDesk")], "the bundle was run"

    # and the package is not made from it
    with pytest.raises(SystemExit, match="libplanted.so needs GLIBC_2.36"):
        build.build_deb(fake_bundle, out_dir=fake_bundle.parent / "dist", menu_check=False)


def _recording_run(ran: list[list[str]]):  # type: ignore[no-untyped-def]
    real = subprocess.run

    def recording(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(list(command))
        return real(command, *args, **kwargs)

    return recording


def test_the_floor_option_takes_only_a_version() -> None:
    with pytest.raises(SystemExit):
        build.main(["check", "--no-build", "--glibc-floor", "2.28; rm -rf /"])


def test_another_architecture_is_refused_with_what_to_do() -> None:
    assert build.check_architecture(None, "amd64") == "amd64"
    assert build.check_architecture("arm64", "arm64") == "arm64"
    with pytest.raises(SystemExit) as refused:
        build.check_architecture("arm64", "amd64")
    message = str(refused.value)
    assert "cannot build for arm64 on this amd64 machine" in message
    assert "aarch64" in message and "ARM64" in message
    with pytest.raises(SystemExit, match="unknown architecture 'mips'"):
        build.check_architecture("mips", "amd64")
    other = "amd64" if build.host_architecture() == "arm64" else "arm64"
    with pytest.raises(SystemExit, match=f"cannot build for {other}"):
        build.main(["linux", "--arch", other])


def _members(deb: Path) -> dict[str, bytes]:
    data = deb.read_bytes()
    assert data.startswith(b"!<arch>\n")
    members, pos = {}, 8
    while pos < len(data):
        header = data[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        members[name] = data[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size % 2)
    return members


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_the_package_owns_no_opt_entry_has_icons_and_is_reproducible(
    fake_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "WORK", tmp_path / "work")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build.build_deb(fake_bundle, out_dir=tmp_path / "one")
    second = build.build_deb(fake_bundle, out_dir=tmp_path / "two")
    assert (
        first.name
        == f"griddesk_{build.deb_version(build.read_version())}_{build.host_architecture()}.deb"
    )
    assert first.read_bytes() == second.read_bytes()

    members = _members(first)
    assert list(members) == ["debian-binary", "control.tar.xz", "data.tar.xz"]
    with tarfile.open(fileobj=io.BytesIO(members["data.tar.xz"])) as tar:
        entries = {m.name.rstrip("/"): m for m in tar.getmembers()}
    assert "./opt" not in entries
    assert entries["./opt/griddesk"].isdir()
    assert entries["./opt/griddesk/GridDesk"].mode == 0o755
    assert all(m.uid == 0 and m.uname == "root" for m in entries.values())
    for size in build.ICON_SIZES:
        icon = entries[f"./usr/share/icons/hicolor/{size}x{size}/apps/griddesk.png"]
        with tarfile.open(fileobj=io.BytesIO(members["data.tar.xz"])) as tar:
            png = tar.extractfile(icon).read()  # type: ignore[union-attr]
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert png.startswith(b"\x89PNG") and (width, height) == (size, size)
    assert "./usr/share/icons/hicolor/scalable/apps/griddesk.svg" in entries
    with tarfile.open(fileobj=io.BytesIO(members["control.tar.xz"])) as tar:
        control = tar.extractfile("./control").read().decode()  # type: ignore[union-attr]
        preinst = tar.getmember("./preinst")
        script = tar.extractfile(preinst).read().decode()  # type: ignore[union-attr]
    assert preinst.mode == 0o755 and "install -d -m 0755 /opt" in script
    assert f"Architecture: {build.host_architecture()}" in control
    depends = control.split("Depends: ", 1)[1].splitlines()[0]
    assert depends.startswith("libc6 (>= 2.")
    assert build._version_key(depends.split(">= ", 1)[1].split(")")[0]) <= (2, 28)
    if shutil.which("dpkg-deb"):
        listing = subprocess.run(
            ["dpkg-deb", "--contents", str(first)], capture_output=True, text=True, check=True
        ).stdout
        assert "./opt/griddesk/GridDesk" in listing
        assert not [line for line in listing.splitlines() if line.endswith(" ./opt/")]


def test_a_missing_menu_check_stops_the_build_or_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    entry = tmp_path / "griddesk.desktop"
    with pytest.raises(SystemExit, match="desktop-file-utils"):
        build.validate_menu_entry(entry)
    assert build.validate_menu_entry(entry, required=False) is False
    assert "NOT checked" in capsys.readouterr().out
