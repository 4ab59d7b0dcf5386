"""The forms of public reports: the public one (no login) and the authority's handling forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import options
from app.labels import label
from workflows.public_reports import AccidentLevel, ReportCategory


class PublicReportForm(FlaskForm):
    category = RadioField(_l("What are you reporting?"), validators=[DataRequired()])
    enterprise_name = StringField(_l("Enterprise (name)"), validators=[Length(max=128)])
    location = StringField(lazy_pgettext("public_reports", "Place"), validators=[Length(max=255)])
    description = TextAreaField(_l("What did you see?"), validators=[DataRequired(), Length(max=5000)])
    photos = MultipleFileField(_l("Photos (optional)"))
    name = StringField(_l("Your name (optional; needed for a reward)"), validators=[Length(max=64)])
    phone = StringField(_l("Your phone (optional; needed for a reward)"), validators=[Length(max=32)])
    challenge = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options((c.value, label(c)) for c in ReportCategory)


class TrackForm(FlaskForm):
    ticket = StringField(_l("Ticket number"), validators=[DataRequired(), Length(max=32)])
    secret = StringField(_l("Secret"), validators=[DataRequired(), Length(max=64)])


class DecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), choices=options([
        ("accept", _l("Accept (受理)")), ("reject", _l("Do not accept (不予受理)")),
        ("transfer", _l("Transfer to another authority (转办)"))]))
    reason = TextAreaField(_l("Reason (not accepting, transferring)"), validators=[Length(max=5000)])
    authority_id = SelectField(_l("Authority to transfer to"), validators=[Optional()], choices=[])
    version = HiddenField()


class VerifyForm(FlaskForm):
    substantiated = SelectField(_l("Substantiated?"), choices=options([
        ("yes", _l("Yes, substantiated")), ("no", _l("No, not substantiated"))]))
    findings = TextAreaField(_l("Findings of the verification"), validators=[DataRequired(), Length(max=5000)])
    version = HiddenField()


class HazardForm(FlaskForm):
    title = StringField(_l("Hazard title"), validators=[DataRequired(), Length(max=200)])
    enterprise_id = SelectField(_l("Enterprise"), validators=[Optional()], choices=[])


class CloseForm(FlaskForm):
    result = TextAreaField(_l("Result (the reporter reads it)"), validators=[DataRequired(), Length(max=5000)])
    version = HiddenField()


class ComputeForm(FlaskForm):
    fine = DecimalField(_l("Administrative fine (yuan)"), validators=[Optional(), NumberRange(min=0)])
    accident_level = SelectField(_l("Level of the concealed accident"), validators=[Optional()])
    concealed_deaths = IntegerField(_l("Concealed deaths confirmed"), validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accident_level.choices = options([("", "—")] + [(a.value, label(a)) for a in AccidentLevel])


class ProposeForm(FlaskForm):
    amount = DecimalField(_l("Reward amount (yuan)"), validators=[DataRequired()])
    basis = TextAreaField(_l("Basis"), validators=[DataRequired(), Length(max=5000)])
    version = HiddenField()


class RewardDecisionForm(FlaskForm):
    approved = SelectField(_l("Decision"), choices=options([("yes", _l("Approve")), ("no", _l("Decline"))]))
    reason = TextAreaField(_l("Reason (declining)"), validators=[Length(max=5000)])
    version = HiddenField()


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])
    method = StringField(_l("Payment method"), validators=[DataRequired(), Length(max=64)])
    version = HiddenField()


class DesigneeForm(FlaskForm):
    user_id = SelectField(_l("User"), choices=[])
