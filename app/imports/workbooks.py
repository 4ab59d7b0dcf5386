"""The import templates (.xlsx, in Chinese): a sheet to fill in with dropdowns, an instructions sheet
and a hidden sheet of the codes the dropdowns offer (regions, industries, roles, departments)."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from app import access, labels
from app.auth.models import User
from app.extensions import db
from app.imports import service
from app.organisations.models import Enterprise, EnterpriseScale, Industry, Region, StandardisationLevel

CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"
ROWS_WITH_DROPDOWNS = 2000
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")


def _header(ws, columns, widths: dict[str, int] | None = None) -> dict[str, str]:
    """Write the header row (required columns marked *); {key: column letter}."""
    letters = {}
    for i, (header, key, required) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=header + ("*" if required else ""))
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = HEADER_FILL
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = (widths or {}).get(key, 18)
        letters[key] = letter
    ws.freeze_panes = "A2"
    return letters


def _codes(wb, lists: dict[str, list[str]]) -> dict[str, str]:
    """The hidden sheet of dropdown values, one column per list; {name: range formula}."""
    ws = wb.create_sheet(CODES_SHEET)
    formulas = {}
    for i, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i, value=name)
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=i, value=value)
        last = max(2, len(values) + 1)
        formulas[name] = f"'{CODES_SHEET}'!${letter}$2:${letter}${last}"
    ws.sheet_state = "hidden"
    return formulas


def _dropdown(ws, formula: str, letter: str, *, strict: bool = True, prompt: str = "") -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    dv.showErrorMessage = strict  # not strict: a value may also be typed (a unit listed in the 部门 sheet)
    dv.error = _("Choose a value from the list.")
    dv.errorTitle = _("Not in the list")
    if prompt:
        dv.prompt, dv.showInputMessage = prompt, True
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{ROWS_WITH_DROPDOWNS + 1}")


def _help(wb, title: str, lines: list[str]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 110
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    for r, line in enumerate(lines, start=3):
        ws.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def enterprises_template(actor: User) -> bytes:
    regions = [f"{r.code} {r.name}" for r in db.session.scalars(access.visible(Region, actor).order_by(Region.code))]
    industries = [f"{i.code} {i.name}" for i in db.session.scalars(select(Industry).order_by(Industry.id))]
    wb = Workbook()
    ws = wb.active
    ws.title = service.ENTERPRISE_SHEET
    letters = _header(ws, service.ENTERPRISE_COLUMNS, {"name": 30, "credit_code": 22, "region": 22, "industry": 26,
                                                       "address": 30})
    formulas = _codes(wb, {
        "行政区划": regions, "行业": industries,
        "标准化等级": [labels.label(m) for m in StandardisationLevel],
        "企业规模": [labels.label(m) for m in EnterpriseScale],
    })
    _dropdown(ws, formulas["行政区划"], letters["region"])
    _dropdown(ws, formulas["行业"], letters["industry"])
    _dropdown(ws, formulas["标准化等级"], letters["standardisation_level"])
    _dropdown(ws, formulas["企业规模"], letters["scale"])
    ws.column_dimensions[letters["credit_code"]].width = 22
    _help(wb, "企业批量导入：填写说明", [
        "1. 在“企业”表中每行填写一家企业，第一行为表头，请勿修改表头；带 * 的列必须填写。",
        "2. 统一社会信用代码：18 位，按 GB 32100-2015 校验最后一位校验码；同一代码在文件中只能出现一次，"
        "且不能是系统中已登记的企业。",
        "3. 行政区划、行业：请从下拉列表中选择（格式为“代码 名称”，也可只填代码）；行政区划只能选择您辖区内的区划。",
        "4. 标准化等级、企业规模：从下拉列表中选择，可不填（默认为“无”“小型”）。",
        "5. 安全管理员账号：可不填。填写时将为该企业创建一个“安全管理人员”账号（用户名即所填内容，须未被占用），"
        "姓名取“安全管理人员”列，电话取“安全管理人员电话”列；系统生成一次性密码，仅在导入完成时显示一次，"
        "首次登录须修改密码。",
        "6. 导入为“全部或全不”：文件中只要有一处错误，任何企业都不会被创建；系统会按行、列列出全部错误，"
        "修改后重新上传即可。上传后先预览，确认后才真正导入。",
        f"7. 每个文件最多 {service.MAX_ROWS} 行；文件须为 Excel 工作簿（.xlsx）。",
    ])
    return _save(wb)


def users_template(actor: User, enterprise: Enterprise) -> bytes:
    paths = sorted(service.department_paths(enterprise))
    roles = [labels.label(r) for r in service.importable_roles(actor)]
    wb = Workbook()
    ws_dept = wb.active
    ws_dept.title = service.DEPARTMENT_SHEET
    _header(ws_dept, service.DEPARTMENT_COLUMNS, {"path": 48})
    ws = wb.create_sheet(service.USER_SHEET)
    letters = _header(ws, service.USER_COLUMNS, {"department": 36})
    formulas = _codes(wb, {"角色": roles, "现有部门": paths})
    _dropdown(ws, formulas["角色"], letters["role"])
    _dropdown(ws, formulas["现有部门"], letters["department"], strict=False,
              prompt="可选择现有部门，或填写“部门”表中新增的部门路径")
    _help(wb, f"{enterprise.name}：部门和人员批量导入填写说明", [
        "1. “部门”表：每行一个要新增的部门，用“/”分隔上下级，例如“生产部/一车间/甲班/操作岗”。"
        "第一级为部门，第二级为车间，第三级为班组，第四级为岗位；上级须已存在或在本表中列出。"
        "已存在的部门不要重复填写。",
        "2. “人员”表：每行一个账号。用户名须唯一（不区分大小写）；角色从下拉列表中选择"
        f"（可选：{'、'.join(roles)}）；所属部门可从下拉列表选择现有部门，或填写“部门”表中新增的路径。",
        "3. 每个账号由系统生成一次性密码，仅在导入完成时显示一次，请当场分发；首次登录须修改密码。",
        "4. 导入为“全部或全不”：只要有一处错误，任何部门和账号都不会被创建；系统按表、行、列列出全部错误。"
        "上传后先预览，确认后才真正导入。",
        f"5. 每个表最多 {service.MAX_ROWS} 行；文件须为 Excel 工作簿（.xlsx）。",
    ])
    return _save(wb)
