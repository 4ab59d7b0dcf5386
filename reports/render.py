"""PDF rendering, framework-free: plain data in, PDF bytes out (WeasyPrint + Jinja).

Print templates live in ``reports/templates`` and share ``print.css``. Templates receive plain dicts,
never ORM objects. The URL fetcher only serves files from this package (no network, no file system).
"""

from __future__ import annotations

import base64
import io
import logging
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
        allowed = (TEMPLATES.as_uri() + "/", STATIC.as_uri() + "/", "data:")

        def fetch(self, url, headers=None):
            if not url.startswith(self.allowed) or ".." in url:
                raise ValueError(f"refused to fetch {url!r} while printing")
            return super().fetch(url, headers)

    return PackageFetcher(allowed_protocols=("file", "data"))


def render_html(template: str, context: dict) -> str:
    return _env().get_template(template).render(**context)


def render_pdf(template: str, context: dict, *, variant: str | None = None, metadata: dict | None = None) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes.

    Deterministic for the same input: no creation date varies (WeasyPrint takes dates from the
    HTML ``<meta>`` tags, which templates fill from the context), so re-rendering gives equal bytes.
    """
    from weasyprint import CSS, HTML

    html = HTML(string=render_html(template, context), base_url=TEMPLATES.as_uri() + "/", url_fetcher=_fetcher())
    css = CSS(filename=str(TEMPLATES / "print.css"), url_fetcher=_fetcher())
    kwargs = {"stylesheets": [css], "uncompressed_pdf": False}
    if variant:
        kwargs["pdf_variant"] = variant
    return html.write_pdf(**kwargs)


def qr_data_uri(text: str, box_size: int = 4) -> str:
    """A QR code for ``text`` as a PNG data URI, for <img src> in print templates."""
    import qrcode

    img = qrcode.make(text, box_size=box_size, border=1)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def harfbuzz_subsetter_available() -> bool:
    """True when WeasyPrint can use libharfbuzz-subset (else Chinese PDFs take ~50x longer)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except (ImportError, OSError):
        return False
    return bool(harfbuzz_subset)


def check_fonts(logger: logging.Logger = log) -> bool:
    ok = harfbuzz_subsetter_available()
    if not ok:
        logger.warning("libharfbuzz-subset0 is missing: WeasyPrint falls back to fontTools and each Chinese "
                       "PDF takes seconds instead of ~0.2 s. Install it: apt-get install libharfbuzz-subset0")
    return ok
