"""Documents: numbered, immutable PDF notices and orders, their public verification by QR code."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import labels
from app.documents.models import DocumentKind, DocumentStatus

labels.register(DocumentKind, {
    DocumentKind.rectification_notice: _l("Rectification notice"),
    DocumentKind.rectification_order: _l("Rectification order"),
    DocumentKind.review_opinion: _l("Review opinion"),
    DocumentKind.supervision_notice: _l("Supervision notice"),
    DocumentKind.delisting_notice: _l("Delisting notice"),
    DocumentKind.hazard_archive: _l("Hazard archive"),
    DocumentKind.risk_card: _l("Risk notification card"),
})
labels.register(DocumentStatus, {
    DocumentStatus.valid: _l("Valid"),
    DocumentStatus.voided: _l("Voided"),
    DocumentStatus.superseded: _l("Superseded"),
})


def init_app(app: Flask) -> None:
    from app.documents import policy  # noqa: F401  (registers scope and rules)
