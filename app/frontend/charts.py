"""Chart specifications: the numbers of one chart, drawn by static/js/charts.js and shown as a table.

A spec is our own small JSON vocabulary, not ECharts options: the server says *what* to draw (kind,
categories, series, colours, links) and charts.js says *how*; the same spec renders the accessible
table (templates/_charts.html), so chart and table cannot show different numbers, and swapping the
charting library later touches one script, not every page.

    {"kind": "donut", "title": "...", "unit": "个",
     "categories": ["重大风险", ...],
     "series": [{"name": "风险点", "data": [3, 5, 8, 13]}],
     "colors": ["#e60012", ...],          # one per category (pie, single-series bar) or per series
     "links": ["/risks/region?grade=red", ...]}   # optional: each number leads to the list it counts

Kinds: ``bar`` (categories along the x axis: weeks, months), ``hbar`` (a ranking, worst first, long
names readable on a phone), ``line`` (a trend, e.g. 12 weeks), ``pie`` and ``donut`` (a distribution).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for

from app import labels
from workflows.grades import Grade

KINDS = ("bar", "hbar", "line", "pie", "donut")

# docs/design.md's four risk colours (GB/T 2893.1 safety colours as the national model uses them);
# app.css uses the same values for the grade badges.
GRADE_COLOURS = {"red": "#e60012", "orange": "#f39800", "yellow": "#ffe100", "blue": "#0068b7"}
GRADE_ORDER = ("red", "orange", "yellow", "blue")


def spec(kind: str, title: str, categories: Sequence[str], series: Sequence[Mapping], *,
         unit: str = "", colors: Sequence[str] | None = None, links: Sequence[str | None] | None = None,
         stack: bool = False) -> dict:
    """A chart spec; ``series`` items are ``{"name": str, "data": [number, ...]}`` (one value per category)."""
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r}")
    out_series = []
    for item in series:
        data = [0 if v is None else v for v in item["data"]]
        if len(data) != len(categories):
            raise ValueError(f"series {item['name']!r} has {len(data)} values for {len(categories)} categories")
        out_series.append({"name": str(item["name"]), "data": data, **({"color": item["color"]}
                                                                        if item.get("color") else {})})
    if kind in ("pie", "donut") and len(out_series) != 1:
        raise ValueError("a pie has exactly one series")
    result = {"kind": kind, "title": str(title), "unit": str(unit), "categories": [str(c) for c in categories],
              "series": out_series, "stack": bool(stack)}
    if colors:
        result["colors"] = list(colors)
    if links:
        result["links"] = [link or "" for link in links]
    return result


def grade_distribution(counts: Mapping[str, int], title: str, series_name: str, *, kind: str = "donut",
                       unit: str = "", endpoint: str | None = None, arg: str = "grade", **endpoint_args) -> dict:
    """The four grades in their colours, red first: ``counts`` maps "red"... to a number (missing: 0).

    ``endpoint``: each grade's number links to that list filtered by ``arg=<grade>``.
    """
    links = [url_for(endpoint, **{arg: g}, **endpoint_args) for g in GRADE_ORDER] if endpoint else None
    return spec(kind, title, [labels.label(Grade(g)) for g in GRADE_ORDER],
                [{"name": series_name, "data": [int(counts.get(g) or 0) for g in GRADE_ORDER]}],
                unit=unit, colors=[GRADE_COLOURS[g] for g in GRADE_ORDER], links=links)


def table_of(chart: Mapping) -> dict:
    """The spec as a table: one row per category, one column per series (what the macro shows)."""
    series = chart["series"]
    links = chart.get("links") or [""] * len(chart["categories"])
    rows = [{"label": cat, "link": links[i], "values": [s["data"][i] for s in series]}
            for i, cat in enumerate(chart["categories"])]
    return {"caption": chart["title"], "head": [s["name"] for s in series], "rows": rows}
