"""The forms of the credit pages (parsing only; the services validate)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from app.forms import options
from workflows.credit import FACT_LABELS, NATIONAL_CONDITIONS, RESTRICTION_DOMAINS

SUBJECTS = options([("enterprise", lazy_pgettext("credit", "Enterprise")),
                    ("principal", lazy_pgettext("credit", "Principal"))])


class RecordForm(FlaskForm):
    kind = SelectField(_l("Fact"), choices=options((k.value, text) for k, text in FACT_LABELS.items()))
    subject = SelectField(_l("Concerns"), choices=SUBJECTS)
    source = TextAreaField(_l("Source (record, document number)"), validators=[Length(max=1000)])
    occurred_on = DateField(_l("Date of the fact"), validators=[Optional()])


class ObjectionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the objection"), validators=[Length(max=2000)])
    version = HiddenField()


class ObjectionDecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), choices=options([("uphold", _l("Uphold the record")),
                                                          ("correct", _l("Correct the record"))]))
    reason = TextAreaField(lazy_pgettext("credit", "Reason"), validators=[Length(max=2000)])
    correction = TextAreaField(_l("Correction"), validators=[Length(max=2000)])
    weight = FloatField(_l("Corrected weight (0 withdraws the record)"), validators=[Optional()])
    version = HiddenField()


class ProposeForm(FlaskForm):
    subject = SelectField(_l("Concerns"), choices=SUBJECTS)
    condition = SelectField(_l("Entry condition"), choices=options((c.code, c.text) for c in NATIONAL_CONDITIONS.values()))
    penalty_decision = StringField(_l("Administrative penalty decision (number)"), validators=[Length(max=128)])
    evidence = TextAreaField(_l("Facts supporting the condition"), validators=[Length(max=2000)])


class DecideForm(FlaskForm):
    action = SelectField(_l("Decision"), choices=options([("list", _l("List")), ("refuse", _l("Do not list"))]))
    notified_on = DateField(_l("Entity told the grounds and its rights on"), validators=[Optional()])
    restriction_domains = SelectMultipleField(_l("Restriction domains"), choices=options(RESTRICTION_DOMAINS.items()))
    reason = TextAreaField(lazy_pgettext("credit", "Reason"), validators=[Length(max=2000)])
    # Only for an entry the system proposed: the listing presupposes an administrative penalty.
    penalty_decision = StringField(_l("Administrative penalty decision (number)"), validators=[Length(max=128)])
    version = HiddenField()


class RepairForm(FlaskForm):
    statement = TextAreaField(_l("What the entity did to repair its credit"), validators=[Length(max=2000)])
    conditions = SelectMultipleField(_l("Conditions satisfied"), choices=[], validate_choice=False)
    version = HiddenField()


class RepairDecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), choices=options([("grant", _l("Remove early")),
                                                          ("refuse", _l("Refuse"))]))
    decision_no = StringField(_l("Removal decision number"), validators=[Length(max=64)])
    reason = TextAreaField(lazy_pgettext("credit", "Reason"), validators=[Length(max=2000)])
    version = HiddenField()
