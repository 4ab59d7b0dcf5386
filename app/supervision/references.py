"""The editable tables an inspector picks from: provisions violated (依据条款) and the clauses of the
重大事故隐患判定标准. One use case per change, used by the admin pages and the API alike. Rows are
never deleted: ``active = False`` withdraws one, and what a record cited keeps its own copy of the
citation and text (InspectionItem.provision, .criterion_text). No commit here.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import access
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.supervision.models import InspectionItem, MajorHazardCriterion, Provision

# field -> (required, max length), in the order the forms show them
PROVISION_FIELDS = {"law": (True, 128), "article": (True, 64), "text": (False, 4000)}
CRITERION_FIELDS = {"industry": (True, 64), "standard": (True, 255), "clause": (True, 16), "text": (True, 4000)}
_FIELDS = {Provision: PROVISION_FIELDS, MajorHazardCriterion: CRITERION_FIELDS}


def _clean(model, values: dict, *, partial: bool) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    for name, (required, max_len) in _FIELDS[model].items():
        if name not in values:
            if required and not partial:
                errors[name] = _("This field is required.")
            continue
        text = (values[name] or "").strip()
        if required and not text:
            errors[name] = _("This field is required.")
        elif len(text) > max_len:
            errors[name] = _("At most %(n)d characters.", n=max_len)
        clean[name] = text
    if "active" in values:
        clean["active"] = bool(values["active"])
    if errors:
        raise Invalid(fields=errors)
    return clean


def _flush(row) -> None:
    """A duplicate (law + article, standard + clause) is a 409, the row left unchanged."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("This row exists already."), code="duplicate") from None


def add(actor: User, model, **values):
    access.require(actor, "enforcement_reference.edit")
    row = model(**_clean(model, values, partial=False))
    db.session.add(row)
    _flush(row)
    return row


def edit(actor: User, model, row_id: int, **values):
    """Change a row, or withdraw it (``active=False``) / bring it back."""
    access.require(actor, "enforcement_reference.edit")
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound()
    for key, value in _clean(model, values, partial=True).items():
        setattr(row, key, value)
    _flush(row)
    return row


def rows(actor: User, model, active: bool | None = None):
    access.require(actor, "reference.read")
    stmt = select(model)
    if active is not None:
        stmt = stmt.where(model.active.is_(active))
    return stmt.order_by(model.id)


def cited_counts(model) -> dict[int, int]:
    """row id -> how many inspection items cite it (shown beside the row: why it is never deleted)."""
    column = InspectionItem.provision_id if model is Provision else InspectionItem.criterion_id
    return dict(db.session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column)).all())
