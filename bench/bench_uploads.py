"""Benchmark: what checking one upload costs a worker (peak memory and time), each case in a fresh process.

Cases: a 13 000 × 13 000 greyscale PNG (a few hundred KB, 169 megapixels: refused from its header
since MAX_IMAGE_PIXELS; ``bomb-old`` decodes it fully, as the check did before), a 12-megapixel photo
(4000 × 3000 JPEG, accepted), and serving that photo with its GPS stripped. Prints the peak RSS growth
(MB, Linux: the high-water mark is reset through /proc/self/clear_refs) and the time per case.

    .venv/bin/python bench/bench_uploads.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_files(folder: Path) -> None:
    from PIL import Image

    Image.new("L", (13_000, 13_000)).save(folder / "bomb.png", optimize=True)
    img = Image.effect_noise((4000, 3000), 40).convert("RGB")
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (28, 40, 12.5), "E", (115, 53, 40.25)
    img.save(folder / "photo.jpg", quality=90, exif=exif)


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_case(case: str, folder: Path) -> None:
    from app import create_app, storage
    from app.errors import Invalid

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_FOLDER": str(folder)})
    name = "bomb.png" if case.startswith("bomb") else "photo.jpg"
    data = (folder / name).read_bytes()
    with app.app_context():
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current RSS
        base = _peak_kb()
        started = time.perf_counter()
        outcome = "accepted"
        try:
            if case == "bomb-old":
                import warnings

                from PIL import Image

                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)) as img:
                    img.load()
                outcome = "decoded"
            elif case == "strip":
                storage.strip_location(data)
                outcome = "stripped"
            else:
                storage.check_upload(data, name)
        except Invalid:
            outcome = "refused (422)"
        elapsed = time.perf_counter() - started
        peak = _peak_kb()
    print(f"{case:8} {len(data) / 1024:8.0f} KB  {outcome:14} +{(peak - base) / 1024:7.1f} MB peak  "
          f"{elapsed * 1000:7.0f} ms")


def main() -> None:
    if len(sys.argv) == 3:
        run_case(sys.argv[1], Path(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder)
        for case in ("bomb-old", "bomb", "photo", "strip"):
            subprocess.run([sys.executable, __file__, case, str(folder)], check=True)


if __name__ == "__main__":
    main()
