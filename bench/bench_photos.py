"""Light photos (issue 20 item 3): what a hazard page downloads per photo, and what a copy costs the
server (prints figures and ratios; not a test).

A 4000 × 3000 JPEG like a phone camera's (detail everywhere, quality 92) is stored as the original;
the thumbnail and the screen copy are made by ``app.thumbnails`` (first request: decode, resize, encode,
write) and then read from their cache (later requests). Baseline of the same run: the original, which
the hazard page used to load as its "thumbnail".

Usage: .venv/bin/python bench/bench_photos.py
"""

from __future__ import annotations

import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def camera_photo() -> bytes:
    from PIL import Image, ImageDraw

    rnd = random.Random(20)
    img = Image.new("RGB", (4000, 3000), (120, 130, 125))
    draw = ImageDraw.Draw(img)
    for _ in range(6000):
        x, y = rnd.randrange(4000), rnd.randrange(3000)
        draw.rectangle((x, y, x + rnd.randrange(10, 240), y + rnd.randrange(10, 160)),
                       fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92)
    return out.getvalue()


def full_decode_resize(data: bytes, longest: int) -> float:
    """Baseline of the resizing: the whole 12-megapixel picture decoded, then reduced (no JPEG draft)."""
    from PIL import Image, ImageOps

    started = time.perf_counter()
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        img.thumbnail((longest, longest))
        img.save(io.BytesIO(), format="JPEG", quality=thumbnails_quality())
    return time.perf_counter() - started


def thumbnails_quality() -> int:
    from app import thumbnails

    return thumbnails.QUALITY


def main() -> None:
    from app import create_app, storage, thumbnails

    folder = tempfile.mkdtemp(prefix="bench-photos-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_FOLDER": folder, "SECRET_KEY": "bench"})
    original = camera_photo()
    with app.app_context():
        digest = storage.save(original)
        print(f"original (baseline): {len(original) / 1024:.0f} KB")
        for size in thumbnails.SIZES:
            started = time.perf_counter()
            data = thumbnails.derived(digest, size)
            made = time.perf_counter() - started
            reads = []
            for _ in range(20):
                started = time.perf_counter()
                thumbnails.derived(digest, size)
                reads.append(time.perf_counter() - started)
            cached = statistics.median(reads)
            full = full_decode_resize(original, thumbnails.SIZES[size])
            print(f"{size:6} {thumbnails.SIZES[size]:4} px: {len(data) / 1024:6.0f} KB = "
                  f"{len(original) / len(data):5.1f}x smaller than the original; made in {made * 1000:5.0f} ms, "
                  f"(a full decode: {full * 1000:5.0f} ms, {full / made:.1f}x slower), "
                  f"then read from the cache in {cached * 1000:.2f} ms ({made / cached:.0f}x faster)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
