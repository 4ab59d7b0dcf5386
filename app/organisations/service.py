"""Use cases of organisations (no commit inside: the view or command commits)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import labels
from app.errors import Invalid
from app.extensions import db
from app.organisations import credit_code as cc
from app.organisations import division_code
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


def create_region(*, code: str, name: str, level: RegionLevel | str, parent: Region | None) -> Region:
    errors: dict = {}
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
    return region


def update_region(region: Region, *, code: str | None = None, name: str | None = None) -> Region:
    """Rename or re-code a region; its level and place in the tree are fixed once created, and a new
    code must still be the prefix of its sub-regions' codes."""
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
    return region


AUTHORITY_TEXT = {  # field: (max length, required)
    "name": (128, True), "abbreviation": (16, True), "review_body": (128, True), "court": (128, True),
    "address": (255, False), "phone": (32, False),
}


def _validate_authority(data: dict, current: Authority | None = None) -> dict:
    errors: dict = {}
    clean = {field: _text(errors, field, data.get(field), max_len, required)
             for field, (max_len, required) in AUTHORITY_TEXT.items()}
    region = data.get("region")
    if region is None:
        errors["region_id"] = _("Unknown region.")
    name = clean["name"]
    if name:
        other = db.session.scalar(select(Authority.id).where(Authority.name == name))
        if other is not None and (current is None or other != current.id):
            errors["name"] = _("An authority with this name exists already.")
    if errors:
        raise Invalid(fields=errors)
    clean.update(region=region, level=region.level)
    return clean


def create_authority(*, region: Region | None, name: str, abbreviation: str, review_body: str, court: str,
                     address: str = "", phone: str = "") -> Authority:
    clean = _validate_authority(dict(region=region, name=name, abbreviation=abbreviation,
                                     review_body=review_body, court=court, address=address, phone=phone))
    authority = Authority(**clean)
    db.session.add(authority)
    db.session.flush()
    return authority


def update_authority(authority: Authority, **data) -> Authority:
    """Change an authority; fields left out keep their value."""
    merged = {field: getattr(authority, field) for field in AUTHORITY_TEXT}
    merged["region"] = authority.region
    merged.update(data)
    for key, value in _validate_authority(merged, current=authority).items():
        setattr(authority, key, value)
    db.session.flush()
    return authority


ENTERPRISE_TEXT = {  # field: (max length, required)
    "name": (128, True), "address": (255, False), "legal_representative": (64, False),
    "principal_name": (64, False), "principal_phone": (32, False), "safety_manager_name": (64, False),
    "safety_manager_phone": (32, False),
}


def validate_enterprise(data: dict, *, current: Enterprise | None = None) -> dict:
    """Check and normalise enterprise fields; raises Invalid naming every bad field."""
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
    if "region" in data or current is None:
        if data.get("region") is None:
            errors["region_id"] = _("Unknown region.")
        elif current is not None and data["region"].id != current.region_id:
            # Editing the region would silently hand the enterprise, and with it the authority's
            # own records, to another district: a move is a transfer, recorded with its reason.
            errors["region_id"] = _("Moving the enterprise to another region is a transfer: use "
                                    "“Transfer to another region” and give the reason.")
        clean["region"] = data.get("region")
    if "industry" in data or current is None:
        if data.get("industry") is None:
            errors["industry_id"] = _("Unknown industry.")
        clean["industry"] = data.get("industry")
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


def create_enterprise(**data) -> Enterprise:
    enterprise = Enterprise(**validate_enterprise(data))
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def update_enterprise(enterprise: Enterprise, **data) -> Enterprise:
    for key, value in validate_enterprise(data, current=enterprise).items():
        setattr(enterprise, key, value)
    db.session.flush()
    return enterprise


def transfer_enterprise(enterprise: Enterprise, *, region: Region | None, reason: str | None,
                        actor) -> EnterpriseTransfer:
    """Move an enterprise to another region, recorded: who, when, from, to and why.

    From now on the authorities above ``region`` supervise it. What an authority found, issued or
    listed before stays with that authority (hazards, documents, listings and inspections name it),
    so both the old and the new authority see those records (app.access.authority_records).
    """
    errors: dict = {}
    reason = _text(errors, "reason", reason, 500)
    if region is None:
        errors["region_id"] = _("Unknown region.")
    elif region.id == enterprise.region_id:
        errors["region_id"] = _("The enterprise is in this region already.")
    if errors:
        raise Invalid(fields=errors)
    transfer = EnterpriseTransfer(enterprise=enterprise, from_region=enterprise.region, to_region=region,
                                  reason=reason, transferred_by_id=actor.id)
    db.session.add(transfer)
    enterprise.region = region
    db.session.flush()
    return transfer


def transfers_of(enterprise: Enterprise) -> list[EnterpriseTransfer]:
    return list(db.session.scalars(select(EnterpriseTransfer).where(
        EnterpriseTransfer.enterprise_id == enterprise.id).order_by(EnterpriseTransfer.id)))


def create_department(enterprise: Enterprise, *, name: str, level: DepartmentLevel | str,
                      parent: Department | None = None) -> Department:
    errors: dict = {}
    name = _text(errors, "name", name, 64)
    try:
        level = DepartmentLevel(level)
    except ValueError:
        errors["level"] = _("Unknown level.")
    if parent is not None:
        if parent.enterprise_id != enterprise.id:
            errors["parent_id"] = _("The parent belongs to another enterprise.")
        elif isinstance(level, DepartmentLevel) and \
                DEPARTMENT_ORDER.index(level) <= DEPARTMENT_ORDER.index(parent.level):
            errors["level"] = _("A unit must be below its parent's level.")
    if name and _sibling_named(enterprise, parent, name) is not None:
        errors["name"] = _("A unit with this name exists here already.")
    if errors:
        raise Invalid(fields=errors)
    dept = Department(enterprise=enterprise, name=name, level=level, parent=parent)
    db.session.add(dept)
    db.session.flush()
    dept.path = (parent.path if parent else "/") + f"{dept.id}/"
    return dept


def _sibling_named(enterprise: Enterprise, parent: Department | None, name: str) -> int | None:
    parent_cond = Department.parent_id.is_(None) if parent is None else Department.parent_id == parent.id
    return db.session.scalar(select(Department.id).where(
        Department.enterprise_id == enterprise.id, parent_cond, Department.name == name))


def update_department(dept: Department, *, name: str) -> Department:
    """Rename a unit (its level and place in the tree stay: risk points hang on them)."""
    errors: dict = {}
    name = _text(errors, "name", name, 64)
    other = _sibling_named(dept.enterprise, dept.parent, name) if name else None
    if other is not None and other != dept.id:
        errors["name"] = _("A unit with this name exists here already.")
    if errors:
        raise Invalid(fields=errors)
    dept.name = name
    db.session.flush()
    return dept


def industry_by_id(ident) -> Industry | None:
    return db.session.get(Industry, ident) if ident else None
