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
import uuid
from collections.abc import Iterable
from pathlib import Path

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


def write_blob(folder: Path, sha: str, chunks: Iterable[bytes]) -> Path:
    """Store the bytes of ``chunks`` as blob ``sha``: written to a temporary file,
    checked (hash, size, type), then renamed. Raises BlobMismatch when they are
    not that blob or not an allowed type; nothing is left behind then."""
    if not is_sha256(sha):
        raise BlobMismatch("not a SHA-256")
    existing = local_blob(folder, sha)
    if existing is not None:
        return existing
    shard = folder / sha[:2]
    shard.mkdir(parents=True, exist_ok=True)
    partial = shard / f".{sha}.{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise BlobMismatch("larger than the protocol allows")
                if len(head) < 16:
                    head = (head + chunk)[:16]
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if digest.hexdigest() != sha:
            raise BlobMismatch("the bytes do not match their hash")
        kind = sniff(head)
        if kind is None:
            raise BlobMismatch("not a photo or PDF")
        target = shard / f"{sha}{kind[1]}"
        partial.replace(target)
        return target
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
