"""Pre-subset print fonts: Noto Serif CJK SC (regular) and Noto Sans CJK SC (bold) cut to GB2312.

Why: WeasyPrint subsets every embedded face again for each PDF, keeping the original glyph ids; with a
65 000-glyph CJK collection that costs ~60 ms and ~120 KB per face even for ten characters. Cut once to
the 7 500 characters of GB2312 (plus ASCII and 公文 punctuation), the same one-page order renders in
~150 ms instead of ~200 ms and weighs ~130 KB instead of ~300 KB. Characters outside GB2312 (rare
characters in names) still print: the stylesheet falls back to the system Noto CJK SC faces.

The fonts are generated from the system's ``fonts-noto-cjk`` (SIL OFL 1.1) into a cache folder
(``SHUANGKONG_FONT_CACHE``, default ``~/.cache/shuangkong/fonts``): nothing is committed. Build them with
``python -m reports.fonts`` (``make fonts``; about a minute per face). Output is deterministic (no
timestamps), so documents rendered again give the same bytes.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path

SYSTEM_FONTS = Path("/usr/share/fonts/opentype/noto")
FACES = (
    # (file in the cache, CSS family, weight, system collection, family inside the collection)
    ("noto-serif-cjk-sc-gb-regular.otf", "Noto Serif CJK SC GB", 400, "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("noto-sans-cjk-sc-gb-bold.otf", "Noto Sans CJK SC GB", 700, "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
)
EXTRA_CHARACTERS = "〔〕（）《》“”‘’、。，；：？！…—·　№○〇"


# Fallback for characters outside every Noto CJK face (CJK Extension B and later: rare characters in
# names). Not pre-subset: WeasyPrint embeds a face only when a character needs it, so ordinary documents
# never carry it, and a cut to the ~50 000 characters it covers would save nothing.
FALLBACK_FONTS = (Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
                  Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"))


def fallback_available() -> bool:
    return all(path.is_file() for path in FALLBACK_FONTS)


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "shuangkong" / "fonts"
    return Path(os.environ.get("SHUANGKONG_FONT_CACHE") or default)


def charset() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA_CHARACTERS)
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((high, low)).decode("gb2312"))
    return chars


def available() -> bool:
    return all((cache_dir() / name).is_file() for name, *_rest in FACES)


@lru_cache(maxsize=4)
def _font_face_css(directory: str) -> str:
    return "".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(Path(directory) / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: normal; }}\n"
        for name, family, weight, *_rest in FACES)


def font_face_css() -> str:
    """@font-face rules for the pre-subset faces, or "" when they are not built (system fonts then)."""
    return _font_face_css(str(cache_dir())) if available() else ""


def font_set() -> str:
    """Which fonts a render uses; part of the stored template version (re-rendering needs the same)."""
    return "gb2312" if available() else "system"


def build(force: bool = False) -> list[Path]:
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    built = []
    unicodes = sorted(ord(c) for c in charset())
    for name, _family, _weight, collection, inner_family in FACES:
        out = target / name
        if out.exists() and not force:
            continue
        source = SYSTEM_FONTS / collection
        index = next(i for i, font in enumerate(TTCollection(str(source)).fonts)
                     if font["name"].getDebugName(1) == inner_family)
        font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
        options = subset.Options()
        options.layout_features = ["*"]  # Pango shapes with them (punctuation widths, vertical forms)
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        tmp = out.with_suffix(".tmp")
        font.save(str(tmp))
        tmp.replace(out)
        built.append(out)
    _font_face_css.cache_clear()
    return built


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args()
    for path in build(force=args.force):
        print(f"built {path}")
    print(f"print fonts in {cache_dir()}: {'ready' if available() else 'MISSING'}")
