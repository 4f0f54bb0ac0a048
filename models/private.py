"""Visitors' personal data at rest: the desk's data folder and everything in it are
for this OS account only — folders 0700, files 0600 — on Linux and macOS, whatever
the umask. Files are created with that mode (``os.open(..., 0o600)`` and a
``chmod``, since the umask can only take bits away), and :func:`tighten` takes
group and other access away from what an older version (or a copy made with
``cp``) left readable.

On Windows nothing is changed: the data folder is in the user's own profile
(``%LOCALAPPDATA%``), whose ACLs already keep other accounts out.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

POSIX = os.name == "posix"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_dir(path: Path) -> Path:
    """``path`` made 0700 (and missing parents) when it is not there. An existing folder
    is left as it is: :func:`tighten` at the start deals with those and says so."""
    path = Path(path)
    if path.is_dir():
        return path
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if POSIX:
        os.chmod(path, PRIVATE_DIR)  # the umask may have taken the owner's bits too
    return path


def private_opener(path: str | os.PathLike[str], flags: int) -> int:
    """An ``opener=`` for :func:`open`: a file it creates is 0600, not 0666 less the
    umask. An existing file is opened as it is (:func:`tighten` deals with those)."""
    if not flags & os.O_CREAT:
        return os.open(path, flags)
    try:
        descriptor = os.open(path, flags | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return os.open(path, flags & ~os.O_CREAT)
    if POSIX:
        try:
            os.fchmod(descriptor, PRIVATE_FILE)
        except OSError:
            os.close(descriptor)
            raise
    return descriptor


def create_private_file(path: Path) -> Path:
    """An empty 0600 file at ``path`` unless one is there (an existing one is left as it is)."""
    os.close(private_opener(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)))
    return Path(path)


@dataclass
class Tightened:
    """What :func:`tighten` changed: paths with their modes before and after."""

    changed: list[tuple[Path, int, int]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.failed)

    def summary(self, folder: Path, shown: int = 5) -> str:
        """One line for the log: how many folders and files, the first few by name."""
        folders = sum(1 for _p, before, _a in self.changed if stat.S_ISDIR(before))
        files = len(self.changed) - folders
        names = ", ".join(
            f"{_relative(path, folder)} {stat.S_IMODE(before):o}→{stat.S_IMODE(after):o}"
            for path, before, after in self.changed[:shown]
        )
        more = len(self.changed) - shown
        line = (
            f"data folder {folder} was readable by other accounts: took their access away "
            f"from {folders} folder(s) and {files} file(s)"
        )
        if names:
            line += f" ({names}{f' and {more} more' if more > 0 else ''})"
        if self.failed:
            line += "; could not change " + ", ".join(
                f"{_relative(path, folder)} ({why})" for path, why in self.failed[:shown]
            )
        return line


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder)) or "."
    except ValueError:
        return str(path)


def tighten(folder: Path) -> Tightened:
    """Take group and other access away from ``folder`` and everything under it (POSIX;
    nothing on Windows). Symbolic links are neither followed nor changed; files of other
    owners are reported, not skipped silently. The owner's own bits stay as they are, so
    a file marked read-only stays read-only."""
    result = Tightened()
    if not POSIX:
        return result
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return result

    def visit(path: Path) -> None:
        try:
            info = path.lstat()
        except OSError as exc:
            result.failed.append((path, exc.strerror or str(exc)))
            return
        if stat.S_ISLNK(info.st_mode) or not info.st_mode & _OTHERS:
            return
        if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
            return
        mode = stat.S_IMODE(info.st_mode)
        try:
            os.chmod(path, mode & ~_OTHERS)  # a regular file or folder: lstat said so
        except OSError as exc:
            result.failed.append((path, exc.strerror or str(exc)))
            return
        result.changed.append((path, info.st_mode, (info.st_mode & ~0o7777) | (mode & ~_OTHERS)))

    visit(folder)
    for top, dirs, files in os.walk(folder, followlinks=False):
        base = Path(top)
        for name in sorted(dirs) + sorted(files):
            visit(base / name)
    return result
