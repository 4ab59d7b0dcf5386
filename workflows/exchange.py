"""The seven datasets of the national dual-prevention data exchange, and the rules a receiver applies.

Framework-free: the dataset names (the provincial endpoints are named after them), their order (parents
before children), each one's parent link, its required fields and its enumerations, and ``row_errors``,
which both the pushing side (a row that would be refused is not sent) and the receiving side (the
project's own endpoints, and the fake provincial receiver of the tests) apply. Field names and codes:
national-model.md §1–§2 and workflows/national_codes.py; docs/exchange.md has the mapping.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field

from workflows.national_codes import (
    DANGER_STATES,
    HAZARD_CATEGORIES,
    HAZARD_SOURCES,
    HAZARD_TYPES,
    MANAGEMENT_CLASSIFICATIONS,
    MEASURE_CLASSES,
    MEASURE_SUBCLASSES,
    RISK_LEVEL_NAMES,
)

COMMON_REQUIRED = ("id", "companyCode", "deleted", "createDate", "updateDate")
# Fields that say when and by whom a row last changed: left out of a row's fingerprint, so that only a
# change of content makes a row pending again.
BOOKKEEPING = ("updateDate", "updateBy")


@dataclass(frozen=True)
class Dataset:
    name: str  # the national table name, also the last segment of its endpoint
    title: str  # its Chinese name (messages, the status page)
    required: tuple[str, ...]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parent: tuple[str, str] | None = None  # (field, parent dataset): the parent must have arrived first
    extra_parents: tuple[tuple[str, str], ...] = ()  # further links checked the same way, when set
    # Required only when another field has a value: {field: (other field, values)}.
    required_when: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


UNIT = "sec_security_risk_unit"
EVENT = "sec_security_risk_events"
MEASURE = "sec_security_risk_control_measures"
TASK = "sec_hidden_check_mission"
RECORD = "sec_hidden_check_record"
HAZARD = "sec_hidden_danger_info"
SUSPENSION = "sec_deactivated_maintenance_record"

_LEVELS = tuple(RISK_LEVEL_NAMES)
DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset(UNIT, "安全风险分析单元", ("hazardCode", "riskUnitName", "hazardDep", "hazardLiablePerson")),
    Dataset(EVENT, "安全风险事件", ("riskUnitId", "riskEventName"),
            {"initialRiskLevel": _LEVELS, "currentRiskLevel": _LEVELS}, parent=("riskUnitId", UNIT)),
    Dataset(MEASURE, "安全风险管控措施", ("riskEventId", "dataSrc", "riskMeasureDesc", "classify1", "classify2"),
            {"dataSrc": ("1", "2"), "classify1": tuple(MEASURE_CLASSES), "classify2": tuple(MEASURE_SUBCLASSES)},
            parent=("riskEventId", EVENT)),
    Dataset(TASK, "隐患排查任务", ("riskMeasureId", "troubleshootContent", "checkCycle", "checkCycleUnit",
                                 "taskStartTime", "workDayType", "workType"),
            {"checkCycleUnit": ("小时", "天", "周", "月", "年"), "workDayType": ("0", "1", "2"),
             "workType": ("0", "1", "2", "3")},
            parent=("riskMeasureId", MEASURE),
            required_when={"workStartTime": ("checkCycleUnit", ("小时",)),
                           "workEndTime": ("checkCycleUnit", ("小时",)),
                           "taskNum": ("workType", ("1", "2", "3"))}),
    Dataset(RECORD, "隐患排查记录", ("checkTaskId", "checkTime", "checkStatus", "isDefend"),
            {"checkStatus": ("0", "1"), "isDefend": ("0", "1")}, parent=("checkTaskId", TASK)),
    Dataset(HAZARD, "隐患信息", ("hazardCode", "riskMeasureId", "checkRecordId", "dangerName", "dangerLevel",
                              "registTime", "registrant", "dangerSrc", "dangerManageType", "hazardDangerType",
                              "hazardCategory", "dangerDesc", "liablePerson", "dangerManageDeadline",
                              "dangerState"),
            {"dangerLevel": ("0", "1"), "dangerSrc": tuple(HAZARD_SOURCES), "dangerManageType": ("0", "1"),
             "hazardDangerType": tuple(HAZARD_TYPES), "hazardCategory": tuple(HAZARD_CATEGORIES),
             "dangerState": tuple(DANGER_STATES), "managementClassification": tuple(MANAGEMENT_CLASSIFICATIONS)},
            parent=("checkRecordId", RECORD), extra_parents=(("riskMeasureId", MEASURE),),
            required_when={"checkAcceptPerson": ("dangerState", ("9",)),
                           "checkAcceptTime": ("dangerState", ("9",))}),
    Dataset(SUSPENSION, "停用/检修记录", ("hazardCode", "stopStartTime", "stopEndTime", "stopReason"),
            extra_parents=(("riskUnitId", UNIT),)),
)}
ORDER: tuple[str, ...] = tuple(DATASETS)  # parents before children

# The Chinese messages of a refused field (the receipt's and the status page's words).
MESSAGES = {
    "required": "缺少必填字段",
    "unknown_value": "取值不在代码表内",
    "bad_time": "时间格式应为yyyyMMddHHmmss",
    "not_positive": "应为大于0的整数",
    "parent_missing": "上级数据尚未上传",
    "wrong_company": "企业编码与认证的企业不一致",
    "wrong_class": "二级分类不属于该一级分类",
    "bad_image": "应为Base64编码的PNG或JPEG图片，不超过5MB",
}
PARENT_MESSAGES = {UNIT: "请先上传安全风险分析单元数据", EVENT: "请先上传安全风险事件数据",
                   MEASURE: "请先上传安全风险管控措施数据", TASK: "请先上传隐患排查任务数据",
                   RECORD: "请先上传隐患排查记录数据"}
_TIME = re.compile(r"^\d{14}$")
_TIME_FIELDS = ("createDate", "updateDate", "taskStartTime", "checkTime", "registTime", "dangerManageDeadline",
                "checkAcceptTime", "stopStartTime", "stopEndTime")
# The hazard's photos (national-model.md §2: ``attachments1/2/3``, hazard photo, rectification photo, other):
# optional, Base64 of a PNG or JPEG of at most 5 MB. The sender's ledger holds ``sha256:<digest>`` of the
# stored file instead (the fingerprint follows the photo without megabytes in the ledger), replaced by the
# Base64 content when the row is sent.
IMAGE_FIELDS = {HAZARD: ("attachments1", "attachments2", "attachments3")}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
STORED_IMAGE = re.compile(r"^sha256:[0-9a-f]{64}$")
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "shuangkong/exchange")


@functools.lru_cache(maxsize=100_000)  # a push derives each id two or three times (its row, its children)
def row_id(company_code: str, dataset: str, local_id: int) -> str:
    """The national ``id`` (UUID) of a row: the same every time, so a row sent twice is updated, not doubled."""
    return str(uuid.uuid5(_NAMESPACE, f"{company_code}/{dataset}/{local_id}"))


def fingerprint(row: dict) -> str:
    """SHA-256 of a row's content (its bookkeeping dates left out)."""
    content = {k: v for k, v in row.items() if k not in BOOKKEEPING}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def is_deleted(row: dict) -> bool:
    return str(row.get("deleted", "0")) == "1"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def image_error(value, *, stored: bool = False) -> bool:
    """Whether a photo field is wrong: not Base64 of a PNG/JPEG of at most 5 MB (``stored``: the sender's
    own ledger, where a ``sha256:`` reference to the stored file stands for the content)."""
    if stored and isinstance(value, str) and STORED_IMAGE.match(value):
        return False
    if not isinstance(value, str) or len(value) > (IMAGE_MAX_BYTES + 2) // 3 * 4 + 4:
        return True
    try:
        data = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return True
    return not sendable_image(data)


def sendable_image(data: bytes) -> bool:
    """A PNG or JPEG (by its signature) of at most 5 MB."""
    return len(data) <= IMAGE_MAX_BYTES and (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"))


def row_errors(dataset: str, row: dict, known_parent=None, company_code: str | None = None, *,
               stored_images: bool = False) -> dict[str, str]:
    """``{field: reason}`` of a row a receiver refuses ({} when it is accepted). ``known_parent(dataset,
    id) -> bool`` says whether a parent row has arrived (None: parents are not checked); ``company_code``
    the enterprise the sender authenticated as; ``stored_images``: photos may be references to stored
    files (the sending side, before they are encoded). A deleted row needs only its common fields: a
    receiver removes it by id."""
    spec = DATASETS[dataset]
    errors: dict[str, str] = {}
    for name in COMMON_REQUIRED:
        if _blank(row.get(name)):
            errors[name] = "required"
    if company_code is not None and row.get("companyCode") not in (None, "", company_code):
        errors["companyCode"] = "wrong_company"
    if str(row.get("deleted", "")) not in ("0", "1"):
        errors.setdefault("deleted", "unknown_value")
    if is_deleted(row):
        return errors
    for name in spec.required:
        if _blank(row.get(name)):
            errors[name] = "required"
    for name, (other, values) in spec.required_when.items():
        if str(row.get(other, "")) in values and _blank(row.get(name)):
            errors[name] = "required"
    for name, allowed in spec.enums.items():
        value = row.get(name)
        if not _blank(value) and str(value) not in allowed:
            errors.setdefault(name, "unknown_value")
    for name in _TIME_FIELDS:
        value = row.get(name)
        if not _blank(value) and not _TIME.match(str(value)):
            errors.setdefault(name, "bad_time")
    for name in IMAGE_FIELDS.get(dataset, ()):
        if not _blank(row.get(name)) and image_error(row[name], stored=stored_images):
            errors[name] = "bad_image"
    if dataset == TASK and not _blank(row.get("checkCycle")):
        try:
            positive = int(row["checkCycle"]) > 0
        except (TypeError, ValueError):
            positive = False
        if not positive:
            errors.setdefault("checkCycle", "not_positive")
    if dataset == MEASURE and "classify2" not in errors and "classify1" not in errors \
            and str(row["classify2"]).split("-")[0] != str(row["classify1"]):
        errors["classify2"] = "wrong_class"
    if known_parent is not None:
        links = ((spec.parent,) if spec.parent else ()) + spec.extra_parents
        for name, parent in links:
            value = row.get(name)
            if not _blank(value) and name not in errors and not known_parent(parent, str(value)):
                errors[name] = "parent_missing"
    return errors


def describe(dataset: str, errors: dict[str, str]) -> str:
    """One line of plain Chinese for a refused row: ``隐患信息：liablePerson 缺少必填字段；…``."""
    parts = []
    for name, reason in sorted(errors.items()):
        if reason == "parent_missing":
            parent = next((p for f, p in ((DATASETS[dataset].parent,) if DATASETS[dataset].parent else ())
                           + DATASETS[dataset].extra_parents if f == name), None)
            parts.append(f"{name} {PARENT_MESSAGES.get(parent, MESSAGES[reason])}")
        else:
            parts.append(f"{name} {MESSAGES.get(reason, reason)}")
    return f"{DATASETS[dataset].title}：" + "；".join(parts)


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Wait before attempt ``attempt + 1`` (attempt ≥ 1): base, 2·base, 4·base … at most ``cap``."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))
