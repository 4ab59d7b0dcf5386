"""The app's icon, our own design: a white shield holding the four risk colours on the brand blue.

One geometry, two outputs: ``icon.svg`` (browsers that take SVG icons) and the PNGs the web app
manifest needs (192, 512, and a maskable 512 whose drawing stays in the central safe circle).
The files are committed (small, original); run ``python -m app.frontend.icons`` after changing the
design. Pillow draws them (already a dependency), 4× supersampled for smooth edges.
"""

from __future__ import annotations

import math
from pathlib import Path

from app.frontend.charts import GRADE_COLOURS, GRADE_ORDER

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND = "#004e8c"  # app.css --brand
SIZE = 512  # design units


def _shield(cx: float, top: float, width: float, height: float, steps: int = 24) -> list[tuple[float, float]]:
    """A shield outline: flat shoulders, straight sides down to mid-height, then two curves to the point."""
    half = width / 2
    left, right = cx - half, cx + half
    side_end = top + height * 0.45
    bottom = top + height
    pts = [(cx, top), (right, top + height * 0.10), (right, side_end)]
    # right curve: quadratic Bézier from (right, side_end) via (right, bottom-ish) to the point (cx, bottom)
    ctrl = (right, top + height * 0.82)
    for i in range(1, steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * right + 2 * (1 - t) * t * ctrl[0] + t * t * cx
        y = (1 - t) ** 2 * side_end + 2 * (1 - t) * t * ctrl[1] + t * t * bottom
        pts.append((x, y))
    mirrored = [(2 * cx - x, y) for x, y in reversed(pts[2:-1])]
    return pts + mirrored + [(left, top + height * 0.10)]


def _scaled(points, scale: float) -> list[tuple[float, float]]:
    c = SIZE / 2
    return [(c + (x - c) * scale, c + (y - c) * scale) for x, y in points]


def geometry(maskable: bool = False) -> dict:
    # Maskable icons are cropped to a circle of 80 % of the width: shrink the drawing into it.
    scale = 0.72 if maskable else 1.0
    outer = _scaled(_shield(256, 72, 300, 368), scale)
    inner = _scaled(_shield(256, 100, 252, 318), scale)
    top, bottom = min(y for _, y in inner), max(y for _, y in inner)
    band = (bottom - top) / 4
    bands = [(GRADE_COLOURS[g], top + i * band, top + (i + 1) * band) for i, g in enumerate(GRADE_ORDER)]
    return {"outer": outer, "inner": inner, "bands": bands, "radius": 0 if maskable else 96}


def svg(maskable: bool = False) -> str:
    g = geometry(maskable)

    def path(points):
        return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points) + " Z"

    bands = "".join(f'<rect x="0" y="{y0:.1f}" width="{SIZE}" height="{y1 - y0 + 0.5:.1f}" fill="{c}"/>'
                    for c, y0, y1 in g["bands"])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}">'
            f'<title>双控</title>'
            f'<defs><clipPath id="inner"><path d="{path(g["inner"])}"/></clipPath></defs>'
            f'<rect width="{SIZE}" height="{SIZE}" rx="{g["radius"]}" fill="{BRAND}"/>'
            f'<path d="{path(g["outer"])}" fill="#fff"/>'
            f'<g clip-path="url(#inner)">{bands}</g></svg>\n')


def png(size: int, maskable: bool = False):
    from PIL import Image, ImageDraw  # lazy: only for images

    ss = 4
    k = size * ss / SIZE
    g = geometry(maskable)
    img = Image.new("RGBA", (size * ss, size * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([0, 0, size * ss - 1, size * ss - 1], radius=math.floor(g["radius"] * k), fill=BRAND)
    draw.polygon([(x * k, y * k) for x, y in g["outer"]], fill="#ffffff")
    bands = Image.new("RGBA", img.size, (0, 0, 0, 0))
    bdraw = ImageDraw.Draw(bands)
    for colour, y0, y1 in g["bands"]:
        bdraw.rectangle([0, y0 * k, img.width, y1 * k + 1], fill=colour)
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).polygon([(x * k, y * k) for x, y in g["inner"]], fill=255)
    img.paste(bands, (0, 0), mask)
    return img.resize((size, size), Image.Resampling.LANCZOS)


FILES = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True),
         "apple-touch-icon.png": (180, True)}


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "icon.svg"]
    (out / "icon.svg").write_text(svg(), encoding="utf-8")
    for name, (size, maskable) in FILES.items():
        png(size, maskable).save(out / name, optimize=True)
        written.append(out / name)
    return written


if __name__ == "__main__":
    for path in build():
        print(path, path.stat().st_size)
