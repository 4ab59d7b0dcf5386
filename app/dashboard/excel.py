"""Excel exports of the statistics tables (openpyxl write-only: bounded memory whatever the rows).

Each sheet is headed by the figures' Chinese names and followed by their definitions, so an exported
number carries its definition as the page does (docs/figures.md)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence], notes: Sequence[str] = ()):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    if notes:
        ws.append([])
        for note in notes:
            ws.append([note])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    wb.save(out)
    out.seek(0)
    return out


def send(title: str, filename: str, headers, rows, notes=()):
    response = send_file(workbook(title, headers, rows, notes), mimetype=XLSX, as_attachment=True,
                         download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
