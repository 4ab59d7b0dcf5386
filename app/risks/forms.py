"""Forms of the risk register (CSRF via Flask-WTF; the server validates again in the service)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import labels
from app.forms import options
from app.risks.models import RiskObjectStatus, RiskPointKind, RiskPointStatus
from workflows import grading
from workflows.grading import ControlLevel, Method
from workflows.national_codes import (
    MAJOR_HAZARD_LEVELS,
    MEASURE_CLASSES,
    MEASURE_SUBCLASSES,
    MeasureDataSource,
)
from workflows.risk_codes import ACCIDENT_TYPES, HAZARD_FACTORS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _values(method: Method, name: str) -> list[SelectChoice]:
    meanings = grading.MEANINGS[method][name]
    return options([("", "—")] + [(grading._fmt(v), f"{grading._fmt(v)}　{meanings[v]}")
                                  for v in grading.FACTORS[method][name]])


class RiskPointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=128)])
    area = StringField(_l("Area"), validators=[Length(max=128)])
    object_id = SelectField(_l("Analysis object"), choices=[], default="")
    kind = SelectField(_l("Type of risk point"), default="place")
    hazard_factors = SelectMultipleField(_l("Hazard factors (GB/T 13861)"),
                                         choices=options((k, f"{k} {v}") for k, v in HAZARD_FACTORS.items()))
    accident_types = SelectMultipleField(_l("Possible accident types (GB 6441)"),
                                         choices=options((k, f"{k} {v}") for k, v in ACCIDENT_TYPES.items()))
    engineering = TextAreaField(_l("Engineering measures (one per line)"))
    management = TextAreaField(_l("Management measures (one per line)"))
    training = TextAreaField(_l("Training measures (one per line)"))
    ppe = TextAreaField(_l("Personal protection (one per line)"))
    emergency = TextAreaField(_l("Emergency measures (one per line)"))
    consequences = TextAreaField(_l("Possible consequences"))
    responsible_department_id = SelectField(_l("Responsible department"), choices=[], default="")
    responsible_user_id = SelectField(_l("Person responsible"), choices=[], default="")
    control_level = SelectField(_l("Control level"), default="")
    review_interval_months = IntegerField(_l("Review interval (months)"), default=3,
                                          validators=[Optional(), NumberRange(min=1, max=60)])
    status = SelectField(_l("Status"), default="active")

    def __init__(self, *args, departments=(), users=(), objects=(), multi_event=False, **kw):
        super().__init__(*args, **kw)
        self.object_id.choices = [("", "—")] + [(str(o.id), o.name) for o in objects]
        if multi_event:  # measures are edited per event: the category fields are shown read-only, not sent
            for name in ("engineering", "management", "training", "ppe", "emergency"):
                getattr(self, name).render_kw = {"disabled": True}
        self.kind.choices = labels.choices(RiskPointKind)
        self.status.choices = labels.choices(RiskPointStatus)
        self.control_level.choices = [("", _l("Default from the grade"))] + labels.choices(ControlLevel)
        self.responsible_department_id.choices = [("", "—")] + [(str(d.id), d.name) for d in departments]
        self.responsible_user_id.choices = [("", "—")] + [(str(u.id), u.display_name) for u in users]


class AssessmentForm(FlaskForm):
    event_id = SelectField(_l("Risk event"), choices=[], default="", validate_choice=False)
    method = SelectField(_l("Method"), default="lec")
    lec_L = SelectField("L", default="", choices=_values(Method.lec, "L"))
    lec_E = SelectField("E", default="", choices=_values(Method.lec, "E"))
    lec_C = SelectField("C", default="", choices=_values(Method.lec, "C"))
    ls_L = SelectField("L", default="", choices=_values(Method.ls, "L"))
    ls_S = SelectField("S", default="", choices=_values(Method.ls, "S"))
    mes_M = SelectField("M", default="", choices=_values(Method.mes, "M"))
    mes_E = SelectField("E", default="", choices=_values(Method.mes, "E"))
    mes_S = SelectField("S", default="", choices=_values(Method.mes, "S"))
    direct_rules = MultiCheckboxField(_l("Direct-determination rules"),
                                      choices=options((k, f"{k} {v}") for k, v in grading.DIRECT_RULES.items()))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.method.choices = labels.choices(Method)

    def inputs(self) -> dict:
        method = self.method.data
        if method == "direct":
            return {"rules": list(self.direct_rules.data or [])}
        if method not in grading.FACTORS:
            return {}
        return {name: getattr(self, f"{method}_{name}").data or None for name in grading.FACTORS[Method(method)]}

    def field_for(self, key: str):
        """The form field for a service error key such as ``inputs.L`` (for the current method)."""
        if key == "method":
            return self.method
        name = key.split(".", 1)[-1]
        if name == "rules":
            return self.direct_rules
        return getattr(self, f"{self.method.data}_{name}", None) or self.method


class SitePlanForm(FlaskForm):
    plan = FileField(_l("Site plan (PNG or JPEG)"))


class AreaForm(FlaskForm):
    name = StringField(_l("New area"), validators=[DataRequired(), Length(max=128)])


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"))



# --- the national model (issue 13) ------------------------------------------------------------------

def _people(users) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(u.id), u.display_name) for u in users]


class RiskObjectForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=128)])
    kind = StringField(_l("Kind (installation, storage area, warehouse, site...)"), validators=[Length(max=64)])
    hazard_source_code = StringField(_l("Hazard source code (危险化学品登记系统)"), validators=[Length(max=64)])
    major_hazard_level = SelectField(_l("Major hazard source level (GB 18218)"), default="")
    principal_user_id = SelectField(_l("Principal responsible person"), default="")
    technical_user_id = SelectField(_l("Technical responsible person"), default="")
    operator_user_id = SelectField(_l("Operating responsible person"), default="")
    description = TextAreaField(_l("Description"))
    status = SelectField(_l("Status"), default="active")

    def __init__(self, *args, users=(), **kw):
        super().__init__(*args, **kw)
        self.major_hazard_level.choices = [("", _l("Not a major hazard source"))] + [
            (str(level), _l("Level %(n)s", n=level)) for level in MAJOR_HAZARD_LEVELS]
        for name in ("principal_user_id", "technical_user_id", "operator_user_id"):
            getattr(self, name).choices = _people(users)
        self.status.choices = labels.choices(RiskObjectStatus)

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name", "kind", "hazard_source_code", "major_hazard_level", "principal_user_id", "technical_user_id",
            "operator_user_id", "description", "status")}


class RiskEventForm(FlaskForm):
    name = StringField(_l("Risk event (accident scenario)"), validators=[DataRequired(), Length(max=128)])
    accident_type = SelectField(_l("Accident type (GB 6441)"), default="",
                                choices=options([("", "—")] + [(k, f"{k} {v}") for k, v in ACCIDENT_TYPES.items()]))
    description = TextAreaField(_l("Description"))


class ControlMeasureForm(FlaskForm):
    description = TextAreaField(_l("Control measure"), validators=[DataRequired()])
    classify2 = SelectField(_l("National classification"), default="", validate_choice=False)
    classify3 = StringField(_l("Own classification"), validators=[Length(max=64)])
    data_source = SelectField(_l("How it is watched"), default="manual")
    check_content = TextAreaField(_l("Check content (排查内容)"))
    active = SelectField(_l("Status"), default="1")

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.classify2.choices = [("", "—")] + [
            (code, f"{code} {MEASURE_CLASSES[code.split('-')[0]]} / {name}") for code, name in MEASURE_SUBCLASSES.items()]
        self.data_source.choices = labels.choices(MeasureDataSource)
        self.active.choices = [("1", _l("In use")), ("0", _l("Retired"))]

    def data_for_service(self) -> dict:
        sub = self.classify2.data or ""
        return {"description": self.description.data, "classify1": sub.split("-")[0] if sub else "",
                "classify2": sub, "classify3": self.classify3.data, "data_source": self.data_source.data,
                "check_content": self.check_content.data}


class SuspensionForm(FlaskForm):
    starts_at = StringField(_l("Out of service from"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Until"), render_kw={"type": "datetime-local"})
    reason = StringField(_l("Reason (停用/检修)"), validators=[Length(max=2000)])
