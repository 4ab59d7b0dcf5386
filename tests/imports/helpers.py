"""Import files for the tests, built with openpyxl as a user's Excel would save them."""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.imports import service
from app.organisations.credit_code import complete

ENTERPRISE_HEADERS = [h for h, _k, _r in service.ENTERPRISE_COLUMNS]
USER_HEADERS = [h for h, _k, _r in service.USER_COLUMNS]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def credit_code(region_code: str, n: int) -> str:
    return complete(f"91{region_code[:6]}MA{n:07d}")


def enterprise_row(region, n: int, *, industry="hazardous_chemicals", manager="", **over) -> list:
    values = {"企业名称": f"导入企业{n}有限公司", "统一社会信用代码": credit_code(region.code, 500000 + n),
              "行政区划": f"{region.code} {region.name}", "行业": f"{industry} 危险化学品", "地址": f"工业路{n}号",
              "法定代表人": "张三", "主要负责人": "李四", "主要负责人电话": "13800000000",
              "安全管理人员": "王五" if manager else "", "安全管理人员电话": "13900000000" if manager else "",
              "标准化等级": "", "企业规模": "", "安全管理员账号": manager}
    values.update(over)
    return [values[h] for h in ENTERPRISE_HEADERS]


def enterprises_file(rows: list[list]) -> bytes:
    return xlsx({"企业": [[h + ("*" if r else "") for h, _k, r in service.ENTERPRISE_COLUMNS]] + rows})


def users_file(departments: list[str], users: list[list]) -> bytes:
    return xlsx({"部门": [["部门路径*"]] + [[d] for d in departments],
                 "人员": [[h + ("*" if r else "") for h, _k, r in service.USER_COLUMNS]] + users})
