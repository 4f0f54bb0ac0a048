"""The desk's local blob store: ``attachments/{sha[:2]}/{sha}{.ext}`` in the data
folder, content-addressed like the county's (the same file is kept once).

Files are written to a temporary name, checked against their SHA-256 and only
then renamed, so a crash or a cut download never leaves half a file under a
real name. The extension follows the content type told from the bytes, never
from a file name.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from models.private import private_dir, private_opener

MAX_BYTES = 20 * 1024 * 1024
"""The protocol's limit for one blob (PROTOCOL 1.1 "Attachments")."""

# (prefix, offset of a second mark, second mark, content type, extension)
SIGNATURES: tuple[tuple[bytes, int, bytes, str, str], ...] = (
    (b"\xff\xd8\xff", 0, b"", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, b"", "image/png", ".png"),
    (b"RIFF", 8, b"WEBP", "image/webp", ".webp"),
    (b"%PDF-", 0, b"", "application/pdf", ".pdf"),
)
EXTENSION = {content_type: ext for _p, _o, _m, content_type, ext in SIGNATURES}
CONTENT_TYPES = tuple(EXTENSION)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMismatch(ValueError):
    """The bytes are not those the hash names (a cut or altered transfer)."""


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and bool(_SHA256.match(value))


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` told from a file's first 16 bytes, or None."""
    for prefix, offset, mark, content_type, extension in SIGNATURES:
        if head.startswith(prefix) and (not mark or head[offset : offset + len(mark)] == mark):
            return content_type, extension
    return None


def stored_name(sha: str, content_type: str) -> str:
    """``ab/abcdef….jpg``: the name under the attachments folder."""
    if not is_sha256(sha):
        raise ValueError("not a SHA-256")
    return f"{sha[:2]}/{sha}{EXTENSION.get(content_type, '.bin')}"


def local_blob(folder: Path, sha: str) -> Path | None:
    """The file holding ``sha`` in ``folder``, whatever its extension; None when absent."""
    if not is_sha256(sha):
        return None
    shard = folder / sha[:2]
    for extension in (*EXTENSION.values(), ".bin"):
        candidate = shard / f"{sha}{extension}"
        if candidate.is_file():
            return candidate
    return None


class BlobWriter:
    """Blob ``sha`` written chunk by chunk as it arrives (a download streamed to disk):
    into a temporary file beside its final name, hashed on the way; :meth:`finish`
    makes it durable, checks hash, size and type and renames it; :meth:`abort` (or a
    failed :meth:`finish`) leaves nothing behind. Not thread-safe: one writer, one blob."""

    def __init__(self, folder: Path, sha: str) -> None:
        if not is_sha256(sha):
            raise BlobMismatch("not a SHA-256")
        self.folder = folder
        self.sha = sha
        self.size = 0
        self._digest = hashlib.sha256()
        self._head = b""
        self._shard = folder / sha[:2]
        private_dir(folder)  # visitors' photos and papers: this OS account's only
        private_dir(self._shard)
        self._partial = self._shard / f".{sha}.{uuid.uuid4().hex}.part"
        self._handle: BinaryIO | None = open(self._partial, "wb", opener=private_opener)  # noqa: SIM115

    def write(self, chunk: bytes) -> None:
        if self._handle is None:
            raise BlobMismatch("the file was already finished")
        self.size += len(chunk)
        if self.size > MAX_BYTES:
            self.abort()
            raise BlobMismatch("larger than the protocol allows")
        if len(self._head) < 16:
            self._head = (self._head + chunk)[:16]
        self._digest.update(chunk)
        self._handle.write(chunk)

    def finish(self) -> Path:
        """The blob's file under its real name (fsynced); BlobMismatch when the bytes
        are not that blob or not an allowed type."""
        if self._handle is None:
            raise BlobMismatch("the file was already finished")
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
            if self._digest.hexdigest() != self.sha:
                raise BlobMismatch("the bytes do not match their hash")
            kind = sniff(self._head)
            if kind is None:
                raise BlobMismatch("not a photo or PDF")
            existing = local_blob(self.folder, self.sha)
            if existing is not None:  # another download of the same file finished first
                self._partial.unlink(missing_ok=True)
                return existing
            target = self._shard / f"{self.sha}{kind[1]}"
            self._partial.replace(target)
            return target
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._partial.unlink(missing_ok=True)


def write_blob(folder: Path, sha: str, chunks: Iterable[bytes]) -> Path:
    """Store the bytes of ``chunks`` as blob ``sha``: written to a temporary file,
    checked (hash, size, type), then renamed. Raises BlobMismatch when they are
    not that blob or not an allowed type; nothing is left behind then."""
    if not is_sha256(sha):
        raise BlobMismatch("not a SHA-256")
    existing = local_blob(folder, sha)
    if existing is not None:
        return existing
    writer = BlobWriter(folder, sha)
    try:
        for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


PARTIAL_MAX_AGE = 3600.0
"""Seconds after which a ``.part`` file nothing writes to any more is a leftover."""


def sweep_partials(folder: Path, max_age: float = PARTIAL_MAX_AGE, now: float | None = None) -> int:
    """Remove the ``.<sha>.<random>.part`` files of downloads cut by a crash or a killed
    desk (a live download writes its file every moment); never a blob. Returns how many."""
    cutoff = (time.time() if now is None else now) - max_age
    removed = 0
    if not folder.is_dir():
        return 0
    for shard in folder.iterdir():
        if not (shard.is_dir() and len(shard.name) == 2):
            continue
        for partial in shard.glob(".*.part"):
            name = partial.name[1:].split(".", 1)[0]
            if not is_sha256(name):
                continue
            try:
                if partial.stat().st_mtime < cutoff:
                    partial.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
    return removed
