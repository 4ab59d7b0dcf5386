"""The one Excel writer of exports: openpyxl's write-only mode, row by row, into a file.

Write-only mode keeps no cell in memory: each row is serialised as it is appended (with lxml installed,
through lxml's incremental writer, which openpyxl picks by itself), so memory stays bounded whatever the
number of rows; the workbook is written into a spooled temporary file (in memory up to a few MB, then on
disk) or straight into the file the caller names. Every row the caller yields is written: there is no
cap (issue 18: an export never stops short without a word).

A sheet may start with a preamble (a bold title line, then lines such as the period), is headed by bold
column titles and may end with notes (what a figure means, as the page says).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
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
    preamble: Sequence[Sequence] = ()  # lines above the column titles; the first one in bold
    formats: dict[int, str] = field(default_factory=dict)  # column index (0-based) -> number format
    header_fill: str | None = None  # the column titles' background colour ("DDE5EE")
    total: Sequence | None = None  # a last row in bold (合计), not counted in ``written``
    written: int = field(default=0, init=False)  # rows written, for the caller to record


def write(sheets: Sequence[Sheet] | Sheet, out: IO[bytes] | str | None = None):
    """Write ``sheets`` into ``out`` (a path or a binary file; a spooled temporary file when None, returned
    positioned at its start). Dates get a date format; everything else is written as given."""
    wb = Workbook(write_only=True)
    for sheet in [sheets] if isinstance(sheets, Sheet) else sheets:
        ws = wb.create_sheet(sheet.title[:31])
        try:
            _fill(ws, sheet)
        except BaseException:
            _discard(ws)
            raise
    if out is None:
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
        wb.save(out)
        out.seek(0)
        return out
    wb.save(out)
    return out


def _discard(ws) -> None:
    """A sheet whose rows raised midway: end its XML stream and delete its temporary file (openpyxl
    writes each write-only sheet to one, removed only by a save), so nothing is left open or behind."""
    ws.close()
    writer = getattr(ws, "_writer", None)
    if writer is not None and isinstance(getattr(writer, "out", None), str):
        Path(writer.out).unlink(missing_ok=True)


def _fill(ws, sheet: Sheet) -> None:
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for index, line in enumerate(sheet.preamble):
        ws.append(_bold(ws, line, Font(bold=True, size=13)) if index == 0 else list(line))
    if sheet.preamble:
        ws.append([])
    fill = PatternFill("solid", fgColor=sheet.header_fill) if sheet.header_fill else None
    ws.append(_bold(ws, sheet.headers, fill=fill))
    for row in sheet.rows:
        ws.append([_cell(ws, value, sheet.formats.get(index)) for index, value in enumerate(row)])
        sheet.written += 1
    if sheet.total is not None:
        ws.append([_cell(ws, value, sheet.formats.get(index), Font(bold=True)) for index, value in enumerate(sheet.total)])
    if sheet.notes:
        ws.append([])
        for note in sheet.notes:
            ws.append([note])


def _bold(ws, values, font=None, fill=None) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = font or Font(bold=True)
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells


def _cell(ws, value, number_format: str | None = None, font=None):
    if number_format is None and isinstance(value, date) and not isinstance(value, datetime):
        number_format = "yyyy-mm-dd"
    if number_format is None and font is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def send(sheets: Sequence[Sheet] | Sheet, filename: str):
    """The workbook as a download (streamed from its temporary file)."""
    response = send_file(write(sheets), mimetype=MIMETYPE, as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
