"""Code tables for risk points (domain.md §4): GB 6441 accident types, GB/T 13861 factors, control categories.

Framework-free data; every code a user or file supplies is checked against these tables.
GB 6441-2025's official numeric codes are not confirmed (domain.md §4.1), so the 1986 codes are used.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

GB6441_VERSION = "GB6441-1986"

ACCIDENT_TYPES: dict[str, str] = {
    "01": "物体打击", "02": "车辆伤害", "03": "机械伤害", "04": "起重伤害", "05": "触电",
    "06": "淹溺", "07": "灼烫", "08": "火灾", "09": "高处坠落", "10": "坍塌",
    "11": "冒顶片帮", "12": "透水", "13": "放炮", "14": "火药爆炸", "15": "瓦斯爆炸",
    "16": "锅炉爆炸", "17": "容器爆炸", "18": "其他爆炸", "19": "中毒和窒息", "20": "其他伤害",
}

GB13861_VERSION = "GB/T13861-2022"

# 大类, 中类 and the 小类 listed in domain.md §4.2 (the full 小类 list must come from the standard's text).
HAZARD_FACTORS: dict[str, str] = {
    "1": "人的因素", "11": "心理、生理性危险和有害因素", "12": "行为性危险和有害因素",
    "1101": "负荷超限", "1102": "健康状况异常", "1103": "从事禁忌作业", "1104": "心理异常",
    "1105": "辨识功能缺陷", "1201": "指挥错误", "1202": "操作错误", "1203": "监护失误",
    "2": "物的因素", "21": "物理性危险和有害因素", "22": "化学性危险和有害因素", "23": "生物性危险和有害因素",
    "2101": "设备、设施、工具、附件缺陷", "2102": "防护缺陷", "2103": "电伤害", "2104": "噪声",
    "2105": "振动危害", "2106": "电离辐射", "2107": "非电离辐射", "2108": "运动物伤害", "2109": "明火",
    "2110": "高温物质", "2111": "低温物质", "2112": "信号缺陷", "2113": "标志标识缺陷", "2114": "有害光照",
    "2201": "理化危险", "2202": "健康危险",
    "2301": "致病微生物", "2302": "传染病媒介物", "2303": "致害动物", "2304": "致害植物",
    "3": "环境因素", "31": "室内作业场所环境不良", "32": "室外作业场地环境不良",
    "33": "地下（含水下）作业环境不良", "39": "其他作业环境不良",
    "4": "管理因素", "41": "职业安全卫生管理机构设置和人员配备不健全", "42": "职业安全卫生责任制不完善或未落实",
    "43": "职业安全卫生管理制度不完善或未落实", "44": "职业安全卫生投入不足", "45": "应急管理缺陷",
    "49": "其他管理因素缺陷",
}


class ControlCategory(enum.StrEnum):
    engineering = "engineering"  # 工程技术措施
    management = "management"  # 管理措施
    training = "training"  # 培训教育措施
    ppe = "ppe"  # 个体防护措施
    emergency = "emergency"  # 应急处置措施


CONTROL_CATEGORY_NAMES = {
    ControlCategory.engineering: "工程技术措施",
    ControlCategory.management: "管理措施",
    ControlCategory.training: "培训教育措施",
    ControlCategory.ppe: "个体防护措施",
    ControlCategory.emergency: "应急处置措施",
}


def unknown_codes(codes: Iterable[str], table: dict[str, str]) -> list[str]:
    return [c for c in codes if c not in table]


def names(codes: Iterable[str], table: dict[str, str]) -> list[str]:
    return [f"{c} {table[c]}" if c in table else c for c in codes]
