"""Excel exports of the statistics tables, through the one writer (``app.xlsx``: write-only, row by row).

Each sheet is headed by the figures' Chinese names and followed by their definitions, so an exported
number carries its definition as the page does (docs/figures.md). These tables have a row per region,
enterprise or month, so they are written while the user waits (a register goes through ``app.exports``)."""

from __future__ import annotations

from collections.abc import Sequence

from app import xlsx


def send(title: str, filename: str, headers: Sequence[str], rows, notes: Sequence[str] = ()):
    return xlsx.send(xlsx.Sheet(title, headers, rows, notes), filename)
