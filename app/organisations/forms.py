"""Forms of the organisation pages. Length and uniqueness rules live in the services (one place for
UI and API); the forms only carry the fields, their labels and the obvious "required" checks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Optional

from app import labels
from app.auth.models import Role
from app.organisations.models import DepartmentLevel, EnterpriseScale, RegionLevel, StandardisationLevel


def id_select(label, required=False, **kw) -> SelectField:
    """A select of ids; unknown ids are reported by the service ("Unknown region."), not by WTForms."""
    validators = [DataRequired()] if required else [Optional()]
    return SelectField(label, validators=validators, validate_choice=False, **kw)


class RegionForm(FlaskForm):
    parent_id = id_select(_l("Parent region"))
    level = SelectField(_l("Level"), validators=[DataRequired()])
    code = StringField(_l("Division code"), validators=[DataRequired()], render_kw={"maxlength": 12})
    name = StringField(_l("Name"), validators=[DataRequired()], render_kw={"maxlength": 64})

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.level.choices = labels.choices(RegionLevel)


class AuthorityForm(FlaskForm):
    region_id = id_select(_l("Region"), required=True)
    name = StringField(_l("Name"), validators=[DataRequired()], render_kw={"maxlength": 128})
    abbreviation = StringField(_l("Abbreviation in document numbers"), validators=[DataRequired()],
                               render_kw={"maxlength": 16})
    review_body = StringField(_l("Administrative review body"), validators=[DataRequired()],
                              render_kw={"maxlength": 128})
    court = StringField(_l("Court for administrative litigation"), validators=[DataRequired()],
                        render_kw={"maxlength": 128})
    address = StringField(_l("Address"), render_kw={"maxlength": 255})
    phone = StringField(_l("Phone"), render_kw={"maxlength": 32})


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()], render_kw={"maxlength": 128})
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired()],
                              render_kw={"maxlength": 18})
    region_id = id_select(_l("Region"), required=True)
    industry_id = id_select(_l("Industry"), required=True)
    address = StringField(_l("Address"), render_kw={"maxlength": 255})
    legal_representative = StringField(_l("Legal representative"), render_kw={"maxlength": 64})
    principal_name = StringField(_l("Principal"), render_kw={"maxlength": 64})
    principal_phone = StringField(_l("Principal's phone"), render_kw={"maxlength": 32})
    safety_manager_name = StringField(_l("Safety manager"), render_kw={"maxlength": 64})
    safety_manager_phone = StringField(_l("Safety manager's phone"), render_kw={"maxlength": 32})
    standardisation_level = SelectField(_l("Standardisation level"), default=StandardisationLevel.none.value)
    scale = SelectField(_l("Scale"), default=EnterpriseScale.small.value)

    MASTER_FIELDS = ("name", "credit_code", "region_id", "industry_id")

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.standardisation_level.choices = labels.choices(StandardisationLevel)
        self.scale.choices = labels.choices(EnterpriseScale)

    def drop_master_fields(self) -> None:
        """The enterprise's own manager keeps its details, not its identity (admin's master data)."""
        for name in self.MASTER_FIELDS:
            delattr(self, name)


class TransferForm(FlaskForm):
    """Moving an enterprise to another region: recorded with its reason (see service.transfer_enterprise)."""

    region_id = id_select(_l("New region"), required=True)
    reason = TextAreaField(_l("Reason for the transfer"), validators=[DataRequired()],
                           render_kw={"maxlength": 500})


class DepartmentForm(FlaskForm):
    parent_id = id_select(_l("Parent unit"))
    level = SelectField(_l("Level"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired()], render_kw={"maxlength": 64})

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.level.choices = labels.choices(DepartmentLevel)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()], render_kw={"maxlength": 64})
    display_name = StringField(_l("Full name"), validators=[DataRequired()], render_kw={"maxlength": 64})
    role = SelectField(_l("Role"), validators=[DataRequired()])
    enterprise_id = id_select(_l("Enterprise (enterprise roles)"))
    authority_id = id_select(_l("Authority (inspector, supervisor)"))
    department_id = id_select(_l("Department"))
    post_id = id_select(_l("Post"))
    phone = StringField(_l("Mobile phone (optional, for notifications)"), render_kw={"maxlength": 32,
                                                                                   "inputmode": "tel"})
    email = StringField(_l("Email"), render_kw={"maxlength": 128})
    certificate_no = StringField(_l("Law-enforcement certificate number"), render_kw={"maxlength": 32})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.role.choices = labels.choices(Role)


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
