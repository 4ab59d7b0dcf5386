"""Content-addressed file storage with content checks (never trust a file's name).

Files live under UPLOAD_FOLDER as ``ab/cdef...`` (SHA-256 of the bytes); the same bytes are stored
once. ``check_upload`` decides what a file *is* by decoding it: images with Pillow, PDFs with pypdf.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.errors import Invalid

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
PDF_TYPE = "application/pdf"


@dataclass
class CheckedFile:
    data: bytes
    mime: str
    filename: str
    sha256: str
    width: int | None = None
    height: int | None = None
    exif: dict = field(default_factory=dict)  # {"taken_at": datetime, "gps": (lat, lon)} when present

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def _exif(img) -> dict:
    result: dict = {}
    try:
        exif = img.getexif()
    except Exception:  # a broken EXIF block is no reason to refuse the photo
        return result
    from PIL import ExifTags

    sub = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if raw:
        with contextlib.suppress(ValueError):
            result["taken_at"] = datetime.strptime(str(raw).strip("\x00"), "%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo) if exif else {}
    if gps and 2 in gps and 4 in gps:
        try:
            def deg(v):
                return float(v[0]) + float(v[1]) / 60 + float(v[2]) / 3600

            lat = deg(gps[2]) * (-1 if gps.get(1) == "S" else 1)
            lon = deg(gps[4]) * (-1 if gps.get(3) == "W" else 1)
            result["gps"] = (round(lat, 6), round(lon, 6))
        except (TypeError, ValueError, ZeroDivisionError, IndexError):
            pass
    return result


def check_upload(data: bytes, filename: str, *, allow_pdf: bool = True, allow_image: bool = True,
                 field_name: str = "file") -> CheckedFile:
    """Identify ``data`` by its content; raise Invalid (naming ``field_name``) if it is not allowed."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if not data:
        raise Invalid(fields={field_name: _("The file is empty.")})
    if len(data) > limit:
        raise Invalid(fields={field_name: _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))})
    digest = hashlib.sha256(data).hexdigest()
    name = Path(filename or "upload").name[:200]
    if allow_pdf and data[:5] == b"%PDF-":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except (PdfReadError, ValueError, KeyError, TypeError, OSError):
            pages = 0
        if pages < 1:
            raise Invalid(fields={field_name: _("The file is not a readable PDF document.")})
        return CheckedFile(data=data, mime=PDF_TYPE, filename=name, sha256=digest)
    if allow_image:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                img.verify()  # structure check
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # full decode: a truncated file fails here
                width, height = img.size
                exif = _exif(img)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            fmt = None
        if fmt in IMAGE_TYPES:
            return CheckedFile(data=data, mime=IMAGE_TYPES[fmt], filename=name, sha256=digest,
                               width=width, height=height, exif=exif)
    if allow_image and allow_pdf:
        message = _("Only photos (JPEG, PNG, WebP) and PDF documents are accepted; this file is neither.")
    elif allow_image:
        message = _("Only photos (JPEG, PNG, WebP) are accepted; this file is not an image.")
    else:
        message = _("Only PDF documents are accepted; this file is not a PDF.")
    raise Invalid(fields={field_name: message})


def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return _root() / sha256[:2] / sha256[2:]


def save(data: bytes) -> str:
    """Store bytes (idempotent) and return their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: readers never see half a file
    return digest


def load(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
