"""Getting a file ready to attach: told by its bytes, photos made small enough to
sync and turned upright, their GPS position read, documents stripped of it.

Qt reads photos but exposes neither EXIF's GPS nor a way to re-encode a JPEG
without it, so this uses Pillow. Nothing here writes to the store:
:func:`prepare` returns the bytes to keep and :func:`store` writes them with
:func:`services.attachments.store.write_blob`.

- A photo larger than :data:`LONG_SIDE` pixels on its long side, or than
  :data:`REENCODE_BYTES`, is turned upright (EXIF orientation), scaled to
  :data:`LONG_SIDE` and re-encoded as JPEG at :data:`QUALITY`, without EXIF.
- ``keep_original=True`` keeps the bytes as they are (the same hash), unless
  the file is a document with EXIF: a document's position is never kept.
- ``document=True`` (证件, 信件: a visitor's identity card, a letter) strips all
  EXIF, GPS included, and never offers the position.
- PDFs pass through unchanged; anything else is refused with a message that says so.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from services.attachments.store import EXTENSION, MAX_BYTES, sniff, stored_name, write_blob
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.exports import clean_file_name

LONG_SIDE = 2560
"""A photo's long side after re-encoding: sharp on a screen, about 1 MB."""
REENCODE_BYTES = 4 * 1024 * 1024
"""A photo of more bytes than this is re-encoded even when small in pixels."""
QUALITY = 85
SOURCE_MAX_BYTES = 3 * MAX_BYTES
"""A photo to be re-encoded may come larger than the protocol's limit (a 50 MP camera)."""
NAME_MAX = 120
"""docs/protocol.md: file names of at most 120 characters, without path separators."""

_NAME_EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_WGS84 = ("", "WGS-84", "WGS 84", "WGS84")

NOT_A_PHOTO = QT_TRANSLATE_NOOP(
    "services",
    "The file {name} is not a photo (JPEG, PNG, WebP) or a PDF document; "
    "only those can be attached. Save it as one of them and attach it again.",
)
TOO_BIG = QT_TRANSLATE_NOOP(
    "services", "The file {name} is {size} MB; attachments may be at most {maximum} MB."
)
UNREADABLE = QT_TRANSLATE_NOOP(
    "services", "The file {name} cannot be read; check that it still exists."
)
A_FOLDER = QT_TRANSLATE_NOOP("services", "{name} is a folder; attach files only.")


@dataclass(frozen=True)
class NewFile:
    """A file the person chose to attach, with how to keep it."""

    path: Path
    document: bool = False
    keep_original: bool = False


@dataclass(frozen=True)
class Prepared:
    """The bytes to store for one attachment, and what was learnt on the way."""

    data: bytes
    sha256: str
    content_type: str
    file_name: str
    gps: tuple[float, float] | None = None
    """(lat, lon) in WGS-84 from the photo's EXIF; never for a document."""
    reencoded: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def stored_name(self) -> str:
        return stored_name(self.sha256, self.content_type)

    def wire(self) -> dict[str, Any]:
        """The attachment entry of docs/protocol.md."""
        return {
            "sha256": self.sha256,
            "file_name": self.file_name,
            "size": self.size,
            "content_type": self.content_type,
        }


def attachment_name(name: str, content_type: str) -> str:
    """The name an attachment is recorded under: no folders, no controls, at most
    120 characters, ending in an extension of its real type (``照片.JPG`` stays,
    ``scan`` becomes ``scan.pdf``, ``invoice.pdf.exe`` holding a PDF becomes
    ``invoice.pdf.exe.pdf``)."""
    extension = EXTENSION[content_type]
    cleaned = clean_file_name(name, limit=NAME_MAX, fallback="attachment")
    if cleaned.lower().endswith(_NAME_EXTENSIONS[content_type]):
        return cleaned
    return clean_file_name(
        cleaned[: NAME_MAX - len(extension)] + extension, limit=NAME_MAX, fallback="attachment"
    )


def _refused(template: str, source: Path, **values: Any) -> ValidationError:
    return ValidationError(
        template, field="attachments", name=clean_file_name(source.name), **values
    )


def _too_big(source: Path, size: int) -> ValidationError:
    return _refused(TOO_BIG, source, size=f"{size / 1048576:.1f}", maximum=MAX_BYTES // 1048576)


def _read(source: Path, keep_original: bool) -> tuple[bytes, str]:
    """The file's bytes and content type, or the refusal a person can act on."""
    try:
        if source.is_dir():
            raise _refused(A_FOLDER, source)
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(16)
            kind = sniff(head)
            if kind is None:
                raise _refused(NOT_A_PHOTO, source)
            limit = MAX_BYTES
            if kind[0] != "application/pdf" and not keep_original:
                limit = SOURCE_MAX_BYTES  # may shrink below the limit when re-encoded
            if size > limit:
                raise _too_big(source, size)
            data = head + handle.read(limit + 1 - len(head))
    except OSError:
        raise _refused(UNREADABLE, source) from None
    if len(data) > limit:  # grew while being read
        raise _too_big(source, len(data))
    return data, kind[0]


def _degrees(value: Any) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    out = d + m / 60 + s / 3600
    return out if math.isfinite(out) else None


def read_gps(exif: Image.Exif) -> tuple[float, float] | None:
    """``(lat, lon)`` in decimal WGS-84 degrees from EXIF's GPS block, or None when
    there is none, it names another datum, or it is out of range (0, 0 included:
    a phone without a fix writes that)."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a damaged EXIF block: no position rather than no photo
        return None
    if not gps:
        return None
    datum = str(gps.get(ExifTags.GPS.GPSMapDatum, "") or "").strip().upper().rstrip("\x00")
    if datum not in _WGS84:
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude))
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude))
    if lat is None or lon is None:
        return None
    lat_ref = str(gps.get(ExifTags.GPS.GPSLatitudeRef, "N")).strip().upper()[:1]
    lon_ref = str(gps.get(ExifTags.GPS.GPSLongitudeRef, "E")).strip().upper()[:1]
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None
    lat = -lat if lat_ref == "S" else lat
    lon = -lon if lon_ref == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 7), round(lon, 7)


def _open(data: bytes) -> Image.Image | None:
    """The photo decoded lazily, or None when Pillow cannot read it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.size  # noqa: B018 - the header is read here
            return image
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        return None


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            flat = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        image.save(out, "JPEG", quality=QUALITY, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=QUALITY)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _renamed(name: str, extension: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    return stem + extension


def prepare(source: Path, *, keep_original: bool = False, document: bool = False) -> Prepared:
    """The bytes to store for ``source`` (see the module's docstring). Raises
    ValidationError (field ``attachments``) when it cannot be attached."""
    source = Path(source)
    data, content_type = _read(source, keep_original)
    name = source.name

    def kept() -> Prepared:
        if len(data) > MAX_BYTES:
            raise _too_big(source, len(data))
        sha = hashlib.sha256(data).hexdigest()
        return Prepared(data, sha, content_type, attachment_name(name, content_type), gps)

    gps: tuple[float, float] | None = None
    if content_type == "application/pdf":
        return kept()
    image = _open(data)
    if image is None:  # sniffed as a photo but unreadable to Pillow: kept as given
        return kept()
    with image:
        exif = image.getexif()
        if not document:
            gps = read_gps(exif)
        has_exif = len(exif) > 0 or "exif" in image.info
        too_large = max(image.size) > LONG_SIDE or len(data) > REENCODE_BYTES
        strip = document and has_exif
        if (keep_original or not too_large) and not strip:
            return kept()
        try:
            upright = ImageOps.exif_transpose(image) or image
            if too_large and not keep_original:
                upright.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
                fmt, content_type = "JPEG", "image/jpeg"
            else:  # a document's EXIF stripped, its format kept
                fmt = _PIL_FORMAT[content_type]
            upright.info.pop("exif", None)
            encoded = _encode(upright, fmt)
        except (OSError, ValueError):
            raise _refused(UNREADABLE, source) from None
    if len(encoded) > MAX_BYTES:
        raise _too_big(source, len(encoded))
    extension = EXTENSION[content_type]
    file_name = name
    if not file_name.lower().endswith(_NAME_EXTENSIONS[content_type]):
        file_name = _renamed(file_name, extension)
    return Prepared(
        encoded,
        hashlib.sha256(encoded).hexdigest(),
        content_type,
        attachment_name(file_name, content_type),
        gps,
        reencoded=True,
    )


def store(folder: Path, prepared: Prepared) -> Path:
    """Write ``prepared`` into the blob store ``folder`` (kept once per hash)."""
    try:
        return write_blob(folder, prepared.sha256, [prepared.data])
    except OSError:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The attachment {name} could not be saved in the data folder; "
                "check the free space on the disk.",
            ),
            field="attachments",
            name=prepared.file_name,
        ) from None


@dataclass(frozen=True)
class Inspected:
    """What a screen shows of a chosen file before it is attached."""

    content_type: str
    gps: tuple[float, float] | None = None


def inspect(source: Path) -> Inspected:
    """The file's type and the photo's GPS position, or the ValidationError that
    :func:`prepare` would raise for it (too big, not a photo or PDF, unreadable)."""
    source = Path(source)
    data, content_type = _read(source, keep_original=False)
    if content_type == "application/pdf":
        return Inspected(content_type)
    image = _open(data)
    if image is None:
        return Inspected(content_type)
    with image:
        return Inspected(content_type, read_gps(image.getexif()))
