"""What the journeys upload and download: photos made with Pillow, PDFs read with pypdf/pypdfium2."""

from __future__ import annotations

import io
from pathlib import Path

from tests.e2e.conftest import SCREENSHOTS


def jpeg_photo(path: Path, colour=(200, 60, 40), text: str = "") -> Path:
    """A small real JPEG, like a phone photo of the spot (the app decodes uploads, so it must be one)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (235, 235, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle((120, 90, 520, 390), fill=colour)
    draw.line((0, 0, 640, 480), fill=(20, 20, 20), width=8)
    if text:
        draw.text((20, 20), text, fill=(0, 0, 0))
    img.save(path, format="JPEG", quality=80)
    return path


def not_an_image(path: Path) -> Path:
    path.write_text("this is not a photo")
    return path


def pdf_text(data: bytes) -> str:
    """All the text of a PDF as a reader would copy it (whitespace removed, so words are not split)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_page_image(data: bytes, page: int = 0, scale: float = 2.0):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return doc[page].render(scale=scale).to_pil()
    finally:
        doc.close()


def pdf_qr_links(data: bytes) -> list[str]:
    """The texts of the QR codes printed on the PDF's pages (decoded from the rendered pages)."""
    import pypdfium2 as pdfium
    import zxingcpp

    found: list[str] = []
    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=3.0).to_pil()
            found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    finally:
        doc.close()
    return found


def save_pdf_page_png(data: bytes, name: str, max_bytes: int = 300_000) -> Path:
    """Page 1 of a PDF as a PNG under SCREENSHOTS (docs/screenshots/ for the README tour)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    image = pdf_page_image(data, scale=1.25).convert("L")  # print is black on white: grey keeps it small
    image.save(path, optimize=True)
    if path.stat().st_size > max_bytes:
        image.quantize(colors=16).save(path, optimize=True)
    assert path.stat().st_size <= max_bytes, f"{path.name} is {path.stat().st_size} bytes"
    return path


def download_pdf(page, link_name: str = "下载") -> bytes:
    """Click the download link and return the PDF's bytes (waiting for the download, not for time)."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    return data
