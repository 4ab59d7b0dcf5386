"""Forms of the check pages (CSRF via Flask-WTF; the services validate again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options

CYCLE_UNITS = [("hour", _l("hours")), ("day", _l("days")), ("week", _l("weeks")), ("month", _l("months")),
               ("year", _l("years"))]
WORKDAY_TYPES = [("every_day", _l("Every day")), ("workdays", _l("Statutory working days")),
                 ("non_workdays", _l("Non-working days"))]


class DutyItemForm(FlaskForm):
    number = IntegerField(_l("Item number on the national list"), validators=[Optional()])
    content = TextAreaField(_l("What the person checks"), validators=[DataRequired(), Length(max=2000)])
    cycle = IntegerField(_l("Every"), validators=[Optional()])
    cycle_unit = SelectField(_l("Cycle unit"), choices=options([("", "—")] + CYCLE_UNITS[1:]), validate_choice=False)
    before_holidays = BooleanField(_l("Also due before each holiday"))
    lead_days = IntegerField(_l("Days before the holiday"), default=7, validators=[Optional()])
    citation = StringField(lazy_pgettext("checks", "Source"), validators=[Length(max=500)])


class TaskForm(FlaskForm):
    """One check task of a measure (or, in bulk, of every measure of a control level)."""

    cycle = IntegerField(_l("Every"), validators=[Optional()])
    cycle_unit = SelectField(_l("Cycle unit"), choices=options(CYCLE_UNITS), default="day", validate_choice=False)
    starts_on = StringField(_l("First window starts"), validators=[Optional()])
    workday_type = SelectField(_l("Days"), choices=options(WORKDAY_TYPES), default="every_day", validate_choice=False)
    work_start = StringField(_l("Working hours from"), validators=[Optional()])
    work_end = StringField(_l("to"), validators=[Optional()])
    task_type = SelectField(_l("Task type"), default="routine", validate_choice=False)
    task_number = IntegerField(_l("Item number (包保 task list)"), validators=[Optional()])
    assignee = SelectField(_l("Who checks"), validate_choice=False)
    control_level = SelectField(_l("Control level"), validate_choice=False)


class AbnormalForm(FlaskForm):
    """An abnormal check: what is wrong becomes the hazard's description (reported in the same action)."""

    client_id = HiddenField()
    device_id = HiddenField()
    via_qr = HiddenField()
    window_start = HiddenField()
    latitude = HiddenField()
    longitude = HiddenField()
    note = TextAreaField(lazy_pgettext("checks", "What is wrong"), validators=[DataRequired(), Length(max=4000)])
    photos = MultipleFileField(_l("Photos"))


class CalendarImportForm(FlaskForm):
    file = FileField(_l("Calendar file (UTF-8 text)"))
    text = TextAreaField(_l("Or paste it here"))


class CalendarYearForm(FlaskForm):
    text = TextAreaField(_l("The year's calendar"), validators=[DataRequired()])
