"""The one Excel writer of exports: openpyxl's write-only mode, row by row, into a file.

Write-only mode keeps no cell in memory: each row is serialised as it is appended (with lxml installed,
through lxml's incremental writer, which openpyxl picks by itself), so memory stays bounded whatever the
number of rows; the workbook is written into a spooled temporary file (in memory up to a few MB, then on
disk) or straight into the file the caller names. Every row the caller yields is written: there is no
cap (issue 18: an export never stops short without a word).

A sheet is headed by bold column titles and may end with notes (what a figure means, as the page says).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit): longer is cut
    headers: Sequence[str]
    rows: Iterable[Sequence]
    notes: Sequence[str] = ()
    widths: Sequence[int] = ()
    written: int = field(default=0, init=False)  # rows written, for the caller to record


def write(sheets: Sequence[Sheet] | Sheet, out: IO[bytes] | str | None = None):
    """Write ``sheets`` into ``out`` (a path or a binary file; a spooled temporary file when None, returned
    positioned at its start). Dates get a date format; everything else is written as given."""
    wb = Workbook(write_only=True)
    for sheet in [sheets] if isinstance(sheets, Sheet) else sheets:
        _fill(wb.create_sheet(sheet.title[:31]), sheet)
    if out is None:
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
        wb.save(out)
        out.seek(0)
        return out
    wb.save(out)
    return out


def _fill(ws, sheet: Sheet) -> None:
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for text in sheet.headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        ws.append([_cell(ws, value) for value in row])
        sheet.written += 1
    if sheet.notes:
        ws.append([])
        for note in sheet.notes:
            ws.append([note])


def _cell(ws, value):
    if isinstance(value, date) and not isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def send(sheets: Sequence[Sheet] | Sheet, filename: str):
    """The workbook as a download (streamed from its temporary file)."""
    response = send_file(write(sheets), mimetype=MIMETYPE, as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
