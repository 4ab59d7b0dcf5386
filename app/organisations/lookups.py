"""Turning submitted ids into visible objects, and the choices of the select boxes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import access
from app.auth.models import User
from app.errors import Invalid
from app.extensions import db
from app.organisations.models import Authority, Department, DepartmentLevel, Enterprise, Industry, Region

UNKNOWN = {  # field -> message when the id names nothing the user may see
    "region_id": lambda: _("Unknown region."),
    "parent_id": lambda: _("Unknown parent."),
    "industry_id": lambda: _("Unknown industry."),
    "enterprise_id": lambda: _("Unknown enterprise."),
    "authority_id": lambda: _("Unknown authority."),
    "department_id": lambda: _("Unknown department."),
    "post_id": lambda: _("Unknown post."),
}


def visible_or_none(model, raw, user):
    """The object with id ``raw`` if the user may see it; None for empty, malformed or foreign ids."""
    try:
        ident = int(raw)
    except (TypeError, ValueError):
        return None
    if model is Industry:  # a code table, not tenant-owned
        return db.session.get(Industry, ident)
    return db.session.scalar(access.visible(model, user).where(model.id == ident))


class Resolver:
    """Collects "unknown X" errors while resolving ids, then merges them with a service's errors,
    so that one 422 names every bad field at once."""

    def __init__(self, user):
        self.user = user
        self.errors: dict[str, str] = {}

    def __call__(self, field: str, model, raw, *, required: bool = False):
        if raw in (None, ""):
            if required:
                self.errors[field] = UNKNOWN[field]()
            return None
        obj = visible_or_none(model, raw, self.user)
        if obj is None:
            self.errors[field] = UNKNOWN[field]()
        return obj

    def run(self, fn, *args, **kw):
        """Call a service; raise Invalid with the resolver's errors and the service's together."""
        try:
            result = fn(*args, **kw)
        except Invalid as exc:
            fields = {k: v for k, v in exc.fields.items()}
            fields.update({k: [v] for k, v in self.errors.items()})
            raise Invalid(fields=fields) from None
        if self.errors:
            raise Invalid(fields=self.errors)
        return result


def _indent(depth: int, text: str) -> str:
    return "\u3000" * max(depth, 0) + text


def region_choices(user, blank: str | None = None) -> list[tuple[str, str]]:
    regions = db.session.scalars(access.visible(Region, user).order_by(Region.path))
    head = [("", blank)] if blank is not None else []
    return head + [(str(r.id), _indent(r.path.count("/") - 2, f"{r.name}（{r.code}）")) for r in regions]


def industry_choices(blank: str | None = None) -> list[tuple[str, str]]:
    head = [("", blank)] if blank is not None else []
    return head + [(str(i.id), i.name) for i in db.session.scalars(select(Industry).order_by(Industry.id))]


def enterprise_choices(user, blank: str = "—") -> list[tuple[str, str]]:
    rows = db.session.scalars(access.visible(Enterprise, user).order_by(Enterprise.name))
    return [("", blank)] + [(str(e.id), e.name) for e in rows]


def authority_choices(user, blank: str = "—") -> list[tuple[str, str]]:
    rows = db.session.scalars(access.visible(Authority, user).order_by(Authority.name))
    return [("", blank)] + [(str(a.id), a.name) for a in rows]


UNIT_LEVELS = (DepartmentLevel.department, DepartmentLevel.workshop, DepartmentLevel.team)


def department_choices(user, enterprise: Enterprise | None = None, blank: str = "—", *, active_only: bool = False,
                       levels=None) -> list[tuple[str, str]]:
    """Units of ``enterprise`` (or of every visible one) in tree order; ``active_only``: not retired;
    ``levels``: only those levels (the posts for a person's post, the rest for his department)."""
    stmt = access.visible(Department, user).join(Enterprise).order_by(Enterprise.name, Department.path)
    if enterprise is not None:
        stmt = stmt.where(Department.enterprise_id == enterprise.id)
    if active_only:
        stmt = stmt.where(Department.retired_at.is_(None))
    if levels is not None:
        stmt = stmt.where(Department.level.in_(list(levels)))
    rows = db.session.scalars(stmt)
    label = (lambda d: _indent(d.depth, d.name)) if enterprise is not None else \
        (lambda d: f"{d.enterprise.name} / {d.name}")
    return [("", blank)] + [(str(d.id), label(d)) for d in rows]




# --- who and which unit may answer for something of an enterprise ---------------------------------
# One rule (issue 12 item 3): a responsible person is an active user of the enterprise, a responsible
# unit one of its departments. Risk points and hazards both ask here.

def _ident(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def person_of(enterprise_id: int, raw):
    """The active user ``raw`` (an id) of the enterprise, or None (not found, foreign, retired, malformed)."""

    user = db.session.get(User, ident) if (ident := _ident(raw)) is not None else None
    return user if user is not None and user.enterprise_id == enterprise_id and user.active else None


def unit_of(enterprise_id: int, raw) -> Department | None:
    """The department ``raw`` (an id) of the enterprise, or None."""
    dept = db.session.get(Department, ident) if (ident := _ident(raw)) is not None else None
    return dept if dept is not None and dept.enterprise_id == enterprise_id else None
