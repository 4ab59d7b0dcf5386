"""Hand-offs (issue 16): the to-do list, notifications at every hand-off, reminders and escalation by tiers.

* ``app/todos.py`` — the registry of to-do sources that features fill in (hazards, supervision here);
* ``receivers.py`` — who is told what, connected to the signals of ``app/signals.py``;
* ``reminders.py`` — the scan step: before, at and after deadlines, by the tiers of ``reminder_tiers``;
* ``tiers.py`` — the tiers kept in the UI (/reminder-tiers: the admin, an authority's administrator);
* ``views.py`` / ``api.py`` — /todos and ``GET /api/v1/todos``.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.handoffs.models import ReminderTier  # noqa: F401  (the table)


def init_app(app: Flask) -> None:
    # Inside: loaded when the app is built, not when another feature imports this package's models.
    from app import access, todos, ui
    from app.api import register
    from app.cli import SCAN_STEPS
    from app.handoffs import api, receivers, reminders, tiers, views

    access.register(None, tiers.rules)
    receivers.connect()
    app.register_blueprint(views.bp)
    register(api.blp)
    ui.nav_item("handoffs.todos", _l("To-do"), lambda user: True)
    app.jinja_env.globals["todo_counts"] = todos.counts
    app.jinja_env.globals["todo_total"] = todos.total
    app.jinja_env.globals["todo_cap"] = todos.CAP
    ui.nav_item("handoffs.reminder_tiers", _l("Reminder tiers"), tiers.may_edit_any)
    app.jinja_env.globals.update(subject_labels=tiers.SUBJECT_LABELS, audience_labels=tiers.AUDIENCE_LABELS,
                                 offset_label=tiers.offset_label)
    # After the hazards' overdue step and the listing rules (registered by earlier features).
    SCAN_STEPS.add("reminders", reminders.scan_step)
