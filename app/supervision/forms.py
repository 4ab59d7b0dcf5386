from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from app import labels
from app.forms import options
from app.hazards.models import ProductionSuspension


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
    # Chosen from the provisions table (a list to search as one types) or typed.
    provision = StringField(_l("Provision violated"), validators=[Length(max=500)])
    # Judged a major accident hazard against this clause of the criteria (0: not major).
    criterion_id = SelectField(_l("Major accident hazard (criterion)"), coerce=int, validate_choice=False)
    deadline = DateField(_l("Rectify by"), validators=[Optional()])
    photos = MultipleFileField(_l("Photos taken on site"))


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
    origin = HiddenField()  # what the inspection is started from (a public report's page), passed through


# --- enforcement papers (issue 17): parsing only; the rules are the services' ---------------------

class MeasuresForm(FlaskForm):
    second_officer_id = SelectField(_l("Second officer"), coerce=int, validate_choice=False)
    facts = TextAreaField(_l("Facts found"), validators=[Length(max=2000)])
    eliminate_now = BooleanField(_l("Eliminate the hazard immediately"))
    evacuate = BooleanField(_l("Withdraw the workers from the danger zone"))
    suspension = SelectField(_l("Suspend production or business"), choices=lambda: labels.choices(ProductionSuspension))
    stop_use = StringField(_l("Stop using (facilities, equipment)"), validators=[Length(max=500)])
    until = DateField(_l("Until"), validators=[Optional()])


class SummonsForm(FlaskForm):
    enterprise_id = SelectField(_l("Enterprise summoned"), coerce=int, validate_choice=False)
    reason = TextAreaField(_l("Reason for the summons"), validators=[Length(max=2000)])
    scheduled_at = DateTimeLocalField(_l("Time of the summons"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField(lazy_pgettext("supervision", "Place"), validators=[Length(max=255)])
    hazard_ids = SelectMultipleField(_l("Hazards concerned"), coerce=int, validate_choice=False)


class SummonsRecordForm(FlaskForm):
    held_at = DateTimeLocalField(_l("Held at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    second_officer_id = SelectField(_l("Second officer"), coerce=int, validate_choice=False)
    attendees = TextAreaField(_l("Attendees"), validators=[Length(max=2000)])
    content = TextAreaField(_l("What was said"), validators=[Length(max=4000)])
    outcome = TextAreaField(_l("Outcome and commitments"), validators=[Length(max=4000)])


class DelistingApplicationForm(FlaskForm):
    evaluation = FileField(_l("Evaluation report (PDF)"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class DelistingReviewForm(FlaskForm):
    second_officer_id = SelectField(_l("Second officer"), coerce=int, validate_choice=False)
    passed = SelectField(_l("Result of the on-site review"), choices=options([
        ("1", _l("Passed: lift the listing")), ("0", _l("Not passed"))]))
    opinion = TextAreaField(_l("Review opinion"), validators=[Length(max=4000)])
    reviewed_on = DateField(_l("Reviewed on site on"), validators=[Optional()])


class PublicationForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    authority_id = SelectField(lazy_pgettext("supervision", "Authority"), coerce=int, validate_choice=False)
    first = DateField(lazy_pgettext("supervision", "From"), validators=[Optional()])
    last = DateField(lazy_pgettext("supervision", "To"), validators=[Optional()])


class ProvisionForm(FlaskForm):
    law = StringField(_l("Law or regulation"), validators=[Length(max=128)])
    article = StringField(_l("Article"), validators=[Length(max=64)])
    text = TextAreaField(_l("Text of the provision"), validators=[Length(max=4000)])
    active = BooleanField(_l("In use (inspectors may choose it)"), default=True)


class CriterionForm(FlaskForm):
    industry = StringField(lazy_pgettext("supervision", "Industry"), validators=[Length(max=64)])
    standard = StringField(_l("Standard"), validators=[Length(max=255)])
    clause = StringField(_l("Clause"), validators=[Length(max=16)])
    text = TextAreaField(_l("Text of the clause"), validators=[Length(max=4000)])
    active = BooleanField(_l("In use (inspectors may choose it)"), default=True)
