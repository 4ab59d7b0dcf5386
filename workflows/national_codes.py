"""Code tables of the national dual-prevention data model (national-model.md), with their Chinese names.

Framework-free data. The codes are those the enterprise uploaders and government receivers exchange
(national-model.md §1–§2: ``classify1``/``classify2``, ``dangerSrc``, ``hazardDangerType``,
``dangerManageType``, ``managementClassification``, ``workType``/``taskNum``, ``workDayType``, ``dataSrc``);
the project's own identifiers map to them here, once. docs/national-model-mapping.md explains each mapping.
"""

from __future__ import annotations

import enum

from workflows.grades import Grade
from workflows.risk_codes import ControlCategory

# --- 管控措施分类 (classify1 / classify2) ---------------------------------------------------

MEASURE_CLASSES: dict[str, str] = {"1": "工程技术", "2": "维护保养", "3": "操作行为", "4": "应急措施"}

MEASURE_SUBCLASSES: dict[str, str] = {
    "1-1": "工艺控制", "1-2": "关键设备/部件", "1-3": "安全附件", "1-4": "安全仪表", "1-5": "其它",
    "2-1": "动设备", "2-2": "静设备", "2-3": "其它",
    "3-1": "人员资质", "3-2": "操作记录", "3-3": "交接班", "3-4": "其它",
    "4-1": "应急设施", "4-2": "个体防护", "4-3": "消防设施", "4-4": "应急预案", "4-5": "其它",
}


def measure_classification_error(classify1, classify2) -> dict[str, str]:
    """``{}`` when the pair exists; otherwise the bad field(s) → ``unknown_value`` / ``wrong_class``."""
    errors = {}
    c1, c2 = str(classify1 or ""), str(classify2 or "")
    if c1 not in MEASURE_CLASSES:
        errors["classify1"] = "unknown_value"
    if c2 not in MEASURE_SUBCLASSES:
        errors["classify2"] = "unknown_value"
    elif not errors and c2.split("-")[0] != c1:
        errors["classify2"] = "wrong_class"
    return errors


# The project's five control categories (docs/design.md, workflows/risk_codes.py) → (classify1, classify2).
# The sub-class is the default a migrated measure gets; a person refines it afterwards.
CATEGORY_TO_NATIONAL: dict[ControlCategory, tuple[str, str]] = {
    ControlCategory.engineering: ("1", "1-5"),  # 工程技术措施 → 工程技术 / 其它
    ControlCategory.management: ("3", "3-4"),  # 管理措施 → 操作行为 / 其它
    ControlCategory.training: ("3", "3-1"),  # 培训教育措施 → 操作行为 / 人员资质
    ControlCategory.ppe: ("4", "4-2"),  # 个体防护措施 → 应急措施 / 个体防护
    ControlCategory.emergency: ("4", "4-5"),  # 应急处置措施 → 应急措施 / 其它
}


class MeasureDataSource(enum.StrEnum):
    automatic = "automatic"  # dataSrc 1 自动化监控
    manual = "manual"  # dataSrc 2 隐患排查


DATA_SOURCE_CODES = {MeasureDataSource.automatic: "1", MeasureDataSource.manual: "2"}
DATA_SOURCE_NAMES = {MeasureDataSource.automatic: "自动化监控", MeasureDataSource.manual: "隐患排查"}

# --- 风险等级 (riskLevel / initialRiskLevel / currentRiskLevel: 1 重大 … 4 低) ----------------

RISK_LEVEL_CODES: dict[Grade, str] = {Grade.red: "1", Grade.orange: "2", Grade.yellow: "3", Grade.blue: "4"}
RISK_LEVEL_NAMES: dict[str, str] = {"1": "重大风险", "2": "较大风险", "3": "一般风险", "4": "低风险"}

# --- 重大危险源等级 (GB 18218: 一级 the most dangerous … 四级) ----------------------------------

MAJOR_HAZARD_LEVELS: dict[int, str] = {1: "一级重大危险源", 2: "二级重大危险源", 3: "三级重大危险源",
                                       4: "四级重大危险源"}

# --- 排查任务 (sec_hidden_check_mission) -----------------------------------------------------

CYCLE_UNIT_NAMES = {"hour": "小时", "day": "天", "week": "周", "month": "月", "year": "年"}

# workDayType: 0 每天, 1 法定工作日, 2 非法定工作日 (identifiers of workflows/check_tasks.WorkdayType)
WORKDAY_TYPE_CODES = {"every_day": "0", "workdays": "1", "non_workdays": "2"}


class TaskType(enum.StrEnum):
    routine = "routine"  # workType 0 日常
    principal = "principal"  # 1 主要负责人 (包保)
    technical = "technical"  # 2 技术负责人 (包保)
    operator = "operator"  # 3 操作负责人 (包保)


TASK_TYPE_CODES = {TaskType.routine: "0", TaskType.principal: "1", TaskType.technical: "2",
                   TaskType.operator: "3"}
TASK_TYPE_NAMES = {TaskType.routine: "日常排查", TaskType.principal: "主要负责人包保排查",
                   TaskType.technical: "技术负责人包保排查", TaskType.operator: "操作负责人包保排查"}

# taskNum: the item of the national 《危险化学品企业重大危险源安全包保责任人隐患排查任务清单》 (texts unverified).
TASK_NUMBERS: dict[TaskType, range] = {TaskType.principal: range(1, 10), TaskType.technical: range(1, 10),
                                       TaskType.operator: range(1, 11)}


def task_number_error(task_type, task_number) -> dict[str, str]:
    """A 包保 task needs its item number on the national list; a routine task has none."""
    try:
        tt = TaskType(task_type)
    except ValueError:
        return {"task_type": "unknown_value"}
    if tt is TaskType.routine:
        return {} if task_number in (None, "") else {"task_number": "not_allowed"}
    if task_number in (None, ""):
        return {"task_number": "required"}
    try:
        n = int(task_number)
    except (TypeError, ValueError):
        return {"task_number": "not_integer"}
    return {} if n in TASK_NUMBERS[tt] else {"task_number": "out_of_range"}


# --- 隐患信息 (sec_hidden_danger_info) -------------------------------------------------------

HAZARD_SOURCES: dict[str, str] = {  # dangerSrc
    "1": "日常排查", "2": "综合性排查", "3": "专业性排查", "4": "季节性排查", "5": "重点时段及节假日前排查",
    "6": "事故类比排查", "7": "复产复工前排查", "8": "外聘专家诊断式排查", "9": "管控措施失效", "10": "其他",
}
HAZARD_SOURCE_ROUTINE = "1"  # a hazard found by a routine check task
HAZARD_SOURCE_MEASURE_FAILED = "9"  # an abnormal check of a control measure: the measure failed


class DangerSource(enum.StrEnum):
    """The project's identifiers of ``dangerSrc`` (kind of check that found the hazard): ``Hazard.danger_source``."""

    routine = "routine"  # 1 日常排查
    comprehensive = "comprehensive"  # 2 综合性排查
    specialized = "specialized"  # 3 专业性排查
    seasonal = "seasonal"  # 4 季节性排查
    key_period = "key_period"  # 5 重点时段及节假日前排查
    accident_analogy = "accident_analogy"  # 6 事故类比排查
    resumption = "resumption"  # 7 复产复工前排查
    expert_diagnosis = "expert_diagnosis"  # 8 外聘专家诊断式排查
    measure_failure = "measure_failure"  # 9 管控措施失效
    other = "other"  # 10 其他


DANGER_SOURCE_CODES: dict[DangerSource, str] = {member: str(i) for i, member in enumerate(DangerSource, start=1)}
DANGER_SOURCE_NAMES: dict[DangerSource, str] = {m: HAZARD_SOURCES[c] for m, c in DANGER_SOURCE_CODES.items()}

HAZARD_TYPES: dict[str, str] = {  # hazardDangerType
    "1": "安全", "2": "工艺", "3": "电气", "4": "仪表", "5": "消防", "6": "总图", "7": "设备", "8": "其他",
}



class HazardType(enum.StrEnum):
    """The project's identifiers of ``hazardDangerType``: ``Hazard.hazard_type``."""

    safety = "safety"  # 1 安全
    process = "process"  # 2 工艺
    electrical = "electrical"  # 3 电气
    instrument = "instrument"  # 4 仪表
    fire = "fire"  # 5 消防
    layout = "layout"  # 6 总图
    equipment = "equipment"  # 7 设备
    other = "other"  # 8 其他


HAZARD_TYPE_CODES: dict[HazardType, str] = {member: str(i) for i, member in enumerate(HazardType, start=1)}
HAZARD_TYPE_NAMES: dict[HazardType, str] = {m: HAZARD_TYPES[c] for m, c in HAZARD_TYPE_CODES.items()}

HAZARD_LEVEL_CODES = {"general": "0", "major": "1"}  # dangerLevel: 0 一般, 1 重大


class ManageType(enum.StrEnum):
    immediate = "immediate"  # dangerManageType 0 即查即改
    deadline = "deadline"  # 1 限期整改


MANAGE_TYPE_CODES = {ManageType.immediate: "0", ManageType.deadline: "1"}
MANAGE_TYPE_NAMES = {ManageType.immediate: "即查即改", ManageType.deadline: "限期整改"}

MANAGEMENT_CLASSIFICATIONS: dict[str, str] = {  # managementClassification
    "1": "人的不安全行为", "2": "物的不安全状态", "3": "管理缺陷",
}

# hazardCategory: who registered the hazard (0 其他; 1–3 a 包保 person).
HAZARD_CATEGORIES: dict[str, str] = {"0": "其他", "1": "主要负责人登记", "2": "技术负责人登记",
                                     "3": "操作负责人登记"}
TASK_TYPE_HAZARD_CATEGORY = {TaskType.routine: "0", TaskType.principal: "1", TaskType.technical: "2",
                             TaskType.operator: "3"}

DANGER_STATES: dict[str, str] = {"0": "整改中", "1": "待验收", "9": "已验收"}

# The project's hazard identifiers (workflows/hazard_states.py) → national codes.
# HazardNature → managementClassification: the same three classes under other names.
NATURE_TO_MANAGEMENT_CLASSIFICATION = {"unsafe_act": "1", "unsafe_condition": "2", "management_defect": "3"}
# HazardSource → dangerSrc: the national list classifies by kind of check, not by who found the hazard.
# A self-inspection is a routine check unless the check says otherwise; the others have no national
# source of their own and are 其他 (government inspections carry their 执法编号 in enforcementId).
SOURCE_TO_DANGER_SRC = {"self_inspection": "1", "government_inspection": "10", "public_report": "10",
                        "third_party": "8"}
# The same as identifiers: the default ``danger_source`` of a hazard reported without one, and what the
# migration gave the hazards recorded before the national codes.
SOURCE_TO_DANGER_SOURCE: dict[str, DangerSource] = {
    source: next(m for m, c in DANGER_SOURCE_CODES.items() if c == code)
    for source, code in SOURCE_TO_DANGER_SRC.items()}
# Hazards recorded before the national codes: every one went through a rectification with a deadline
# (限期整改), and none says what it concerns (其他, refined by hand).
LEGACY_MANAGE_TYPE = ManageType.deadline
LEGACY_HAZARD_TYPE = HazardType.other
# HazardState → dangerState. A reported hazard is not confirmed yet (the enterprise clients keep it in their
# own 排查/确认 steps) and has no national state: it is not uploaded; a voided one is uploaded as deleted.
STATE_TO_DANGER_STATE = {"rectifying": "0", "pending_review": "1", "closed": "9"}
