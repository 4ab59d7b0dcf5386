"""Bulk import from Excel: enterprises (by an authority), departments and staff (by an enterprise).

All or nothing: the whole file is checked first and every error is listed by sheet, row and column
(the column's header, as the template names it); a file with any error creates nothing. The checks are
those of the forms (``organisations.service.validate_enterprise``, the account checks of
``organisations.accounts``), plus what only a file can get wrong: the same credit code or username twice, a
region or industry code that does not exist or lies outside the importer's region.

Accounts created by an import are made by ``organisations.accounts.new_imported_account``, with a
one-time password shown once after the import and to be changed at the first login.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from app import access, admin_log, labels
from app.auth.models import Role, User
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.organisations import accounts
from app.organisations import service as org
from app.organisations.models import (
    Department,
    DepartmentLevel,
    Enterprise,
    EnterpriseScale,
    Industry,
    Region,
    StandardisationLevel,
)

MAX_ROWS = 5000

ENTERPRISE_SHEET = "企业"
DEPARTMENT_SHEET = "部门"
USER_SHEET = "人员"

# (header, key, required): the header text is the contract of the template.
ENTERPRISE_COLUMNS = [
    ("企业名称", "name", True), ("统一社会信用代码", "credit_code", True), ("行政区划", "region", True),
    ("行业", "industry", True), ("地址", "address", False), ("法定代表人", "legal_representative", False),
    ("主要负责人", "principal_name", False), ("主要负责人电话", "principal_phone", False),
    ("安全管理人员", "safety_manager_name", False), ("安全管理人员电话", "safety_manager_phone", False),
    ("标准化等级", "standardisation_level", False), ("企业规模", "scale", False),
    ("安全管理员账号", "manager_username", False),
]
DEPARTMENT_COLUMNS = [("部门路径", "path", True)]
USER_COLUMNS = [
    ("用户名", "username", True), ("姓名", "display_name", True), ("角色", "role", True),
    ("所属部门", "department", False), ("手机号", "phone", False), ("邮箱", "email", False),
]
# validate_enterprise's fields → the column that holds them
ENTERPRISE_FIELD_COLUMN = {key: header for header, key, _r in ENTERPRISE_COLUMNS} | {
    "region_id": "行政区划", "industry_id": "行业"}
USER_FIELD_COLUMN = {"username": "用户名", "display_name": "姓名", "role": "角色", "department_id": "所属部门",
                     "phone": "手机号", "email": "邮箱", "enterprise_id": "角色", "authority_id": "角色"}
DEPARTMENT_LEVELS = list(DepartmentLevel)  # by depth: department > workshop > team > post
PATH_SEPARATORS = re.compile(r"\s*[/／>＞]\s*")


@dataclass
class CellError:
    sheet: str
    row: int
    column: str  # the header
    message: str
    letter: str = ""

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "cell": f"{self.letter}{self.row}" if self.letter else "", "message": self.message}

    def __str__(self) -> str:
        return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s", sheet=self.sheet,
                 row=self.row, column=self.column, message=self.message)


class ImportRefused(Invalid):
    """The file has errors; ``errors`` lists every one (nothing was created)."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(_("The file has %(n)s errors; nothing was imported.", n=len(errors)),
                         fields={"file": [str(e) for e in errors[:200]]})


@dataclass
class Result:
    kind: str
    rows: list[dict] = field(default_factory=list)  # what would be / was created, for the preview
    created: int = 0
    accounts: list[dict] = field(default_factory=list)  # {username, display_name, password}: shown once
    departments: int = 0

    def as_dict(self, dry_run: bool) -> dict:
        out = {"created": 0 if dry_run else self.created, "would_create": len(self.rows), "errors": [],
               "rows": self.rows}
        if self.kind == "users":
            out["departments"] = self.departments
        if not dry_run and self.accounts:
            out["accounts"] = self.accounts
        return out


# --- reading a workbook ---------------------------------------------------------------------------

def check_xlsx(data: bytes, field_name: str = "file") -> None:
    """Is it an Excel workbook (.xlsx), by its content? Invalid with a clear message otherwise."""

    if not data:
        raise Invalid(fields={field_name: _("The file is empty.")})
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise Invalid(fields={field_name: _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))})
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Invalid(fields={field_name: _("This is an old Excel file (.xls): open it in Excel or WPS and save "
                                            "it as an Excel workbook (.xlsx), then upload that.")})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        names = set()
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise Invalid(fields={field_name: _("The file is not an Excel workbook (.xlsx); download the template, "
                                            "fill it in and upload it.")})


def _open(data: bytes):
    check_xlsx(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise Invalid(fields={"file": _("The Excel workbook cannot be read; save it again as .xlsx.")}) from None


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_name(value) -> str:
    return text(value).rstrip("*＊ ").strip()


def _sheet_rows(wb, sheet: str, columns, errors: list[CellError], *, first: bool = False,
                ) -> Iterator[tuple[int, dict, dict]]:
    """(row number, {key: text}, {key: column letter}) of the sheet's non-empty rows; header problems
    are errors of row 1."""
    if sheet in wb.sheetnames:
        ws = wb[sheet]
    elif first and wb.worksheets:
        ws = wb.worksheets[0]
    else:
        errors.append(CellError(sheet, 1, "—", _("Sheet missing; use the template.")))
        return
    rows = ws.iter_rows(values_only=True)
    header = [_header_name(h) for h in next(rows, ())]
    index = {h: i for i, h in enumerate(header) if h}
    missing = [h for h, _k, required in columns if h not in index and required]
    for h in missing:
        errors.append(CellError(sheet, 1, h, pgettext("imports", "Column missing; use the template's columns.")))
    if missing:
        return
    letters = {key: get_column_letter(index[h] + 1) for h, key, _r in columns if h in index}
    count = 0
    for n, values in enumerate(rows, start=2):
        if values is None or all(text(v) == "" for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(CellError(sheet, n, "—", _("At most %(n)s rows per file; split the file.", n=MAX_ROWS)))
            return
        yield n, {key: text(values[index[h]]) if h in index and index[h] < len(values) else ""
                  for h, key, _r in columns}, letters


def _required(sheet, n, row, letters, columns, errors) -> bool:
    ok = True
    for header, key, required in columns:
        if required and not row[key]:
            errors.append(CellError(sheet, n, header, _("This cell is required."), letters.get(key, "")))
            ok = False
    return ok


def code_of(cell: str) -> str:
    """"361102 信州区" (the template's dropdown) or "361102" → "361102"."""
    return cell.split()[0] if cell.split() else ""


def _enum_value(enum_cls, cell: str):
    """An enum member from its Chinese label (the dropdown) or its identifier; None if unknown."""
    if not cell:
        return None
    for member in enum_cls:
        if cell in (member.value, labels.label(member)):
            return member
    return False


def _taken_usernames(names: list[str]) -> set[str]:
    lowered = sorted({n.lower() for n in names if n})
    taken: set[str] = set()
    for i in range(0, len(lowered), 500):
        taken.update(db.session.scalars(select(func.lower(User.username)).where(
            func.lower(User.username).in_(lowered[i:i + 500]))))
    return taken


def _check_username(sheet, n, column, letter, username, seen: dict, taken: set, errors) -> None:
    if len(username) > 64:
        errors.append(CellError(sheet, n, column, _("At most %(n)s characters.", n=64), letter))
    elif username.lower() in taken:
        errors.append(CellError(sheet, n, column, _("The username %(u)s is taken.", u=username), letter))
    elif username.lower() in seen:
        errors.append(CellError(sheet, n, column, _("The username %(u)s appears twice (also in row %(other)s).",
                                                    u=username, other=seen[username.lower()]), letter))
    else:
        seen[username.lower()] = n


# --- enterprises --------------------------------------------------------------------------------

def import_enterprises(actor: User, data: bytes, *, dry_run: bool) -> Result:
    """Check (and unless ``dry_run`` create) the enterprises of an authority's import file."""
    access.require(actor, "import.enterprises")
    wb = _open(data)
    errors: list[CellError] = []
    sheet = ENTERPRISE_SHEET
    rows = list(_sheet_rows(wb, sheet, ENTERPRISE_COLUMNS, errors, first=True))
    wb.close()
    if not rows and not errors:
        errors.append(CellError(sheet, 2, "—", _("The file has no rows to import.")))
    regions = {r.code: r for r in db.session.scalars(access.visible(Region, actor))}
    industries = {i.code: i for i in db.session.scalars(select(Industry))}
    codes = [org.cc.normalise(row["credit_code"]) for _n, row, _l in rows]
    registered = set()
    for i in range(0, len(codes), 500):
        registered.update(db.session.scalars(select(Enterprise.credit_code).where(
            Enterprise.credit_code.in_(codes[i:i + 500]))))
    taken = _taken_usernames([row["manager_username"] for _n, row, _l in rows])
    seen_codes: dict[str, int] = {}
    seen_users: dict[str, int] = {}
    plans = []
    for n, row, letters in rows:
        before = len(errors)

        def err(key, message, n=n, letters=letters):
            errors.append(CellError(sheet, n, ENTERPRISE_FIELD_COLUMN[key], message, letters.get(key, "")))

        _required(sheet, n, row, letters, ENTERPRISE_COLUMNS, errors)
        code = org.cc.normalise(row["credit_code"])
        region = regions.get(code_of(row["region"]))
        if row["region"] and region is None:
            err("region", _("No region with division code %(code)s in your jurisdiction.", code=code_of(row["region"])))
        industry = industries.get(code_of(row["industry"]))
        if row["industry"] and industry is None:
            err("industry", _("Unknown industry code %(code)s.", code=code_of(row["industry"])))
        fields = {key: row[key] for key in org.ENTERPRISE_TEXT}
        fields.update(credit_code=code, region=region, industry=industry)
        for key, enum_cls in (("standardisation_level", StandardisationLevel), ("scale", EnterpriseScale)):
            value = _enum_value(enum_cls, row[key])
            if value is False:
                err(key, _("Not a valid choice; use the dropdown."))
            elif value is not None:
                fields[key] = value
        if code and org.cc.is_valid(code):
            if code in registered:
                err("credit_code", pgettext("imports", "An enterprise with this credit code exists already."))
            elif code in seen_codes:
                err("credit_code", _("The credit code appears twice (also in row %(other)s).", other=seen_codes[code]))
            seen_codes.setdefault(code, n)
        clean = None
        try:
            clean = org.validate_enterprise(fields, actor=actor)
        except Invalid as exc:
            reported = {e.column for e in errors[before:]}  # one message per cell
            for key, messages in exc.fields.items():
                column = ENTERPRISE_FIELD_COLUMN.get(key, key)
                if column in reported:
                    continue
                letter = letters.get({"region_id": "region", "industry_id": "industry"}.get(key, key), "")
                errors.extend(CellError(sheet, n, column, message, letter) for message in messages)
        manager = row["manager_username"]
        if manager:
            _check_username(sheet, n, "安全管理员账号", letters.get("manager_username", ""), manager, seen_users,
                            taken, errors)
            if not row["safety_manager_name"]:
                err("safety_manager_name", _("Give the safety manager's name for the account %(u)s.", u=manager))
        if len(errors) == before and clean is not None:
            plans.append((n, clean, manager))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: (e.sheet, e.row, e.letter)))
    result = Result("enterprises", rows=[{
        "row": n, "name": clean["name"], "credit_code": clean["credit_code"], "region": clean["region"].name,
        "region_code": clean["region"].code, "industry": clean["industry"].name, "manager_username": manager,
    } for n, clean, manager in plans])
    if dry_run:
        return result
    created = []
    for _n, clean, manager in plans:
        enterprise = Enterprise(**clean)
        db.session.add(enterprise)
        created.append(enterprise)
        if manager:
            _user, password = accounts.new_imported_account(username=manager, display_name=clean["safety_manager_name"],
                                           role=Role.enterprise_manager, enterprise=enterprise,
                                           phone=clean["safety_manager_phone"])
            result.accounts.append({"username": manager, "display_name": clean["safety_manager_name"],
                                    "enterprise": clean["name"], "password": password})
    db.session.flush()
    result.created = len(created)
    admin_log.record(actor, "import", "enterprise", after={
        "ids": [e.id for e in created], "accounts": [a["username"] for a in result.accounts]},
        summary=_("%(n)s enterprises imported", n=len(created)))
    return result


# --- departments and staff ----------------------------------------------------------------------

def split_path(cell: str) -> list[str]:
    return [part for part in PATH_SEPARATORS.split(cell.strip()) if part]


def department_paths(enterprise: Enterprise) -> dict[str, Department]:
    """"生产部/一车间" → the unit, for every unit of the enterprise."""
    units = list(db.session.scalars(select(Department).where(Department.enterprise_id == enterprise.id)))
    by_id = {d.id: d for d in units}
    paths = {}
    for d in units:
        names, node = [], d
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        paths["/".join(reversed(names))] = d
    return paths


def importable_roles(actor: User) -> list[Role]:
    """Enterprise roles an importer may give: a manager his staff and fellow managers; the
    administrators also the principal."""
    if actor.role == Role.enterprise_manager:
        return [Role.enterprise_staff, Role.enterprise_manager]
    return [Role.enterprise_staff, Role.enterprise_manager, Role.enterprise_principal]


def target_enterprise(actor: User, enterprise_id) -> Enterprise:
    """The enterprise a staff import goes into: the manager's own; an administrator names one."""
    if actor.role.is_enterprise:
        enterprise = actor.enterprise
    else:
        if enterprise_id in (None, ""):
            raise Invalid(fields={"enterprise_id": _("Choose the enterprise.")})
        try:
            enterprise = access.get_visible(Enterprise, int(enterprise_id), actor)
        except (TypeError, ValueError):
            raise Invalid(fields={"enterprise_id": _("Choose the enterprise.")}) from None
    if enterprise is None or not access.can(actor, "import.users", enterprise):
        raise Forbidden()
    return enterprise


def import_users(actor: User, enterprise: Enterprise, data: bytes, *, dry_run: bool) -> Result:
    """Check (and unless ``dry_run`` create) the departments and staff of an enterprise's file."""
    access.require(actor, "import.users", enterprise)
    wb = _open(data)
    errors: list[CellError] = []
    dept_rows = list(_sheet_rows(wb, DEPARTMENT_SHEET, DEPARTMENT_COLUMNS, errors)) \
        if DEPARTMENT_SHEET in wb.sheetnames else []
    user_rows = list(_sheet_rows(wb, USER_SHEET, USER_COLUMNS, errors, first=DEPARTMENT_SHEET not in wb.sheetnames))
    wb.close()
    if not dept_rows and not user_rows and not errors:
        errors.append(CellError(USER_SHEET, 2, "—", _("The file has no rows to import.")))
    existing = department_paths(enterprise)
    new_paths: dict[str, int] = {}  # path → row
    for n, row, letters in dept_rows:
        if not _required(DEPARTMENT_SHEET, n, row, letters, DEPARTMENT_COLUMNS, errors):
            continue
        parts = split_path(row["path"])
        path = "/".join(parts)
        letter = letters.get("path", "")
        if len(parts) > len(DEPARTMENT_LEVELS):
            errors.append(CellError(DEPARTMENT_SHEET, n, "部门路径", _(
                "At most %(n)s levels (department / workshop / team / post).", n=len(DEPARTMENT_LEVELS)), letter))
        elif any(len(p) > 64 for p in parts):
            errors.append(CellError(DEPARTMENT_SHEET, n, "部门路径", _("A unit's name has at most 64 characters."),
                                    letter))
        elif path in existing:
            errors.append(CellError(DEPARTMENT_SHEET, n, "部门路径", _("The unit %(path)s exists already.",
                                                                       path=path), letter))
        elif path in new_paths:
            errors.append(CellError(DEPARTMENT_SHEET, n, "部门路径", _(
                "The unit %(path)s appears twice (also in row %(other)s).", path=path, other=new_paths[path]), letter))
        else:
            new_paths[path] = n
    for path, n in new_paths.items():
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        if parent is not None and parent not in existing and parent not in new_paths:
            errors.append(CellError(DEPARTMENT_SHEET, n, "部门路径", _(
                "The unit above, %(parent)s, does not exist: list it in this sheet too.", parent=parent)))
    allowed_roles = importable_roles(actor)
    taken = _taken_usernames([row["username"] for _n, row, _l in user_rows])
    seen: dict[str, int] = {}
    plans = []
    for n, row, letters in user_rows:
        before = len(errors)
        _required(USER_SHEET, n, row, letters, USER_COLUMNS, errors)
        if row["username"]:
            _check_username(USER_SHEET, n, "用户名", letters.get("username", ""), row["username"], seen, taken, errors)
        role = _enum_value(Role, row["role"])
        if row["role"] and (role is False or role not in allowed_roles):
            errors.append(CellError(USER_SHEET, n, "角色", _("Choose one of: %(roles)s.", roles="、".join(
                labels.label(r) for r in allowed_roles)), letters.get("role", "")))
        department_path = "/".join(split_path(row["department"])) if row["department"] else ""
        if department_path and department_path not in existing and department_path not in new_paths:
            errors.append(CellError(USER_SHEET, n, "所属部门", _(
                "No unit %(path)s in the enterprise or in the sheet “部门”.", path=department_path),
                letters.get("department", "")))
        texts: dict[str, str] = {}
        clean = accounts.check_texts(texts, {"display_name": row["display_name"], "phone": row["phone"],
                                                   "email": row["email"], "certificate_no": ""})
        for key, message in texts.items():
            if key == "display_name" and not row["display_name"]:
                continue  # "required" said already
            errors.append(CellError(USER_SHEET, n, USER_FIELD_COLUMN[key], message, letters.get(key, "")))
        if len(errors) == before:
            plans.append((n, row["username"], clean, role, department_path))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: (e.sheet != DEPARTMENT_SHEET, e.row, e.letter)))
    result = Result("users", rows=[{
        "row": n, "username": username, "display_name": clean["display_name"], "role": role.value,
        "role_label": labels.label(role), "department": path} for n, username, clean, role, path in plans],
        departments=len(new_paths))
    if dry_run:
        return result
    units = dict(existing)
    for path in sorted(new_paths, key=lambda p: p.count("/")):
        parent_path, _sep, name = path.rpartition("/")
        parent = units.get(parent_path) if parent_path else None
        unit = Department(enterprise=enterprise, name=name, level=DEPARTMENT_LEVELS[path.count("/")], parent=parent)
        db.session.add(unit)
        db.session.flush()
        unit.path = (parent.path if parent else "/") + f"{unit.id}/"
        units[path] = unit
    for _n, username, clean, role, path in plans:
        _user, password = accounts.new_imported_account(username=username, display_name=clean["display_name"], role=role,
                                       enterprise=enterprise, department=units.get(path) if path else None,
                                       phone=clean["phone"], email=clean["email"])
        result.accounts.append({"username": username, "display_name": clean["display_name"], "password": password})
    db.session.flush()
    result.created = len(plans)
    admin_log.record(actor, "import", "user", after={
        "enterprise_id": enterprise.id, "departments": sorted(new_paths),
        "users": [a["username"] for a in result.accounts]}, region_id=enterprise.region_id,
        summary=_("%(n)s accounts and %(d)s units imported into %(enterprise)s", n=len(plans), d=len(new_paths),
                  enterprise=enterprise.name))
    return result
