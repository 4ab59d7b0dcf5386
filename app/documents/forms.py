from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FileField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import labels
from app.documents.models import DocumentKind, DocumentStatus, ServiceMethod
from workflows.limits import TEXT_MAX


class VoidForm(FlaskForm):
    # Required-ness is checked by the service (one Chinese message for UI and API).
    reason = TextAreaField(_l("Reason for voiding"), validators=[Length(max=2000)])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(lazy_pgettext("documents", "Kind"), validators=[Optional()],
                       choices=lambda: [("", _l("All kinds"))] + labels.choices(DocumentKind))
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=lambda: [("", _l("All states"))] + labels.choices(DocumentStatus))
    q = StringField(_l("Number"), validators=[Optional(), Length(max=64)])


class NoticeForm(FlaskForm):
    """An enterprise's internal rectification notice for one or more hazards."""

    recipient = StringField(_l("Addressed to (department)"), validators=[Length(max=100)])
    requirements = TextAreaField(_l("Requirements"), validators=[Length(max=TEXT_MAX)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])


class ServiceForm(FlaskForm):
    """How a document was served (送达); times are local. Required-ness and the rules of electronic
    service are the service's (one Chinese message for page and API)."""

    method = SelectField(_l("How it was served"), validators=[Optional()],
                         choices=lambda: [("", _l("Choose…"))] + labels.choices(ServiceMethod))
    served_at = DateTimeLocalField(_l("Served at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    received_by = StringField(_l("Received by"), validators=[Length(max=64)])
    consent_on = DateTimeLocalField(_l("Party consented to electronic service at"), format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    address = StringField(_l("Address served to"), validators=[Length(max=255)])
    receipt = FileField(_l("Scan of the signed receipt (PDF or photo)"))
