from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options


class DecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), choices=options([("list", _l("List for supervision")),
                                                          ("dismiss", _l("Dismiss"))]))
    deadline = DateField(_l("Rectification deadline"), validators=[Optional()])
    requirements = TextAreaField(_l("Supervision requirements"), validators=[Length(max=4000)])
    supervising_person = StringField(_l("Supervising person (default: you)"), validators=[Length(max=64)])
    basis = TextAreaField(_l("Basis of the judgement (default: from the record)"), validators=[Length(max=2000)])
    reason = TextAreaField(_l("Reason (for dismissing)"), validators=[Length(max=2000)])


class ProgressForm(FlaskForm):
    text = TextAreaField(_l("Progress of the rectification"), validators=[DataRequired(), Length(max=4000)])


class ProblemForm(Form):
    title = StringField(_l("Problem found"), validators=[Length(max=200)])
    location = StringField(_l("Location"), validators=[Length(max=200)])
    provision = StringField(_l("Provision violated"), validators=[Length(max=500)])
    # Judged a major accident hazard against this clause of the criteria (0: not major).
    criterion_id = SelectField(_l("Major accident hazard (criterion)"), coerce=int, validate_choice=False)
    deadline = DateField(_l("Rectify by"), validators=[Optional()])


class InspectionForm(FlaskForm):
    enterprise_id = SelectField(_l("Inspected enterprise"), coerce=int, validators=[DataRequired()])
    inspected_on = DateField(_l("Date of inspection"), validators=[DataRequired()])
    start_time = TimeField(lazy_pgettext("supervision", "From"), validators=[DataRequired()])
    end_time = TimeField(lazy_pgettext("supervision", "To"), validators=[DataRequired()])
    place = StringField(_l("Place inspected"), validators=[Length(max=255)])
    second_officer_id = SelectField(_l("Second officer"), coerce=int, validators=[DataRequired()])
    findings = TextAreaField(_l("Inspection notes"), validators=[Length(max=4000)])
    enterprise_person = StringField(_l("Enterprise's person on site"), validators=[Length(max=64)])
    problems = FieldList(FormField(ProblemForm), min_entries=6, max_entries=50)
