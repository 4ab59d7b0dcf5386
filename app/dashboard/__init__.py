"""Dashboards (工作台) and figures: the statistics every role works from, defined once in
``workflows.figures`` and counted once in ``app.dashboard.stats``; regional drill-down and rankings; the
weekly effectiveness score (stored per closed ISO week); Excel exports; the statutory periodic report."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def _scan_figures() -> dict:
    # Inside: loaded when called, not when another feature imports this package's models.
    from app.dashboard import stats

    return stats.refresh_aggregates()


def _scan_weekly_scores() -> dict:
    # Inside: loaded when called, not when another feature imports this package's models.
    from app.dashboard import scores

    return scores.scan_step()


def _stored_reports():
    # Inside: loaded when called, not when another feature imports this package's models.
    from sqlalchemy import select

    from app.dashboard.models import PeriodicReport
    from app.extensions import db

    return db.session.scalars(select(PeriodicReport.pdf_sha256).where(PeriodicReport.pdf_sha256.is_not(None)))


def _scan_report_reminders() -> dict:
    # Inside: loaded when called, not when another feature imports this package's models.
    from app.dashboard import report_reminders

    return report_reminders.scan_step()


def init_app(app: Flask) -> None:
    # Inside: loaded when the app is built, not when another feature imports this package's models.
    from app import access, cli, signals, storage, ui
    from app.dashboard import api, policy, reports_views, stats, todos, views

    access.register(policy.SCOPES, policy.rules)
    signals.open_hazard_aggregates.connect(stats.open_hazards_aggregated)  # supervision's overview
    storage.register_references("periodic_reports", _stored_reports)  # signed PDFs are never orphans
    todos.register()  # the periodic reports waiting for the manager or the principal
    cli.SCAN_STEPS.add("figures", _scan_figures)
    cli.SCAN_STEPS.add("weekly scores", _scan_weekly_scores)
    cli.SCAN_STEPS.add("report reminders", _scan_report_reminders)  # the reminder tiers of subject "report"
    app.register_blueprint(views.bp)
    app.register_blueprint(reports_views.public_bp)
    app.jinja_env.globals.update(period_figure=views.fig, figure_value=views.fmt, figure_name=views.fig_name,
                                 figure_definition=views.fig_definition)
    # The home page is the user's 工作台 (issue 14 item 2), replacing the grid of navigation tiles.
    app.extensions["home_view"] = views.home
    api.register()
    ui.nav_item("dashboard.region", _l("Regional figures"), lambda u: access.can(u, "dashboard.region"))
    ui.nav_item("dashboard.ranking", _l("Rankings"), lambda u: access.can(u, "dashboard.region"))
    ui.nav_item("dashboard.scores_page", _l("Weekly score"), lambda u: access.can(u, "dashboard.stats"))
    ui.nav_item("dashboard.reports", _l("Periodic reports"), lambda u: u.role.value != "enterprise_staff")
