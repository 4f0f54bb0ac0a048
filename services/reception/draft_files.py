"""The files picked on a form that keeps a crash-recovery draft (the reception form).

A picked photo or scan is copied at once into ``attachments/.drafts/<sha256>/<name>``
(written to a temporary name and renamed), and the form works from that copy: the
original may be moved, renamed or on a USB stick that is pulled out, and the visit
still goes in with its files, after a crash too. The draft records each file as
``{"sha256", "name", "document"}`` (and the form's "keep the originals" tick), so a
restored draft finds its files again by hash and shows them under their own names.

The ``drafts`` rows are the truth: :func:`release_files` removes every copy no saved
draft names, after a draft is saved, submitted or discarded. These copies are never
the desk's blob store (``attachments/ab/…``): removing them never touches a file an
event names.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.private import private_dir, private_opener
from models.tables import Draft
from services.attachments.store import is_sha256
from services.reports.exports import clean_file_name

log = logging.getLogger(__name__)

DRAFT_FILES = ".drafts"
_CHUNK = 1 << 20


def draft_files_folder(attachments: Path) -> Path:
    """``.drafts`` in the desk's attachments folder."""
    return Path(attachments) / DRAFT_FILES


@dataclass(frozen=True)
class DraftFile:
    """A picked file kept for a draft: its copy, hash and the name it was picked under."""

    path: Path
    sha256: str
    name: str


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def kept(folder: Path, path: Path) -> DraftFile | None:
    """``path`` as a kept copy when it is one (``folder/<sha>/<name>``), else None."""
    path = Path(path)
    parent = path.parent
    if parent.parent != Path(folder) or not is_sha256(parent.name):
        return None
    return DraftFile(path, parent.name, path.name)


def keep_file(folder: Path, source: Path) -> DraftFile:
    """Copy ``source`` into the drafts folder (once per hash and name); raises OSError
    when it cannot be read or written. A file already kept is returned as it is."""
    already = kept(folder, source)
    if already is not None and already.path.is_file():
        return already
    source = Path(source)
    name = clean_file_name(source.name, fallback="attachment")
    sha = _digest(source)
    target = Path(folder) / sha / name
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        return DraftFile(target, sha, name)
    for level in (Path(folder).parent, Path(folder), target.parent):
        private_dir(level)  # attachments/.drafts/<sha>: a visitor's papers, 0700
    partial = target.parent / f".{uuid.uuid4().hex}.part"
    try:
        with source.open("rb") as src, open(partial, "wb", opener=private_opener) as dst:
            digest = hashlib.sha256()
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha:
            raise OSError(f"{source} changed while it was copied")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return DraftFile(target, sha, name)


def entries_of(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The well-formed file entries of a draft's payload."""
    files = payload.get("files")
    if not isinstance(files, list):
        return []
    return [
        dict(e)
        for e in files
        if isinstance(e, Mapping) and is_sha256(e.get("sha256")) and isinstance(e.get("name"), str)
    ]


@dataclass
class Restored:
    """A draft's files found again (with their "document" tick), and the names lost."""

    found: list[tuple[DraftFile, bool]]
    lost: list[str]


def restore_files(folder: Path, payload: Mapping[str, Any]) -> Restored:
    """The kept copies a saved draft names, each checked against its hash."""
    out = Restored([], [])
    for entry in entries_of(payload):
        sha = str(entry["sha256"])
        name = clean_file_name(entry["name"], fallback="attachment")
        path = Path(folder) / sha / name
        try:
            good = path.is_file() and _digest(path) == sha
        except OSError:
            good = False
        if good:
            out.found.append((DraftFile(path, sha, name), bool(entry.get("document"))))
        else:
            log.warning("the draft's file %s (%s) is gone or altered", name, sha[:12])
            out.lost.append(name)
    return out


def named_by_drafts(session: Session) -> set[str]:
    """The hashes of the files any saved draft names (every form, every person)."""
    shas: set[str] = set()
    for payload in session.scalars(select(Draft.payload)):
        if isinstance(payload, Mapping):
            shas.update(str(e["sha256"]) for e in entries_of(payload))
    return shas


def release_files(session: Session, folder: Path, keep: Iterable[str] = ()) -> int:
    """Remove the kept copies no saved draft names (nor ``keep``: a form's files not
    saved in a draft yet); how many folders were removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    wanted = named_by_drafts(session) | set(keep)
    removed = 0
    for entry in folder.iterdir():
        if entry.name in wanted or not is_sha256(entry.name) or not entry.is_dir():
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed
