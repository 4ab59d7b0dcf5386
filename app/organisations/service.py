"""Use cases of organisations (no commit inside: the view or command commits).

Every use case takes ``(actor, id_or_object, **fields)`` and checks scope and permission itself:
an object the actor may not see is NotFound (404), an action he may not do Forbidden (403), an id
inside the fields that names nothing he may see Invalid on that field (422). ``actor`` None is a
command run on the server by its operator (``shuangkong demo``, ``user create``, scripts): no
tenancy applies. Every change is written to the audit log (app.admin_log) in the same transaction.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, labels
from app.admin_log import changed, record, snapshot
from app.auth.models import Role, User
from app.clock import utcnow
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.organisations import credit_code as cc
from app.organisations import division_code
from app.organisations.lookups import UNKNOWN
from app.organisations.models import (
    Authority,
    Department,
    DepartmentLevel,
    Enterprise,
    EnterpriseScale,
    EnterpriseTransfer,
    Industry,
    Region,
    RegionLevel,
    StandardisationLevel,
)

DEPARTMENT_ORDER = list(DepartmentLevel)


def _text(errors: dict, field: str, value: str | None, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > max_len:
        errors[field] = _("At most %(n)s characters.", n=max_len)
    return value


def _check_division(errors: dict, code: str, level, parent: Region | None) -> None:
    """GB/T 2260 (see division_code): a well-formed code that denotes ``level``, under a parent of a
    level the tree allows, beginning with that parent's prefix. Rule sets are chosen by code prefix,
    so a code that lies about its place would pick another province's rules."""
    if not isinstance(level, RegionLevel):
        return
    if parent is None and level != RegionLevel.province:
        errors.setdefault("parent_id", _("Choose the parent region: only a province is at the top level."))
    elif parent is not None and parent.level not in division_code.PARENT_LEVELS[level]:
        errors.setdefault("level", {
            RegionLevel.province: _("A province is at the top level; it has no parent."),
            RegionLevel.city: _("A city belongs under a province."),
            RegionLevel.county: _("A county belongs under a city or a province."),
            RegionLevel.town: _("A town belongs under a county or a city."),
        }[level])
    if not code or "code" in errors:
        return
    if not division_code.is_well_formed(code):
        errors["code"] = _("A division code has 6 digits (GB/T 2260), a town's 9, beginning with a "
                           "province's two digits.")
    elif division_code.level_of(code) != level:
        errors["code"] = _("%(code)s is not the code of a %(level)s: a province's ends in 0000, a city's in 00, "
                           "a county's in neither, a town's has 9 digits.", code=code, level=labels.label(level))
    elif parent is not None and "level" not in errors:
        prefix = division_code.parent_prefix(parent.code, parent.level, level)
        if not code.startswith(prefix):
            errors["code"] = _("The code must begin with %(prefix)s, as its parent %(parent)s (%(parent_code)s).",
                               prefix=prefix, parent=parent.name, parent_code=parent.code)



# --- scope and permission: every use case below checks them itself --------------------------

def may(actor, action: str, obj=None) -> None:
    """``access.require`` for a user; a command run on the server (actor None) may do anything."""
    if actor is not None:
        access.require(actor, action, obj)


load = access.load  # the one loader, in app.access since users (auth) load through it too


def resolve(actor, errors: dict, field: str, model, value, *, required: bool = False):
    """A referenced object (given, or by id) inside the fields of a use case: None and an error on
    ``field`` ("Unknown region.") when it names nothing ``actor`` may see."""
    if value in (None, ""):
        if required:
            errors.setdefault(field, UNKNOWN[field]())
        return None
    if isinstance(value, model):
        obj = value
        if actor is not None and model is not Industry and not access.is_visible(obj, actor):
            obj = None
    else:
        try:
            ident = int(value)
        except (TypeError, ValueError):
            ident = None
        obj = None
        if ident is not None:
            if actor is None or model is Industry:  # the industries are a code table, not tenant-owned
                obj = db.session.get(model, ident)
            else:
                obj = db.session.scalar(access.visible(model, actor).where(model.id == ident))
    if obj is None:
        errors.setdefault(field, UNKNOWN[field]())
    return obj


def _pick(data: dict, key: str, id_key: str):
    """A reference given as an object (``region``) or an id (``region_id``); absent: a sentinel."""
    if key in data:
        return data.pop(key)
    if id_key in data:
        return data.pop(id_key)
    return _ABSENT


_ABSENT = object()


# --- regions ---------------------------------------------------------------------------------

REGION_FIELDS = ("code", "name", "level", "parent_id")


def create_region(actor, parent: Region | int | None = None, *, code: str, name: str,
                  level: RegionLevel | str) -> Region:
    may(actor, "region.edit")
    errors: dict = {}
    parent = resolve(actor, errors, "parent_id", Region, parent)
    code = _text(errors, "code", code, 12)
    name = _text(errors, "name", name, 64)
    if code and db.session.scalar(select(Region.id).where(Region.code == code)):
        errors["code"] = _("This division code exists already.")
    try:
        level = RegionLevel(level)
    except ValueError:
        errors["level"] = _("Unknown level.")
    _check_division(errors, code, level, parent)
    if errors:
        raise Invalid(fields=errors)
    region = Region(code=code, name=name, level=level, parent=parent)
    db.session.add(region)
    db.session.flush()
    region.path = (parent.path if parent else "/") + f"{region.id}/"
    record(actor, "create", region, after=snapshot(region, *REGION_FIELDS),
           summary=f"{region.name}（{region.code}）")
    return region


def update_region(actor, region: Region | int, *, code: str | None = None, name: str | None = None) -> Region:
    """Rename or re-code a region; its level and place in the tree are fixed once created, and a new
    code must still be the prefix of its sub-regions' codes."""
    region = load(actor, Region, region)
    may(actor, "region.edit", region)
    before = snapshot(region, *REGION_FIELDS)
    errors: dict = {}
    code = _text(errors, "code", region.code if code is None else code, 12)
    name = _text(errors, "name", region.name if name is None else name, 64)
    if code and db.session.scalar(select(Region.id).where(Region.code == code, Region.id != region.id)):
        errors["code"] = _("This division code exists already.")
    if code != region.code:
        _check_division(errors, code, region.level, region.parent)
        if "code" not in errors and code:
            misfit = next((child for child in region.children if not child.code.startswith(
                division_code.parent_prefix(code, region.level, child.level))), None)
            if misfit is not None:
                errors["code"] = _("Sub-region %(name)s (%(code)s) would no longer begin with this code.",
                                   name=misfit.name, code=misfit.code)
    if errors:
        raise Invalid(fields=errors)
    region.code, region.name = code, name
    db.session.flush()
    old, new = changed(before, snapshot(region, *REGION_FIELDS))
    if new:
        record(actor, "update", region, before=old, after=new, summary=f"{region.name}（{region.code}）")
    return region


AUTHORITY_TEXT = {  # field: (max length, required)
    "name": (128, True), "abbreviation": (16, True), "review_body": (128, True), "court": (128, True),
    "address": (255, False), "phone": (32, False),
}
AUTHORITY_FIELDS = (*AUTHORITY_TEXT, "region_id", "level")


def _validate_authority(actor, data: dict, current: Authority | None = None) -> dict:
    errors: dict = {}
    clean = {field: _text(errors, field, data.get(field), max_len, required)
             for field, (max_len, required) in AUTHORITY_TEXT.items()}
    region = resolve(actor, errors, "region_id", Region, data.get("region"), required=True)
    name = clean["name"]
    if name:
        other = db.session.scalar(select(Authority.id).where(Authority.name == name))
        if other is not None and (current is None or other != current.id):
            errors["name"] = _("An authority with this name exists already.")
    if errors:
        raise Invalid(fields=errors)
    clean.update(region=region, level=region.level)
    return clean


def create_authority(actor, region: Region | int | None = None, **data) -> Authority:
    """A supervising authority seated in ``region`` (admin). Fields: name, abbreviation, review_body,
    court, address, phone."""
    may(actor, "authority.edit")
    if "region_id" in data:
        region = data.pop("region_id")
    clean = _validate_authority(actor, dict(data, region=region))
    authority = Authority(**clean)
    db.session.add(authority)
    db.session.flush()
    record(actor, "create", authority, after=snapshot(authority, *AUTHORITY_FIELDS), summary=authority.name)
    return authority


def update_authority(actor, authority: Authority | int, **data) -> Authority:
    """Change an authority; fields left out keep their value (``region`` / ``region_id`` moves its seat)."""
    authority = load(actor, Authority, authority)
    may(actor, "authority.edit", authority)
    before = snapshot(authority, *AUTHORITY_FIELDS)
    merged = {field: getattr(authority, field) for field in AUTHORITY_TEXT}
    region = _pick(data, "region", "region_id")
    merged["region"] = authority.region if region is _ABSENT else region
    merged.update(data)
    for key, value in _validate_authority(actor, merged, current=authority).items():
        setattr(authority, key, value)
    db.session.flush()
    old, new = changed(before, snapshot(authority, *AUTHORITY_FIELDS))
    if new:
        record(actor, "update", authority, before=old, after=new, summary=authority.name)
    return authority


# --- enterprises -----------------------------------------------------------------------------

ENTERPRISE_TEXT = {  # field: (max length, required)
    "name": (128, True), "address": (255, False), "legal_representative": (64, False),
    "principal_name": (64, False), "principal_phone": (32, False), "safety_manager_name": (64, False),
    "safety_manager_phone": (32, False),
}
# Who the enterprise is: kept by admin and, in its region, the authority's administrator.
MASTER_FIELDS = ("name", "credit_code", "region", "industry")
ENTERPRISE_FIELDS = (*ENTERPRISE_TEXT, "credit_code", "region_id", "industry_id", "standardisation_level",
                     "scale")


def _enterprise_region(actor, errors: dict, value) -> Region | None:
    """The region of a new enterprise: one the actor may create enterprises in. An authority
    administrator is told that a region outside his authority's is outside, not that it is unknown."""
    if value in (None, "") or actor is None or isinstance(value, Region) and access.is_visible(value, actor):
        return resolve(actor, errors, "region_id", Region, value, required=True)
    region = value if isinstance(value, Region) else (
        db.session.get(Region, int(value)) if str(value).isdigit() else None)
    if region is not None and actor.role == Role.authority_admin and actor.authority is not None \
            and not access.is_visible(region, actor):
        errors["region_id"] = _("%(region)s is outside the region of %(authority)s: an authority's "
                                "administrator registers the enterprises of its own region only.",
                                region=region.name, authority=actor.authority.name)
        return None
    return resolve(actor, errors, "region_id", Region, value, required=True)


def validate_enterprise(data: dict, *, current: Enterprise | None = None, actor=None) -> dict:
    """Check and normalise enterprise fields (``region``/``industry`` as objects or ids); raises
    Invalid naming every bad field."""
    errors: dict = {}
    clean: dict = {}
    for field, (max_len, required) in ENTERPRISE_TEXT.items():
        if field in data or current is None:
            clean[field] = _text(errors, field, data.get(field), max_len, required)
    if "credit_code" in data or current is None:
        code = cc.normalise(data.get("credit_code"))
        if not code:
            errors["credit_code"] = _("This field is required.")
        elif not cc.is_valid(code):
            errors["credit_code"] = _("Not a valid unified social credit code (18 characters, check digit).")
        else:
            other = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
            if other is not None and (current is None or other != current.id):
                errors["credit_code"] = _("An enterprise with this credit code exists already.")
        clean["credit_code"] = code
    region = _pick(data, "region", "region_id")
    if region is not _ABSENT or current is None:
        region = None if region is _ABSENT else region
        if current is None:
            clean["region"] = _enterprise_region(actor, errors, region)
        else:
            found = resolve(actor, errors, "region_id", Region, region, required=True)
            if found is not None and found.id != current.region_id:
                # Editing the region would silently hand the enterprise, and with it the authority's
                # own records, to another district: a move is a transfer, recorded with its reason.
                errors["region_id"] = _("Moving the enterprise to another region is a transfer: use "
                                        "“Transfer to another region” and give the reason.")
            clean["region"] = found
    industry = _pick(data, "industry", "industry_id")
    if industry is not _ABSENT or current is None:
        clean["industry"] = resolve(actor, errors, "industry_id", Industry,
                                    None if industry is _ABSENT else industry, required=True)
    for field, enum_cls, default in (("standardisation_level", StandardisationLevel, StandardisationLevel.none),
                                     ("scale", EnterpriseScale, EnterpriseScale.small)):
        if field in data or current is None:
            try:
                clean[field] = enum_cls(data.get(field) or default)
            except ValueError:
                errors[field] = _("Not a valid choice.")
    if errors:
        raise Invalid(fields=errors)
    return clean


def create_enterprise(actor, **data) -> Enterprise:
    """Register an enterprise (admin; an authority's administrator in its region). ``region`` and
    ``industry`` as objects or ``region_id`` / ``industry_id``."""
    may(actor, "enterprise.create")
    values = validate_enterprise(data, actor=actor)
    may(actor, "enterprise.create", values["region"])
    enterprise = Enterprise(**values)
    db.session.add(enterprise)
    db.session.flush()
    record(actor, "create", enterprise, after=snapshot(enterprise, *ENTERPRISE_FIELDS),
           summary=f"{enterprise.name}（{enterprise.credit_code}）")
    return enterprise


def update_enterprise(actor, enterprise: Enterprise | int, **data) -> Enterprise:
    """Change an enterprise; fields left out keep their value. Its manager keeps its details; its
    identity (name, credit code, industry) is master data (admin, the authority's administrator)."""
    enterprise = load(actor, Enterprise, enterprise)
    may(actor, "enterprise.edit", enterprise)
    if any(f in data or f"{f}_id" in data for f in MASTER_FIELDS):
        may(actor, "enterprise.edit_master", enterprise)
    before = snapshot(enterprise, *ENTERPRISE_FIELDS)
    for key, value in validate_enterprise(data, current=enterprise, actor=actor).items():
        setattr(enterprise, key, value)
    db.session.flush()
    old, new = changed(before, snapshot(enterprise, *ENTERPRISE_FIELDS))
    if new:
        record(actor, "update", enterprise, before=old, after=new, summary=enterprise.name)
    return enterprise


def transfer_enterprise(actor, enterprise: Enterprise | int, *, region: Region | int | None,
                        reason: str | None) -> EnterpriseTransfer:
    """Move an enterprise to another region, recorded: who, when, from, to and why.

    From now on the authorities above ``region`` supervise it. What an authority found, issued or
    listed before stays with that authority (hazards, documents, listings and inspections name it),
    so both the old and the new authority see those records (app.access.authority_records).
    """
    enterprise = load(actor, Enterprise, enterprise)
    may(actor, "enterprise.transfer", enterprise)
    errors: dict = {}
    region = resolve(actor, errors, "region_id", Region, region, required=True)
    reason = _text(errors, "reason", reason, 500)
    if region is not None and region.id == enterprise.region_id:
        errors["region_id"] = _("The enterprise is in this region already.")
    if errors:
        raise Invalid(fields=errors)
    transfer = EnterpriseTransfer(enterprise=enterprise, from_region=enterprise.region, to_region=region,
                                  reason=reason, transferred_by_id=getattr(actor, "id", None))
    db.session.add(transfer)
    from_region = enterprise.region
    enterprise.region = region
    db.session.flush()
    record(actor, "transfer", enterprise, before={"region_id": from_region.id}, after={"region_id": region.id},
           summary=f"{enterprise.name}：{from_region.name} → {region.name}（{reason}）")
    return transfer


def transfers_of(enterprise: Enterprise) -> list[EnterpriseTransfer]:
    return list(db.session.scalars(select(EnterpriseTransfer).where(
        EnterpriseTransfer.enterprise_id == enterprise.id).order_by(EnterpriseTransfer.id)))


# --- departments -----------------------------------------------------------------------------

DEPARTMENT_FIELDS = ("name", "level", "parent_id", "retired_at")


def create_department(actor, enterprise: Enterprise | int, *, name: str, level: DepartmentLevel | str,
                      parent: Department | int | None = None) -> Department:
    """A unit of ``enterprise`` (department > workshop > team > post), under ``parent`` or at the top.
    An authority's administrator sets up the top level only; the enterprise's manager the rest."""
    enterprise = load(actor, Enterprise, enterprise)
    may(actor, "department.edit", enterprise)
    errors: dict = {}
    name = _text(errors, "name", name, 64)
    try:
        level = DepartmentLevel(level)
    except ValueError:
        errors["level"] = _("Unknown level.")
    parent = resolve(actor, errors, "parent_id", Department, parent)
    if parent is not None:
        if parent.enterprise_id != enterprise.id:
            errors["parent_id"] = _("The parent belongs to another enterprise.")
        elif parent.retired_at is not None:
            errors["parent_id"] = _("The parent unit is retired.")
        elif isinstance(level, DepartmentLevel) and \
                DEPARTMENT_ORDER.index(level) <= DEPARTMENT_ORDER.index(parent.level):
            errors["level"] = _("A unit must be below its parent's level.")
    if actor is not None and actor.role == Role.authority_admin and (
            parent is not None or level != DepartmentLevel.department):
        errors.setdefault("level", _("An authority's administrator sets up the top-level departments; "
                                     "the enterprise's safety manager sets up the units below them."))
    if name and _sibling_named(enterprise, parent, name) is not None:
        errors["name"] = _("A unit with this name exists here already.")
    if errors:
        raise Invalid(fields=errors)
    dept = Department(enterprise=enterprise, name=name, level=level, parent=parent)
    db.session.add(dept)
    db.session.flush()
    dept.path = (parent.path if parent else "/") + f"{dept.id}/"
    record(actor, "create", dept, after=snapshot(dept, *DEPARTMENT_FIELDS), summary=f"{enterprise.name} / {name}")
    return dept


def _sibling_named(enterprise: Enterprise, parent: Department | None, name: str) -> int | None:
    parent_cond = Department.parent_id.is_(None) if parent is None else Department.parent_id == parent.id
    return db.session.scalar(select(Department.id).where(
        Department.enterprise_id == enterprise.id, parent_cond, Department.name == name))


def _department_for_edit(actor, dept: Department | int) -> Department:
    dept = load(actor, Department, dept)
    may(actor, "department.edit", dept.enterprise)
    if actor is not None and actor.role == Role.authority_admin and dept.parent_id is not None:
        raise Forbidden(_("An authority's administrator keeps the top-level departments only."))
    return dept


def update_department(actor, dept: Department | int, *, name: str) -> Department:
    """Rename a unit (its level and place in the tree stay: risk points hang on them)."""
    dept = _department_for_edit(actor, dept)
    before = snapshot(dept, *DEPARTMENT_FIELDS)
    errors: dict = {}
    name = _text(errors, "name", name, 64)
    other = _sibling_named(dept.enterprise, dept.parent, name) if name else None
    if other is not None and other != dept.id:
        errors["name"] = _("A unit with this name exists here already.")
    if errors:
        raise Invalid(fields=errors)
    dept.name = name
    db.session.flush()
    old, new = changed(before, snapshot(dept, *DEPARTMENT_FIELDS))
    if new:
        record(actor, "update", dept, before=old, after=new, summary=f"{dept.enterprise.name} / {name}")
    return dept


def retire_department(actor, dept: Department | int) -> Department:
    """Retire a unit: it stays (risk points, hazards and people's histories name it) but is offered
    no more. Its units below and its people must be retired or moved first."""

    dept = _department_for_edit(actor, dept)
    if dept.retired_at is not None:
        raise Invalid(fields={"retired_at": _("This unit is retired already.")})
    below = db.session.scalar(select(Department.name).where(
        Department.parent_id == dept.id, Department.retired_at.is_(None)).limit(1))
    if below is not None:
        raise Invalid(fields={"retired_at": _("Retire or move its units first (%(name)s).", name=below)})
    person = db.session.scalar(select(User.display_name).where(
        (User.department_id == dept.id) | (User.post_id == dept.id), User.active.is_(True)).limit(1))
    if person is not None:
        raise Invalid(fields={"retired_at": _("Move its people to another unit first (%(name)s).", name=person)})
    dept.retired_at = utcnow()
    db.session.flush()
    record(actor, "retire", dept, summary=f"{dept.enterprise.name} / {dept.name}")
    return dept


def industry_by_id(ident) -> Industry | None:
    return db.session.get(Industry, ident) if ident else None
