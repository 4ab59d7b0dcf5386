"""Scheduled hidden-hazard checks (隐患排查任务, issue 13): tasks per control measure, one record per
window, figures computed in one place (``queries.check_stats``), the periodic reminder of missed
windows, and the working-day calendar. docs/checks.md, docs/calendar.md."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import access, labels
from app.checks.models import CheckPhoto, CheckRecord, CheckResult, CheckTask
from app.extensions import db
from workflows.check_tasks import CycleUnit, WorkdayType
from workflows.check_windows import WindowState

access.register_scope(CheckTask, lambda user: access.enterprise_condition(CheckTask.enterprise_id, user))
access.register_scope(CheckRecord, lambda user: access.enterprise_condition(CheckRecord.enterprise_id, user))
access.register_scope(CheckPhoto, lambda user: CheckPhoto.record_id.in_(
    access.visible(CheckRecord, user).with_only_columns(CheckRecord.id)))

labels.register(CheckResult, {CheckResult.normal: _l("Normal"), CheckResult.abnormal: _l("Abnormal")})
labels.register(CycleUnit, {CycleUnit.hour: _l("hour"), CycleUnit.day: _l("day"), CycleUnit.week: _l("week"),
                            CycleUnit.month: _l("month"), CycleUnit.year: _l("year")})
labels.register(WorkdayType, {WorkdayType.every_day: _l("Every day"),
                              WorkdayType.workdays: _l("Statutory working days"),
                              WorkdayType.non_workdays: _l("Non-working days")})
labels.register(WindowState, {WindowState.upcoming: _l("Upcoming"), WindowState.due: _l("Due"),
                              WindowState.done: _l("Done"), WindowState.late: _l("Done late"),
                              WindowState.missed: _l("Missed"), WindowState.suspended: _l("Suspended")})


def _stored_photos():
    return db.session.scalars(select(CheckPhoto.sha256))


def init_app(app: Flask) -> None:
    import importlib

    from app import storage
    from app.api import register
    from app.checks import api, scan, service  # noqa: F401  (scan: registers its step)

    importlib.import_module("app.checks.policy")  # registers the rules
    storage.register_references("check_photos", _stored_photos)
    register(api.blp)
