"""Risk register to and from Excel (.xlsx, openpyxl). Import is all-or-nothing.

Every bad cell is reported as (row, column, message); a file with any error imports nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from app import xlsx
from app.auth.models import User
from app.errors import Invalid
from app.extensions import db
from app.organisations.models import Department, Enterprise
from app.risks import service
from app.risks.models import RiskAssessment, RiskPoint, RiskPointStatus
from workflows import grading
from workflows.grading import GradingError
from workflows.risk_codes import ControlCategory

KIND_NAMES = {"作业活动": "operation", "设备设施": "equipment", "场所": "place", "工艺": "process"}
KIND_TITLES = {v: k for k, v in KIND_NAMES.items()}

# (header, key) of the importable columns, in order; the header text is the contract of the template.
COLUMNS = [
    ("风险点名称", "name"), ("区域", "area"), ("类型", "kind"), ("危险有害因素代码", "hazard_factors"),
    ("事故类型代码", "accident_types"), ("工程技术措施", "engineering"), ("管理措施", "management"),
    ("培训教育措施", "training"), ("个体防护措施", "ppe"), ("应急处置措施", "emergency"),
    ("可能后果", "consequences"), ("责任部门", "department"), ("责任人用户名", "username"),
    ("复评周期（月）", "review_interval_months"), ("评价方法", "method"), ("评价输入", "inputs"),
]
# Written on export for reading only; ignored on import (a grade is never taken from a file).
READ_ONLY = [("评估等级", "grade"), ("有效等级", "effective_grade"), ("分值", "score"), ("管控层级", "control_level"),
             ("下次复评日期", "next_review_on")]
HEADERS = [h for h, _k in COLUMNS]
GRADE_NAMES = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}


@dataclass
class CellError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s", row=self.row, column=self.column,
                 message=self.message)


def _sheet(rows) -> xlsx.Sheet:
    """The register's sheet (also the import template): written row by row by the one writer."""
    headers = HEADERS + [h for h, _k in READ_ONLY]
    return xlsx.Sheet("风险点清单", headers, rows, widths=[18] * len(headers), header_fill="DDE5EE")


def template() -> xlsx.Sheet:
    example = ["液氯储罐区巡检", "罐区", "作业活动", "2201,2102", "19,17", "设置泄漏检测报警仪\n设置围堰",
               "执行巡检制度", "岗前培训", "佩戴防毒面具", "启动泄漏应急预案", "中毒、容器爆炸", "",
               "", 3, "lec", "L=3;E=6;C=40"]
    return _sheet([example])


def _inputs_text(point: RiskPoint) -> str:
    last = db.session.scalar(select(RiskAssessment).where(RiskAssessment.risk_point_id == point.id)
                             .order_by(RiskAssessment.id.desc()).limit(1))
    if last is None:
        return ""
    if last.method == "direct":
        return ",".join(last.inputs.get("rules", []))
    return ";".join(f"{k}={grading._fmt(v)}" for k, v in last.inputs.items())


def export(enterprise: Enterprise) -> xlsx.Sheet:
    """Every active risk point of ``enterprise`` (no cap), read in batches."""
    return _sheet(_export_rows(enterprise))


def _export_rows(enterprise: Enterprise):
    points = db.session.scalars(select(RiskPoint).where(RiskPoint.enterprise_id == enterprise.id,
                                                        RiskPoint.status == RiskPointStatus.active)
                                .order_by(RiskPoint.area, RiskPoint.name).execution_options(yield_per=500))
    for p in points:
        c = p.controls or {}
        yield [
            p.name, p.area, KIND_TITLES.get(p.kind.value, p.kind.value), ",".join(p.hazard_factors or []),
            ",".join(p.accident_types or []), *("\n".join(c.get(cat.value, [])) for cat in ControlCategory),
            p.consequences, p.responsible_department.name if p.responsible_department else "",
            p.responsible_user.username if p.responsible_user else "", p.review_interval_months,
            p.method or "", _inputs_text(p),
            GRADE_NAMES.get(p.assessed_grade.value, "") if p.assessed_grade else "",
            GRADE_NAMES.get(p.effective_grade.value, "") if p.effective_grade else "",
            p.score if p.score is not None else "", p.control_level.value if p.control_level else "",
            p.next_review_on.isoformat() if p.next_review_on else "",
        ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_inputs(method: str, text: str) -> dict:
    if method == "direct":
        return {"rules": [r.strip().upper() for r in text.replace("，", ",").split(",") if r.strip()]}
    inputs = {}
    for part in text.replace("；", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise GradingError("inputs", "not_number", value=part)
        key, value = part.split("=", 1)
        inputs[key.strip().upper()] = value.strip()
    return inputs


FIELD_COLUMN = {key: header for header, key in COLUMNS} | {
    "responsible_department_id": "责任部门", "responsible_user_id": "责任人用户名", "controls": "工程技术措施",
    "method": "评价方法", "inputs": "评价输入"}


def _read_rows(data: bytes) -> list[tuple[int, dict]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not an .xlsx
        raise Invalid(fields={"file": _("The file is not an Excel workbook (.xlsx).")}) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    while header and header[-1] == "":
        header.pop()
    known = HEADERS + [h for h, _k in READ_ONLY]
    errors = [CellError(1, h or "?", _("Unknown column; use the template's columns.")) for h in header
              if h not in known]
    missing = [h for h in HEADERS if h not in header]
    errors += [CellError(1, h, _("Column missing; use the template's columns.")) for h in missing]
    if errors:
        raise Invalid(fields={"file": [str(e) for e in errors]})
    index = {h: i for i, h in enumerate(header)}
    result = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        result.append((n, {key: _text(values[index[h]]) if index[h] < len(values) else ""
                           for h, key in COLUMNS}))
    return result


def import_register(actor: User, enterprise: Enterprise | int | None, data: bytes) -> list[RiskPoint]:
    enterprise = service.enterprise_for_edit(actor, enterprise)
    rows = _read_rows(data)
    if not rows:
        raise Invalid(fields={"file": _("The file has no risk points.")})
    depts = {d.name: d.id for d in db.session.scalars(select(Department).where(
        Department.enterprise_id == enterprise.id))}
    users = {u.username: u.id for u in db.session.scalars(select(User).where(User.enterprise_id == enterprise.id))}
    errors: list[CellError] = []
    plans = []
    for n, row in rows:
        kind = KIND_NAMES.get(row["kind"], row["kind"] or "place")
        data_row = {
            "name": row["name"], "area": row["area"], "kind": kind, "hazard_factors": row["hazard_factors"],
            "accident_types": row["accident_types"], "consequences": row["consequences"],
            "controls": {c.value: row[c.value].replace("；", "\n").splitlines() for c in ControlCategory},
            "review_interval_months": row["review_interval_months"] or 3,
        }
        if row["department"]:
            if row["department"] not in depts:
                errors.append(CellError(n, "责任部门", _("No department of this name.")))
            data_row["responsible_department_id"] = depts.get(row["department"])
        if row["username"]:
            if row["username"] not in users:
                errors.append(CellError(n, "责任人用户名", _("No user of this name in the enterprise.")))
            data_row["responsible_user_id"] = users.get(row["username"])
        try:
            service.clean(enterprise, data_row)
        except Invalid as exc:
            errors += [CellError(n, FIELD_COLUMN.get(f, f), m) for f, msgs in exc.fields.items() for m in msgs]
        assessment = None
        if row["method"] or row["inputs"]:
            try:
                method = row["method"].lower()
                inputs = _parse_inputs(method, row["inputs"])
                grading.assess(method, inputs, service.ruleset_for(enterprise))
                assessment = (method, inputs)
            except GradingError as err:
                column = "评价方法" if err.field == "method" else "评价输入"
                errors.append(CellError(n, column, service.grading_message(err)))
        plans.append((data_row, assessment))
    if errors:
        raise Invalid(_("The file has errors; nothing was imported."), fields={"file": [str(e) for e in errors]})
    created = []
    for data_row, assessment in plans:
        point = service.create_point(actor, enterprise, **data_row)
        if assessment:
            service.assess(actor, point, assessment[0], assessment[1], note=_("Imported from Excel"))
        created.append(point)
    return created
