"""Smaller copies of stored photos: a thumbnail for lists and pages, a screen-sized one to look at.

The original stays stored untouched (it is the evidence); these are made from it on first request with
Pillow and cached on disk under ``UPLOAD_FOLDER/derived/`` named by the original's SHA-256 and the size,
so the same photo attached twice is resized once and a cached copy can never belong to other bytes.
They carry no metadata at all (no EXIF, so no GPS position): anybody who may see the photo may see them.
``shuangkong storage check`` ignores that folder (its files are not ``ab/cdef…`` digests), and deleting it
only costs resizing again.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from flask import current_app

from app import storage

# name -> the longest side in pixels. thumb: a phone's list or a hazard page's gallery (2x for sharp
# screens of ~160 CSS px); screen: a phone or laptop screen opened full size.
SIZES = {"thumb": 320, "screen": 1280}
QUALITY = 80  # JPEG quality of the copies: about 25 KB for a thumbnail, 150-250 KB for a screen copy


def _path(sha256: str, size: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "derived" / sha256[:2] / f"{sha256}-{SIZES[size]}.jpg"


def _resize(data: bytes, longest: int) -> bytes:
    from PIL import Image, ImageOps  # lazy: only for photos

    with storage.decode_slot(), Image.open(io.BytesIO(data)) as img:
        # JPEG: decode at 1/2, 1/4 or 1/8 scale straight away when that is still larger than the copy
        # (a thumbnail of a 12-megapixel photo several times faster: bench/bench_photos.py)
        img.draft("RGB", (longest, longest))
        img = ImageOps.exif_transpose(img)  # a phone's portrait photo stands up in the copy too
        img.thumbnail((longest, longest))
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def derived(sha256: str, size: str) -> bytes:
    """The ``size`` copy of the stored image ``sha256`` (made and cached on first use). The original is
    read through ``storage.load``, so a missing or altered original gives no copy (404, logged)."""
    if size not in SIZES or not storage.is_digest(sha256):
        raise ValueError(size)
    target = _path(sha256, size)
    with contextlib.suppress(FileNotFoundError):
        return target.read_bytes()
    data = _resize(storage.load(sha256), SIZES[size])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=storage.TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)  # atomic: two requests resizing at once both succeed
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        current_app.logger.warning("could not cache the %s copy of %s", size, sha256)
    return data
