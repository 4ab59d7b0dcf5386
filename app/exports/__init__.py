"""Exports: the one way a feature offers a list as Excel. A feature registers an ``ExportKind`` (from
its init_app, ``exports.add_kind``); its page answers with ``exports.views.respond(name, params)``:
a small export is written while the user waits, a large one (more than ``EXPORT_SYNC_MAX_ROWS`` rows)
is built by a job (RQ with Redis, in-process without), kept in the instance folder until it expires, and
downloaded from "My exports" when the notification says it is ready. Every row is written (no cap),
row by row (``app.xlsx``): memory stays bounded whatever the row count (docs/exports.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import access, xlsx
from app.registry import point

KINDS = point("exports.kinds", "name -> ExportKind", unique=True)


@dataclass(frozen=True)
class ExportKind:
    """One export a feature offers. ``sheet`` and ``count`` take ``(actor, params)`` and check the
    actor's permission and scope themselves (the job calls them again as the user who asked);
    ``params`` are the page's filters as plain JSON values."""

    name: str
    title: str  # the official (Chinese) title: the sheet's name and the line on "My exports"
    filename: str
    sheet: Callable[..., xlsx.Sheet]
    count: Callable[..., int]


def add_kind(kind: ExportKind) -> None:
    """Register ``kind`` (from a feature's init_app)."""
    KINDS.add(kind.name, kind)


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service and views are loaded only when the app is built: no import cycle.
    from app import cli, jobs, ui
    from app.exports import policy, service, views

    access.register(policy.SCOPES)
    ui.nav_item("exports.index", _l("My exports"))
    jobs.register(service.build)
    cli.SCAN_STEPS.add("exports.expire", service.expire)
    app.register_blueprint(views.bp)
