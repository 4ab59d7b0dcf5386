"""Web forms of the hazard pages. Validation of meaning lives in the service; these only carry input.

Every form keeps what the user typed when the service refuses it (the view re-renders the same form).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import labels
from app.hazards.models import AttachmentKind
from workflows import codes
from workflows.hazard_states import HazardLevel, HazardNature
from workflows.national_codes import DangerSource, HazardType, ManageType

PHOTO_ATTRS = {"accept": "image/*,application/pdf", "capture": "environment", "multiple": True}


def _blank(choices, text=""):
    return [("", text)] + list(choices)


def _code_choices(table):
    return [(code, f"{code} {name}") for code, name in table.items()]


class ReportForm(FlaskForm):
    enterprise_id = SelectField(_l("Enterprise"), coerce=str, validate_choice=False)
    title = StringField(_l("What is wrong (short title)"))
    description = TextAreaField(_l("Description"))
    location = StringField(_l("Location"))
    nature = SelectField(_l("Nature"), validate_choice=False)
    risk_point_id = SelectField(_l("Risk point"), validate_choice=False)
    hazard_factor = SelectField(_l("Hazardous factor (GB/T 13861)"), validate_choice=False)
    accident_type = SelectField(_l("Possible accident type (GB 6441)"), validate_choice=False)
    # The national enumerations (docs/national-model-mapping.md); the service gives the defaults.
    danger_source = SelectField(_l("Found by (kind of check)"), validate_choice=False)
    hazard_type = SelectField(_l("Hazard type"), validate_choice=False)
    manage_type = SelectField(_l("Governance type"), validate_choice=False)
    enforcement_number = StringField(_l("Enforcement document number"))
    # Pre-filled when the report comes from a check of a control measure (?control_measure_id=).
    control_measure_id = HiddenField(validators=[Optional(), Length(max=20)])
    photos = MultipleFileField(_l("Photos"))
    # Made when the page is shown: a second tap on "Report" (or a resend after a lost answer on a
    # phone network) carries the same id and leads to the hazard already reported (app/idempotency.py).
    client_id = HiddenField(validators=[Optional(), Length(max=64)])

    def fill_choices(self, enterprises, risk_points):
        self.enterprise_id.choices = _blank([(str(e.id), e.name) for e in enterprises])
        self.nature.choices = _blank(labels.choices(HazardNature))
        self.risk_point_id.choices = _blank([(str(p.id), f"{p.name} {p.area}".strip()) for p in risk_points])
        self.hazard_factor.choices = _blank(_code_choices(codes.HAZARD_FACTORS))
        self.accident_type.choices = _blank(_code_choices(codes.ACCIDENT_TYPES))
        self.danger_source.choices = _blank(labels.choices(DangerSource), _l("(from who found it)"))
        self.hazard_type.choices = labels.choices(HazardType)
        self.manage_type.choices = labels.choices(ManageType)
        if not self.hazard_type.data:
            self.hazard_type.data = HazardType.other.value
        if not self.manage_type.data:
            self.manage_type.data = ManageType.deadline.value
        self.title.flags.required = True  # the star; the service says what is missing


class _TriggerForm(FlaskForm):
    version = HiddenField()  # a stale page (or a second click) answers "changed meanwhile"


class ConfirmForm(_TriggerForm):
    level = SelectField(lazy_pgettext("hazards", "Level"), validate_choice=False)
    deadline = DateField(lazy_pgettext("hazards", "Deadline"), validators=[Optional()])
    responsible_user_id = SelectField(_l("Responsible person"), validate_choice=False)
    responsible_department_id = SelectField(_l("Responsible department"), validate_choice=False)
    measures = TextAreaField(_l("Rectification measures"))

    def fill_choices(self, users, departments):
        self.level.choices = _blank(labels.choices(HazardLevel))
        self.responsible_user_id.choices = _blank([(str(u.id), f"{u.display_name}（{labels.label(u.role)}）")
                                                   for u in users])
        self.responsible_department_id.choices = _blank([(str(d.id), d.name) for d in departments])


class VoidForm(_TriggerForm):
    reason = TextAreaField(_l("Reason (not a hazard, duplicate...)"))


class SubmitForm(_TriggerForm):
    rectification = TextAreaField(_l("What was done"))
    photos = MultipleFileField(_l("Photos or documents of the result (after)"))


class AcceptForm(_TriggerForm):
    comment = TextAreaField(_l("Review comment"))


class RejectForm(_TriggerForm):
    reason = TextAreaField(_l("Why the rectification is not accepted"))
    deadline = DateField(_l("New deadline (optional)"), validators=[Optional()])


class ExtendForm(_TriggerForm):
    deadline = DateField(lazy_pgettext("hazards", "New deadline"), validators=[Optional()])
    reason = TextAreaField(lazy_pgettext("hazards", "Reason"))


class RegradeForm(_TriggerForm):
    level = SelectField(_l("New level"), validate_choice=False)
    reason = TextAreaField(lazy_pgettext("hazards", "Reason"))

    def fill_choices(self, *_args):
        self.level.choices = _blank(labels.choices(HazardLevel))


class ReassignForm(_TriggerForm):
    responsible_user_id = SelectField(_l("New responsible person"), validate_choice=False)
    reason = TextAreaField(_l("Reason"))

    def fill_choices(self, users, _departments=()):
        self.responsible_user_id.choices = _blank([(str(u.id), f"{u.display_name}（{labels.label(u.role)}）")
                                                   for u in users])


class RequestExtensionForm(_TriggerForm):
    deadline = DateField(_l("Deadline asked for"), validators=[Optional()])
    reason = TextAreaField(_l("Why more time is needed"))


class DecideExtensionForm(_TriggerForm):
    granted = SelectField(_l("Decision"), validate_choice=False)
    deadline = DateField(_l("New deadline (empty: the one asked for)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"))

    def fill_choices(self, _users=(), _departments=()):
        self.granted.choices = _blank([("true", _l("Granted")), ("false", _l("Refused"))])


class OnTheSpotForm(_TriggerForm):
    responsible_user_id = SelectField(_l("Who rectified it"), validate_choice=False)
    measures = TextAreaField(_l("Measures"))
    rectification = TextAreaField(_l("What was done"))
    photos = MultipleFileField(_l("Photos of the result (after)"))

    def fill_choices(self, users, _departments=()):
        self.responsible_user_id.choices = _blank([(str(u.id), f"{u.display_name}（{labels.label(u.role)}）")
                                                   for u in users])


class PlanForm(FlaskForm):
    goal = TextAreaField(_l("1. Goal and tasks"))
    measures = TextAreaField(_l("2. Methods and measures"))
    funds = TextAreaField(_l("3. Funds and materials"))
    organisation = TextAreaField(_l("4. Organisation and people in charge"))
    time_requirements = TextAreaField(_l("5. Time limit and requirements"))
    safety_and_emergency = TextAreaField(_l("6. Safety measures and emergency plan"))
    workers_congress_reported_on = DateField(_l("Reported to the workers' congress on"), validators=[Optional()])
    workers_congress_how = StringField(_l("How it was reported"))


class AttachmentForm(FlaskForm):
    kind = SelectField(lazy_pgettext("hazards", "Kind"), validate_choice=False)
    photos = MultipleFileField(_l("Files"))

    def fill_choices(self):
        self.kind.choices = labels.choices(AttachmentKind)


TRIGGER_FORMS = {
    "confirm": ConfirmForm, "void": VoidForm, "submit": SubmitForm, "accept": AcceptForm,
    "reject": RejectForm, "extend": ExtendForm, "regrade": RegradeForm, "reassign": ReassignForm,
    "request_extension": RequestExtensionForm, "decide_extension": DecideExtensionForm,
}


class NationalCodesForm(FlaskForm):
    """The national codes of a reported hazard, corrected later (``service.reclassify``)."""

    version = HiddenField()
    danger_source = SelectField(_l("Found by (kind of check)"), validate_choice=False)
    hazard_type = SelectField(_l("Hazard type"), validate_choice=False)
    manage_type = SelectField(_l("Governance type"), validate_choice=False)
    enforcement_number = StringField(_l("Enforcement document number"))

    def fill_choices(self):
        self.danger_source.choices = labels.choices(DangerSource)
        self.hazard_type.choices = labels.choices(HazardType)
        self.manage_type.choices = labels.choices(ManageType)
