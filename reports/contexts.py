"""The plain data each print template needs, one dataclass per document kind (framework-free).

Contract between the documents service and its callers (supervision, hazards, risks):

* ``app.documents.service.issue(kind, actor=..., context={...})`` takes ``context`` as a plain dict with
  the fields of the kind's dataclass below (dates as ``date`` or ISO strings ``"2026-12-31"``, nested
  items as dicts). ``parse(kind, data)`` checks it and builds the dataclass; a field marked
  *service-filled* may be omitted and is then filled from the database (enterprise, hazards, actor).
* The service adds the :class:`Header` (number, issuer, date, verification URL) itself; callers never
  pass it. Templates receive ``doc`` (the Header) and ``c`` (the kind's dataclass).
* The parsed context is stored as JSON with the document so that the same document can be rendered
  again, giving the same bytes (``dump`` / ``parse`` round-trip).

Kinds (identifiers are the contract): rectification_notice 隐患整改通知书, rectification_order
责令限期整改指令书, review_opinion 整改复查意见书, supervision_notice 重大事故隐患挂牌督办通知书,
delisting_notice 解除挂牌督办通知书, hazard_archive 隐患档案, risk_card 岗位安全风险告知卡 (context built by
``app.risks.cards.card_context(point)``, a plain dict, not checked here).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflows.limits import TEXT_MAX


class ContextError(ValueError):
    """Bad context data. ``fields`` maps a dotted field path to an error code (see CODES)."""

    CODES = ("required", "invalid", "invalid_date", "too_few", "too_long", "unknown_field", "choice")

    def __init__(self, fields: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# --- shared pieces ---------------------------------------------------------------------------

@dataclass
class Officer:
    """A law-enforcement officer (执法人员) printed with his certificate number (执法证号)."""

    name: str
    certificate_no: str


@dataclass
class Item:
    """One problem / hazard line of a notice or order. ``deadline`` per item: the order prints
    "第1、3项问题于2026年12月31日前整改完毕" once per group of equal deadlines."""

    text: str
    deadline: date | None = None
    hazard_code: str = ""  # YH-2026-0001 when the item is a registered hazard
    measures: str = ""  # 整改措施 / 要求 (notices)
    responsible: str = ""  # 整改责任人 (enterprise notices): the hazard's responsible person or department


@dataclass
class ReviewItem:
    """One item of the order under review and the review decision recorded on its hazard.

    ``verdict`` (see VERDICTS): passed 已整改合格 (accepted), rejected 未通过 (with ``reason`` and the new
    ``deadline``), not_due 未到整改期限, pending 已提交整改待复查, overdue 逾期未整改. Documents issued
    before verdicts existed carry only ``rectified``.
    """

    text: str
    rectified: bool = True
    hazard_code: str = ""
    verdict: str = ""
    reason: str = ""
    deadline: date | None = None

    VERDICTS: typing.ClassVar = ("passed", "rejected", "not_due", "pending", "overdue")


@dataclass
class Photo:
    """A photo inside a document. Callers give ``sha256`` (bytes in app.storage); the service fills
    ``src`` with a data: URI just before rendering (not stored). ``src`` may also be given directly."""

    src: str = ""
    sha256: str = ""
    caption: str = ""
    taken_at: str = ""  # already formatted local time


@dataclass
class TimelineEntry:
    at: str  # already formatted local time, e.g. "2026-11-22 14:05"
    action: str  # human label, e.g. "确认" / "提交整改"
    actor: str = ""
    note: str = ""


@dataclass
class DocumentRef:
    """Another document of the hazard's legal chain (archive)."""

    title: str
    number: str
    issued_on: date | None = None
    status: str = ""


@dataclass
class Header:
    """Filled by the service only: what every template prints around the body."""

    kind: str
    title: str  # 责令限期整改指令书
    number: str  # （甲）应急责改〔2026〕1号
    issuer_name: str  # 甲县应急管理局 / 甲化工有限公司
    issued_on: date
    verify_url: str  # https://host/verify/<token>; printed as QR code
    template_version: str
    rights_notice: str = ""  # 行政复议/诉讼 sentence, from the authority's settings (§5.7)
    copies_note: str = ""  # 本文书一式两份：...


# --- the kinds ---------------------------------------------------------------------------------

@dataclass
class RectificationNoticeContext:
    """隐患整改通知书 (enterprise-internal, issued by the safety manager to a department).

    recipient: the department / unit that must rectify (e.g. "生产部").
    items: service-filled from ``hazards`` (title, deadline, measures) when omitted.
    """

    recipient: str
    items: list[Item] = field(default_factory=list)
    requirements: str = ""  # 整改要求, free text
    enterprise_name: str = ""  # service-filled
    signer: str = ""  # service-filled: the issuing manager's display name
    contact_phone: str = ""


@dataclass
class RectificationOrderContext:
    """责令限期整改指令书 (code 责改; domain.md §5.4). At least two officers.

    items: service-filled from ``hazards`` (title, deadline, code) when omitted.
    major_hazard_count: service-filled (hazards of level major) when None; printed as
    "其中重大事故隐患N项" when > 0.
    """

    officers: list[Officer]
    items: list[Item] = field(default_factory=list)
    subject_unit: str = ""  # 被检查单位, service-filled with the enterprise name
    subject_address: str = ""  # service-filled
    inspection_date: date | None = None  # 检查日期; "经查" is printed without it
    major_hazard_count: int | None = None


@dataclass
class ReviewOpinionContext:
    """整改复查意见书 (code 复查; §5.5). No rights notice. At least two officers.

    original_*: the order under review, e.g. 责令限期整改指令书 （甲）应急责改〔2026〕1号 of 2026-11-01.
    outcome: passed 已整改合格 (every item accepted) / partial 部分整改合格 / failed 未通过 (none accepted).
    All but ``opinion`` are filled by the documents service from the inspection record.
    """

    officers: list[Officer]
    original_number: str
    original_date: date
    review_date: date
    opinion: str
    outcome: str = "passed"
    original_title: str = "责令限期整改指令书"
    items: list[ReviewItem] = field(default_factory=list)
    subject_unit: str = ""  # service-filled

    OUTCOMES: typing.ClassVar = ("passed", "partial", "failed")


@dataclass
class SupervisionNoticeContext:
    """重大事故隐患挂牌督办通知书 (§5.6; local format). Issued by the listing decision (supervisor)."""

    hazard_name: str
    deadline: date  # 治理期限
    situation: str  # 基本情况: 现状、危害
    listing_level: str  # 督办层级, e.g. "市级"
    listing_body: str  # 督办单位, e.g. 测试市应急管理局
    treatment_unit: str  # 治理责任单位
    treatment_person: str = ""  # 治理责任人
    supervision_unit: str = ""  # 监管责任单位 (属地 + 行业部门)
    supervision_person: str = ""
    basis: str = ""  # 判定依据, the clause of the standard
    hazard_code: str = ""
    addressee: str = ""  # 主送; service-filled with the enterprise name
    copy_to: str = ""  # 抄送
    enterprise_name: str = ""  # service-filled
    enterprise_address: str = ""  # service-filled
    principal_name: str = ""  # 主要负责人; service-filled
    production_status: str = ""  # e.g. "局部停产停业"
    requirements: list[str] = field(default_factory=list)  # 督办要求; template prints defaults when empty
    report_frequency: str = "每月"  # progress reports
    plan_due: date | None = None  # deadline for the 整改方案
    contact_person: str = ""
    contact_phone: str = ""


@dataclass
class DelistingNoticeContext:
    """解除挂牌督办通知书: the listing authority accepted the rectification (hazard closed)."""

    hazard_name: str
    original_number: str  # the supervision notice's number
    original_date: date
    review_date: date  # 现场核查日期
    conclusion: str  # 核查结论
    hazard_code: str = ""
    addressee: str = ""  # service-filled with the enterprise name
    copy_to: str = ""
    enterprise_name: str = ""  # service-filled


@dataclass
class RecordProblem:
    """One problem of an inspection record: what, where, the provision violated (依据条款) and, for
    a major accident hazard, the clause of the criteria it was judged against (判定依据)."""

    text: str
    location: str = ""
    provision: str = ""
    major: bool = False
    criterion: str = ""
    deadline: date | None = None
    hazard_code: str = ""
    photos: list[Photo] = field(default_factory=list)  # taken during the inspection: printed as thumbnails


@dataclass
class InspectionRecordContext:
    """现场检查记录: built from the inspection record alone (officers, time range, place, the
    enterprise's person on site, the problems). At least two officers."""

    officers: list[Officer]
    subject_unit: str
    inspection_date: date
    time_range: str  # "9时00分至11时30分" (local)
    subject_address: str = ""
    principal_name: str = ""
    place: str = ""
    enterprise_person: str = ""
    findings: str = ""
    problems: list[RecordProblem] = field(default_factory=list)
    major_hazard_count: int = 0


@dataclass
class SummonsNoticeContext:
    """约谈通知书: the authority summons the enterprise's principal (built by app.supervision.summons)."""

    addressee: str  # 主送: the enterprise
    principal_name: str
    reason: str
    scheduled: str  # "2026年12月3日9时30分" (local)
    place: str = ""
    hazards: list[Item] = field(default_factory=list)
    contact_person: str = ""
    contact_phone: str = ""


@dataclass
class SummonsRecordContext:
    """约谈记录: who was summoned, by whom, when and where, what was said and the outcome."""

    subject_unit: str
    principal_name: str
    held: str  # local date and time
    reason: str
    notice_number: str = ""
    place: str = ""
    attendees: str = ""
    content: str = ""
    outcome: str = ""
    officers: list[Officer] = field(default_factory=list)


@dataclass
class OnSiteMeasuresContext:
    """现场处理措施决定书 (built by app.supervision.measures): the facts, the measures decided, their
    legal basis; with the rights notice. At least two officers."""

    officers: list[Officer]
    subject_unit: str
    facts: str
    measures: list[str]
    subject_address: str = ""
    hazard_code: str = ""
    basis: str = ""


@dataclass
class HazardFacts:
    code: str
    title: str
    description: str = ""
    location: str = ""
    source: str = ""  # labels, already translated (自查 / 政府检查 ...)
    nature: str = ""
    level: str = ""
    state: str = ""
    effective_grade: str = ""
    risk_point: str = ""
    hazard_factor: str = ""
    accident_type: str = ""
    reported_by: str = ""
    reported_at: str = ""
    responsible_department: str = ""
    responsible_person: str = ""
    deadline: date | None = None
    measures: str = ""
    rectification: str = ""
    closed_at: str = ""
    production_status: str = ""  # 生产状态 (停产停业 or not)
    accepted_by: str = ""  # 验收人
    accepted_at: str = ""  # 验收时间
    acceptance_opinion: str = ""  # 验收意见


@dataclass
class ListingFacts:
    """A listing (挂牌督办) of the hazard, as the archive prints it."""

    level: str
    authority: str
    state: str
    deadline: date | None = None
    basis: str = ""
    notice_number: str = ""
    delisting_number: str = ""
    decided_at: str = ""
    delisted_at: str = ""


@dataclass
class PlanFacts:
    """The major-hazard treatment plan (治理方案), its six sections and approval."""

    objectives: str = ""  # 治理的目标和任务
    methods: str = ""  # 采取的方法和措施
    funds: str = ""  # 经费和物资的落实
    organisation: str = ""  # 负责治理的机构和人员
    time_requirements: str = ""  # 治理的时限和要求
    deadline: date | None = None
    safety_measures: str = ""  # 安全措施和应急预案
    approved_by: str = ""
    approved_at: str = ""
    # 双报告: to the workers' (representative) congress, and to the authority (through this system)
    workers_congress_reported_on: date | None = None
    workers_congress_how: str = ""
    authority_reported_at: str = ""


@dataclass
class HazardArchiveContext:
    """隐患档案 (一患一档). Service-filled entirely from the hazard when ``{}`` is passed."""

    hazard: HazardFacts
    enterprise_name: str = ""
    plan: PlanFacts | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    photos_before: list[Photo] = field(default_factory=list)
    photos_after: list[Photo] = field(default_factory=list)
    documents: list[DocumentRef] = field(default_factory=list)
    listings: list[ListingFacts] = field(default_factory=list)


@dataclass
class DishonestyNoticeContext:
    """列入安全生产严重失信主体名单决定书 (built by app.credit.notice): the grounds, the period, the
    restriction domains, the entity's rights (objection, credit repair, review)."""

    addressee: str
    subject_name: str  # the enterprise, or its principal (the notice goes to the enterprise)
    condition: str
    penalty_decision: str
    listed_on: str
    period: str  # "3年（至2029年11月30日）", or that the region configures none
    repair: str  # when and how early removal may be applied for
    facts: str = ""
    domains: list[str] = field(default_factory=list)
    notified_on: str = ""


CONTEXTS: dict[str, type] = {
    "rectification_notice": RectificationNoticeContext,
    "rectification_order": RectificationOrderContext,
    "review_opinion": ReviewOpinionContext,
    "supervision_notice": SupervisionNoticeContext,
    "delisting_notice": DelistingNoticeContext,
    "hazard_archive": HazardArchiveContext,
    "inspection_record": InspectionRecordContext,
    "summons_notice": SummonsNoticeContext,
    "summons_record": SummonsRecordContext,
    "onsite_measures": OnSiteMeasuresContext,
    "dishonesty_notice": DishonestyNoticeContext,
}

MIN_OFFICERS = 2


# --- parse / dump ------------------------------------------------------------------------------

def parse(kind: str, data: dict[str, Any]) -> Any:
    """Build the kind's dataclass from plain data; raise ContextError naming every bad field.

    Kinds without a dataclass (risk_card) are passed through as a dict.
    """
    cls = CONTEXTS.get(kind)
    if cls is None:
        return dict(data)
    errors: dict[str, str] = {}
    obj = _build(cls, data, "", errors)
    if obj is not None:
        found: dict[str, str] = {}
        _check(kind, obj, found)
        for key, code in found.items():
            errors.setdefault(key, code)
    if errors:
        raise ContextError(errors)
    return obj


def dump(obj: Any) -> Any:
    """JSON-ready plain data (dates as ISO strings); ``parse(kind, dump(x))`` gives ``x`` back."""
    if dataclasses.is_dataclass(obj):
        return {f.name: dump(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [dump(v) for v in obj]
    if isinstance(obj, dict):
        return {k: dump(v) for k, v in obj.items()}
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def too_long(data: Any, prefix: str = "") -> dict[str, str]:
    """The fields of what a person entered that exceed TEXT_MAX (``{path: "too_long"}``).

    Only input is limited: what the service fills from the database was accepted by the app under the
    same limit, and a document prints it whole (composed lines such as title + description may exceed
    the limit of one field, and long text continues across pages)."""
    found: dict[str, str] = {}
    if isinstance(data, str):
        if len(data) > TEXT_MAX:
            found[prefix.rstrip(".") or "context"] = "too_long"
    elif isinstance(data, dict):
        for key, value in data.items():
            found.update(too_long(value, f"{prefix}{key}."))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            found.update(too_long(value, f"{prefix}{i}."))
    return found


def _check(kind: str, obj: Any, errors: dict[str, str]) -> None:
    if hasattr(obj, "officers"):
        if len(obj.officers) < MIN_OFFICERS:
            errors["officers"] = "too_few"
        for i, officer in enumerate(obj.officers):
            if not officer.name.strip():
                errors[f"officers.{i}.name"] = "required"
            if not officer.certificate_no.strip():
                errors[f"officers.{i}.certificate_no"] = "required"
    if kind in ("rectification_order", "rectification_notice") and not obj.items:
        errors["items"] = "required"
    if kind == "review_opinion" and obj.outcome not in ReviewOpinionContext.OUTCOMES:
        errors["outcome"] = "choice"
    if kind == "review_opinion":
        for i, item in enumerate(obj.items):
            if item.verdict and item.verdict not in ReviewItem.VERDICTS:
                errors[f"items.{i}.verdict"] = "choice"
    if kind == "rectification_notice" and not obj.recipient.strip():
        errors["recipient"] = "required"


def _build(cls: type, data: Any, prefix: str, errors: dict[str, str]) -> Any:
    if not isinstance(data, dict):
        errors[prefix.rstrip(".") or "context"] = "invalid"
        return None
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            errors[prefix + key] = "unknown_field"
    values = {}
    for name, f in names.items():
        path = prefix + name
        if name not in data or data[name] is None:
            has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            if not has_default:
                errors[path] = "required"
            elif name in data and _optional(hints[name]):
                values[name] = None
            continue
        values[name] = _value(hints[name], data[name], path, errors)
    try:
        return cls(**values)
    except TypeError:
        return None


def _optional(tp) -> bool:
    return type(None) in typing.get_args(tp)


def _value(tp, value: Any, path: str, errors: dict[str, str]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _value(inner[0], value, path, errors)
    if origin is list:
        (inner,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            errors[path] = "invalid"
            return []
        return [_value(inner, v, f"{path}.{i}", errors) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        if dataclasses.is_dataclass(value) and isinstance(value, tp):
            value = dump(value)
        return _build(tp, value, path + ".", errors)
    if tp is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            errors[path] = "invalid_date"
            return None
    if tp is bool:
        if isinstance(value, bool):
            return value
        errors[path] = "invalid"
        return False
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        errors[path] = "invalid"
        return 0
    if tp is str:
        if not isinstance(value, str):
            errors[path] = "invalid"
            return ""
        return value
    return value


# --- kinds: titles, templates, versions ------------------------------------------------------------

TITLES = {
    "rectification_notice": "隐患整改通知书",
    "rectification_order": "责令限期整改指令书",
    "review_opinion": "整改复查意见书",
    "supervision_notice": "重大事故隐患挂牌督办通知书",
    "delisting_notice": "解除挂牌督办通知书",
    "hazard_archive": "隐患档案",
    "risk_card": "岗位安全风险告知卡",
    "inspection_record": "现场检查记录",
    "summons_notice": "约谈通知书",
    "summons_record": "约谈记录",
    "onsite_measures": "现场处理措施决定书",
    "dishonesty_notice": "列入安全生产严重失信主体名单决定书",
}

# The template file and its version per kind; bump the version whenever a template's output changes
# (the version is stored with every document, so an old document can still be told apart).
TEMPLATES = {kind: (f"{kind}.html", "2024.1") for kind in TITLES}
# 2026.2: review opinions print one verdict per item (reason, new deadline); tables holding long text
# have a fixed layout.
for _kind in ("review_opinion", "hazard_archive", "rectification_notice", "supervision_notice"):
    TEMPLATES[_kind] = (f"{_kind}.html", "2026.2")
# 2026.3 (all, print.css is shared): the document number on every page, table rows never split and
# headers repeated, the QR code 11 mm from the edges; orders and opinions sign one officer a line with a
# refusal-to-sign line, and no "（此栏不够，可另附页）" under a list that grows across pages.
for _kind in TEMPLATES:
    TEMPLATES[_kind] = (f"{_kind}.html", "2026.3")


def parse_header(data: dict[str, Any]) -> Header:
    errors: dict[str, str] = {}
    header = _build(Header, data, "", errors)
    if errors:
        raise ContextError(errors)
    return header
# 2026.4: the archive prints code names, the acceptance (who, when, opinion), the production status,
# the 双报告 and the listings; the supervision notice its 监管责任人 and 判定依据 from the decision.
for _kind in ("hazard_archive", "supervision_notice"):
    TEMPLATES[_kind] = (f"{_kind}.html", "2026.4")
# 2026.5: the record prints the problems' photos taken on site as thumbnails, numbered by problem.
TEMPLATES["inspection_record"] = ("inspection_record.html", "2026.5")
for _kind in ("summons_notice", "summons_record"):
    TEMPLATES[_kind] = (f"{_kind}.html", "2026.4")
TEMPLATES["onsite_measures"] = ("onsite_measures.html", "2026.4")
