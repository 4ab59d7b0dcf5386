"""Scheduled hidden-hazard checks (隐患排查任务, issue 13): tasks per control measure, one record per
window, figures computed in one place (``queries.check_stats``), the periodic reminder of missed
windows, and the working-day calendar. docs/checks.md, docs/calendar.md."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.checks.models import CheckPhoto
from app.extensions import db


def _stored_photos():
    return db.session.scalars(select(CheckPhoto.sha256))


def init_app(app: Flask) -> None:
    # Inside: the service, views and API are loaded only when the app is built (no import cycle).
    from app import access, cli, signals, storage
    from app.api import register
    from app.checks import api, demo, duties, policy, scan, service, todos, views

    access.register(policy.SCOPES, {**policy.rules, **duties.rules})
    cli.SCAN_STEPS.add("checks.missed", scan.scan_missed)
    signals.work_calendar.connect(service.calendar)  # the one calendar of working-day deadlines
    signals.measures_out_of_use.connect(service.end_tasks_of_measures)
    signals.duty_persons_changed.connect(duties.move_duties)  # a replaced 包保 person's tasks
    todos.register()  # check windows wanting a check now, on the to-do list
    cli.add_demo_step("checks", demo.seed)
    storage.register_references("check_photos", _stored_photos)
    register(api.blp)
    views.init_app(app)  # pages, 包保 duties, and the admin's home-page warning of a missing holiday notice
