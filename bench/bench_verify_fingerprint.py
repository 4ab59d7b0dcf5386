"""What the public verification page pays to show a document's page count (issue 17 item 8).

The count is read from the stored PDF on each request (no column, no cache): read the file, check its
SHA-256 (as ``storage.load`` does), let pypdf count the page tree. Measured on PDFs printed by WeasyPrint
with the print fonts, 1 and 12 pages; median of 200 runs each, in milliseconds.

Usage: .venv/bin/python bench/bench_verify_fingerprint.py
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pdf_of(pages: int) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p style='break-after: page'>第{i}页 隐患整改通知书 储罐区可燃气体报警器失效</p>"
                   for i in range(pages))
    return HTML(string=f"<html lang='zh-CN'><body>{body}</body></html>").write_pdf()


def count(path: Path) -> int:
    from pypdf import PdfReader

    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    return int(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Pages"]["/Count"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for pages in (1, 12):
            path = Path(tmp) / f"{pages}.pdf"
            path.write_bytes(pdf_of(pages))
            assert count(path) == pages
            times = []
            for _ in range(200):
                start = time.perf_counter()
                count(path)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{pages:>2} page(s), {path.stat().st_size // 1024} KB: median {statistics.median(times):.2f} ms, "
                  f"max {max(times):.2f} ms")


if __name__ == "__main__":
    main()
