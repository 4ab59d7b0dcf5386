"""PDF rendering, framework-free: plain data in, PDF bytes out (WeasyPrint + Jinja).

Print templates live in ``reports/templates`` and share ``print.css``. Templates receive plain dicts,
never ORM objects. The URL fetcher only serves files from this package (no network, no file system).
"""

from __future__ import annotations

import atexit
import base64
import ctypes
import ctypes.util
import io
import logging
import threading
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports import fonts

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["qr"] = qr_data_uri
    env.filters["cn_date"] = cn_date
    env.filters["deadline_groups"] = deadline_groups
    return env


def cn_date(value, blank: str = "　　年　　月　　日") -> str:
    """2026-12-01 → 2026年12月1日 (公文 style, no leading zeros); None → a blank to fill by hand."""
    if value is None or value == "":
        return blank
    if isinstance(value, str):
        from datetime import date

        value = date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def deadline_groups(items) -> list[tuple[str, object]]:
    """Items grouped by deadline for "第1、3项问题于…前整改完毕", in order of the first item of a group."""
    groups: dict[object, list[int]] = {}
    for number, item in enumerate(items, start=1):
        groups.setdefault(item.deadline, []).append(number)
    return [("、".join(str(n) for n in numbers), deadline) for deadline, numbers in groups.items()]


@lru_cache(maxsize=1)
def _fetcher():
    """Only this package's templates/static files and data: URIs; never the network."""
    from weasyprint.urls import URLFetcher

    class PackageFetcher(URLFetcher):
        allowed = (TEMPLATES.as_uri() + "/", STATIC.as_uri() + "/", "data:", fonts.cache_dir().as_uri() + "/")

        def fetch(self, url, headers=None):
            if not url.startswith(self.allowed) or ".." in url:
                raise ValueError(f"refused to fetch {url!r} while printing")
            return super().fetch(url, headers)

    return PackageFetcher(allowed_protocols=("file", "data"))


def render_html(template: str, context: dict) -> str:
    return _env().get_template(template).render(**context)


_local = threading.local()
# Drop the cached FontConfiguration before interpreter teardown (its __del__ needs cffi still alive).
atexit.register(lambda: _local.__dict__.clear())


def _stylesheet():
    """print.css with the pre-subset fonts' @font-face rules, and its FontConfiguration.

    Built once per thread (a FontConfiguration registers the font files with fontconfig: too costly
    per document, and not to be shared between threads)."""
    key = fonts.font_set()
    cached = getattr(_local, "stylesheet", None)
    if cached is None or cached[0] != key:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        text = fonts.font_face_css() + (TEMPLATES / "print.css").read_text(encoding="utf-8")
        css = CSS(string=text, base_url=TEMPLATES.as_uri() + "/", url_fetcher=_fetcher(), font_config=font_config)
        cached = _local.stylesheet = (key, css, font_config)
    return cached[1], cached[2]


def warm_up() -> None:
    """Prepare once per process what every document needs: WeasyPrint's import, fontconfig, the print
    fonts read and the style sheet parsed (a fresh process's first document took ~3 s more than the next
    ones). gunicorn calls it when a worker starts (gunicorn.conf.py), in a thread of its own so the
    worker answers meanwhile; each request thread still builds its own FontConfiguration (~30 ms once)."""
    from weasyprint import HTML

    css, font_config = _stylesheet()
    HTML(string='<p style="font-family: serif">双控 隐患 0123</p>').write_pdf(stylesheets=[css], font_config=font_config)


def render_pdf(template: str, context: dict, *, variant: str | None = None, metadata: dict | None = None) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes.

    Deterministic for the same input and font set (``fonts.font_set()``): no creation date varies
    (WeasyPrint takes dates from the HTML ``<meta>`` tags, which templates fill from the context), so
    re-rendering gives equal bytes.
    """
    from weasyprint import HTML

    css, font_config = _stylesheet()
    html = HTML(string=render_html(template, context), base_url=TEMPLATES.as_uri() + "/", url_fetcher=_fetcher())
    kwargs = {"stylesheets": [css], "font_config": font_config, "uncompressed_pdf": False}
    if variant:
        kwargs["pdf_variant"] = variant
    return html.write_pdf(**kwargs)


def qr_data_uri(text: str, box_size: int = 4) -> str:
    """A QR code for ``text`` as a PNG data URI, for <img src> in print templates.

    The mask pattern is fixed: choosing the "best" of eight is pure Python and cost ~a sixth of a
    whole document's rendering; any mask decodes, and a fixed one keeps the bytes stable."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(box_size=box_size, border=1, error_correction=ERROR_CORRECT_M, mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def harfbuzz_subsetter_available() -> bool:
    """True when WeasyPrint can use libharfbuzz-subset (else Chinese PDFs take ~50x longer).

    Opens the library by the names WeasyPrint tries (``weasyprint.text.ffi``) rather than importing
    WeasyPrint: the check runs when the app is built, and importing WeasyPrint there cost every command
    (``shuangkong scan`` by cron included) ~0.5-1 s for PDFs it does not render."""
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0", "libharfbuzz-subset.0.dylib"):
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    found = ctypes.util.find_library("harfbuzz-subset")
    return found is not None


def check_fonts(logger: logging.Logger = log) -> bool:
    ok = harfbuzz_subsetter_available()
    if not fonts.available():
        logger.info("Pre-subset print fonts not built (python -m reports.fonts, or make fonts): PDFs use the "
                    "system Noto CJK fonts, ~60 ms and ~120 KB more per face.")
    if not fonts.fallback_available():
        logger.warning("fonts-hanazono is missing: characters outside the Noto CJK fonts (CJK Extension B, "
                       "rare characters in names) print as blank boxes. Install it: apt-get install fonts-hanazono")
    if not ok:
        logger.warning("libharfbuzz-subset0 is missing: WeasyPrint falls back to fontTools and each Chinese "
                       "PDF takes seconds instead of ~0.2 s. Install it: apt-get install libharfbuzz-subset0")
    return ok
