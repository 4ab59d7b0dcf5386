"""Content-addressed file storage with content checks (never trust a file's name).

Files live under UPLOAD_FOLDER as ``ab/cdef...`` (SHA-256 of the bytes); the same bytes are stored
once. ``check_upload`` decides what a file *is* by decoding it: images with Pillow, PDFs with pypdf.

What an upload may cost is bounded before anything is decoded: the byte size (MAX_UPLOAD_BYTES), the
pixel count read from the image's header (MAX_IMAGE_PIXELS), and the number of decodes running at once
in one worker process (IMAGE_DECODE_CONCURRENCY; others wait up to IMAGE_DECODE_WAIT_SECONDS, then 503).
PDFs that carry active content (JavaScript, embedded files, launch actions...) are refused.

``load`` checks every file it reads against its SHA-256: a missing or altered file is never served; it
answers 404 and an ERROR on the ``shuangkong.integrity`` log. ``save`` writes through a unique temporary
name (concurrent uploads of the same file do not collide) and answers 507 when the disk is full, leaving
no debris. ``send`` is the one way a stored file goes out over HTTP (nosniff, a safe Content-Disposition).
``check_files`` is ``shuangkong storage check``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import tempfile
import threading
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import Invalid, NotFound, ServiceError
from app.extensions import limiter
from app.integrity import log as integrity_log
from app.registry import point

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
PDF_TYPE = "application/pdf"
TMP_SUFFIX = ".tmp"
GPS_IFD = 0x8825


class StorageFull(ServiceError):
    status = 507
    code = "insufficient_storage"
    default_message = _l("The server's storage is full; the file was not saved. Please tell the "
                         "administrator and try again later.")


class Busy(ServiceError):
    status = 503
    code = "busy"
    default_message = _l("The server is busy processing other photos; please try again in a moment.")


class FileUnavailable(NotFound):
    """A stored file that is missing or does not match its SHA-256: never served (404, logged)."""

    code = "file_unavailable"
    default_message = _l("This file cannot be provided: the stored copy is missing or damaged. "
                         "The administrator has been notified by the integrity log.")


# --- uploads per user ----------------------------------------------------------------------------

def _uploader_key() -> str:

    user_id = getattr(current_user, "id", None)
    return f"user:{user_id}" if user_id is not None else f"address:{request.remote_addr}"


# Requests that carry files, counted per user across the UI and the API (one budget, "uploads"); a
# POST without a file (a comment, an acceptance) is not counted. Decorate every route taking uploads.
upload_limit = limiter.shared_limit(lambda: current_app.config["UPLOAD_RATE_LIMIT"], scope="uploads",
                                    key_func=_uploader_key, methods=["POST"],
                                    exempt_when=lambda: not request.files)


def read_limited(upload) -> bytes:
    """Read an uploaded file, at most one byte past the limit (check_upload then names the limit)."""
    return upload.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


# --- what references stored files ---------------------------------------------------------------

# name -> fn() yielding the SHA-256 of every stored file the database refers to; features register
# theirs in init_app (``storage check`` calls a file nobody refers to an orphan).
REFERENCES = point("storage.references", "name -> fn() -> iterable of SHA-256")


def register_references(name: str, fn: Callable[[], Iterable[str]]) -> None:
    REFERENCES.add(name, fn)


def referenced() -> dict[str, set[str]]:
    """{sha256: {who refers to it}} over every registered reference."""
    out: dict[str, set[str]] = {}
    for name, fn in REFERENCES.items():
        for digest in fn():
            if digest:
                out.setdefault(digest, set()).add(name)
    return out


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


def safe_filename(name: str | None, default: str = "file") -> str:
    """The uploaded name reduced to something safe to store, show and send back in a header: no path,
    no control or format characters (CR/LF, bidi overrides), none of ``"\\/<>:|?*``."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if c in '"<>:|?*' else c for c in name
                   if not unicodedata.category(c).startswith("C"))
    name = name.strip(" .")[:200]
    return name or default


def _exif(img) -> dict:
    result: dict = {}
    try:
        exif = img.getexif()
    except Exception:  # a broken EXIF block is no reason to refuse the photo
        return result
    from PIL import ExifTags  # lazy: only for images

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


# --- bounded decoding ------------------------------------------------------------------------------

_decode_lock = threading.Lock()
_decode_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _slots() -> threading.BoundedSemaphore:
    global _decode_slots
    size = max(1, int(current_app.config.get("IMAGE_DECODE_CONCURRENCY", 2)))
    with _decode_lock:
        if _decode_slots is None or _decode_slots[0] != size:
            _decode_slots = (size, threading.BoundedSemaphore(size))
        return _decode_slots[1]


@contextlib.contextmanager
def decode_slot():
    """One of the worker's few decode slots, or 503 after waiting IMAGE_DECODE_WAIT_SECONDS: a burst of
    large photos queues instead of multiplying a worker's memory."""
    slots = _slots()
    if not slots.acquire(timeout=float(current_app.config.get("IMAGE_DECODE_WAIT_SECONDS", 10))):
        raise Busy()
    try:
        yield
    finally:
        slots.release()


def _too_many_pixels(width: int, height: int) -> bool:
    return width * height > int(current_app.config["MAX_IMAGE_PIXELS"])


# --- PDFs: no active content -------------------------------------------------------------------------

# Keys and name values that make a PDF do something when opened or clicked: scripts, embedded or
# attached files, launching programs, multimedia, XFA forms, sending data away.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia", "/XFA"}
_ACTIVE_NAMES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/FileAttachment", "/RichMedia", "/GoToE",
                 "/ImportData", "/SubmitForm", "/Sound", "/Movie", "/Rendition"}
_PDF_WALK_LIMIT = 200_000


def pdf_active_content(reader) -> str | None:
    """The first active element reachable from the PDF's trailer (name), or None."""
    # lazy: only for PDFs
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    steps = 0
    while stack:
        steps += 1
        if steps > _PDF_WALK_LIMIT:
            return "too many objects"
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in _ACTIVE_KEYS:
                    return str(key)
                if key in ("/S", "/Subtype", "/Type") and isinstance(value, NameObject) and value in _ACTIVE_NAMES:
                    return str(value)
                if key not in ("/Parent", "/P"):  # back references lead to objects seen anyway
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def _check_pdf(data: bytes, field_name: str) -> None:
    from pypdf import PdfReader  # lazy: only for PDFs
    from pypdf.errors import PdfReadError  # lazy: only for PDFs

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        active = pdf_active_content(reader) if pages else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, RecursionError):
        pages, active = 0, None
    if pages < 1:
        raise Invalid(fields={field_name: _("The file is not a readable PDF document.")})
    if active is not None:
        raise Invalid(fields={field_name: _(
            "This PDF contains active content (scripts, embedded files or actions) and is refused; "
            "print it to a plain PDF and upload that.")})


def check_upload(data: bytes, filename: str, *, allow_pdf: bool = True, allow_image: bool = True,
                 field_name: str = "file") -> CheckedFile:
    """Identify ``data`` by its content; raise Invalid (naming ``field_name``) if it is not allowed."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if not data:
        raise Invalid(fields={field_name: _("The file is empty.")})
    if len(data) > limit:
        raise Invalid(fields={field_name: _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))})
    digest = hashlib.sha256(data).hexdigest()
    name = safe_filename(filename, "upload")
    if allow_pdf and data[:5] == b"%PDF-":
        _check_pdf(data, field_name)
        return CheckedFile(data=data, mime=PDF_TYPE, filename=name, sha256=digest)
    if allow_image:
        from PIL import Image, UnidentifiedImageError  # lazy: only for images

        fmt = None
        try:
            # Reads the header only; Pillow's own warning is moot, the size is checked right below.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as img:
                    fmt, (width, height) = img.format, img.size
        except Image.DecompressionBombError:  # Pillow's own ceiling, far above ours
            fmt, width, height = "bomb", 0, 0
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            fmt = None
        if fmt == "bomb" or (fmt in IMAGE_TYPES and _too_many_pixels(width, height)):
            raise Invalid(fields={field_name: _(
                "The image has too many pixels; at most %(mp)s megapixels are accepted. Send a smaller photo.",
                mp=int(current_app.config["MAX_IMAGE_PIXELS"]) // 1_000_000)})
        try:
            if fmt in IMAGE_TYPES:
                with decode_slot(), Image.open(io.BytesIO(data)) as img:
                    img.verify()  # structure check
                    with Image.open(io.BytesIO(data)) as full:
                        full.load()  # full decode: a truncated file fails here
                        exif = _exif(full)
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


# --- the files ---------------------------------------------------------------------------------------

def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def is_digest(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def path_for(sha256: str) -> Path:
    if not is_digest(sha256):
        raise ValueError("not a sha256 hex digest")
    return _root() / sha256[:2] / sha256[2:]


def save(data: bytes) -> str:
    """Store bytes (idempotent) and return their SHA-256.

    The bytes go to a temporary file of a unique name in the target's folder, then are renamed over
    the target (atomic: readers never see half a file; two writers of the same bytes both succeed).
    A full disk answers StorageFull (507) and the temporary file is removed.
    """
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    tmp_name = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{digest[2:10]}.", suffix=TMP_SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            current_app.logger.error("storage full: could not write %s bytes (%s)", len(data), exc)
            raise StorageFull() from None
        raise
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return digest


def load(sha256: str) -> bytes:
    """The stored bytes, checked against their SHA-256; FileUnavailable (404, logged) if missing or altered."""
    path = path_for(sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        integrity_log.error("stored file %s is missing (%s)", sha256, path)
        raise FileUnavailable() from None
    if hashlib.sha256(data).hexdigest() != sha256:
        integrity_log.error("stored file %s does not match its SHA-256 (altered): refused", sha256)
        raise FileUnavailable()
    return data


def has_location(data: bytes) -> bool:
    """Whether an image carries a position (EXIF GPS or XMP) that ``strip_location`` removes."""
    from PIL import Image  # lazy: only for images

    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            return bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif or b"GPS" in (img.info.get("xmp") or b"")
    except Exception:  # undecodable here means it was not an image we accepted: nothing to strip
        return False


def strip_location(data: bytes) -> bytes:
    """The image re-encoded without its GPS position (EXIF GPS and XMP dropped; the rest of EXIF, such as
    the capture time, kept). JPEGs keep their quantisation tables, so the picture is not degraded."""
    from PIL import Image  # lazy: only for images

    if not has_location(data):
        return data
    with decode_slot(), Image.open(io.BytesIO(data)) as img:
        fmt = img.format
        exif = img.getexif()
        exif.pop(GPS_IFD, None)
        options: dict = {"exif": exif.tobytes()}
        if img.info.get("icc_profile"):
            options["icc_profile"] = img.info["icc_profile"]
        if fmt == "JPEG":
            options.update(quality="keep", subsampling="keep")
        elif fmt == "WEBP":
            options.update(quality=95)
        out = io.BytesIO()
        img.save(out, format=fmt, **options)
    return out.getvalue()


def send(data: bytes, *, mime: str, filename: str, inline: bool, cache: str = "private, max-age=3600",
         ) -> Response:
    """The one way a stored file is answered: its checked type, ``nosniff``, a Content-Disposition whose
    name is sanitised and percent-encoded (RFC 6266/5987), nothing of the upload echoed raw."""
    name = safe_filename(filename)
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in name)
    disposition = "inline" if inline else "attachment"
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache
    return response


# --- storage check -----------------------------------------------------------------------------------

@dataclass
class StorageReport:
    missing: list[tuple[str, str]] = field(default_factory=list)  # (sha256, who refers to it)
    altered: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    debris_removed: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.orphaned)


def check_files(*, remove_orphans: bool = False, grace_seconds: int = 3600) -> StorageReport:
    """Compare the folder with what the database refers to.

    Missing and altered files are logged as integrity errors. Temporary files (``*.tmp``) older than
    ``grace_seconds`` are debris of interrupted writes and are removed; files nobody refers to are
    orphans (a write whose transaction then failed), removed only with ``remove_orphans``. Younger
    files are left alone: an upload may be between writing its file and committing.
    """
    report = StorageReport()
    refs = referenced()
    root = _root()
    cutoff = time.time() - grace_seconds
    present: set[str] = set()
    if root.exists():
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            if path.name.endswith(TMP_SUFFIX):
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    report.debris_removed.append(str(path.relative_to(root)))
                continue
            digest = path.parent.name + path.name
            if path.parent.parent != root or not is_digest(digest):
                continue  # not ours (a README, a lost+found...)
            present.add(digest)
            report.checked += 1
            if digest not in refs:
                if path.stat().st_mtime < cutoff:
                    if remove_orphans:
                        path.unlink(missing_ok=True)
                        report.orphans_removed.append(digest)
                    else:
                        report.orphaned.append(digest)
                continue
            sha = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    sha.update(chunk)
            if sha.hexdigest() != digest:
                integrity_log.error("stored file %s does not match its SHA-256 (altered)", digest)
                report.altered.append(digest)
    for digest, names in sorted(refs.items()):
        if digest not in present:
            integrity_log.error("stored file %s is missing (referred to by %s)", digest, ", ".join(sorted(names)))
            report.missing.append((digest, ", ".join(sorted(names))))
    return report
