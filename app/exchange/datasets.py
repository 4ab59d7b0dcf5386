"""The seven national datasets of one enterprise, built from the project's own records.

``build(enterprise_id, company_code)`` → ``{dataset: {local id: row}}``, each row in the national field names
and codes (docs/exchange.md has the mapping field by field). Retired or deactivated records come as
``deleted = "1"``; records that no longer exist are turned into deletions by the service (it kept their
last row). One query per table of the enterprise: the push reads everything once and compares.
"""

from __future__ import annotations

import base64
import logging
from datetime import date, datetime

from sqlalchemy import select

from app import storage, thumbnails
from app.auth.models import User
from app.checks.models import CheckRecord, CheckTask
from app.clock import to_local
from app.exchange.models import ExchangeRow
from app.extensions import db
from app.hazards.models import AttachmentKind, Hazard, HazardAttachment, HazardEvent
from app.organisations.models import Department
from app.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskPoint, Suspension
from workflows import exchange as x
from workflows.national_codes import (
    CYCLE_UNIT_NAMES,
    DANGER_SOURCE_CODES,
    DATA_SOURCE_CODES,
    HAZARD_LEVEL_CODES,
    HAZARD_TYPE_CODES,
    MANAGE_TYPE_CODES,
    NATURE_TO_MANAGEMENT_CLASSIFICATION,
    RISK_LEVEL_CODES,
    STATE_TO_DANGER_STATE,
    TASK_TYPE_CODES,
    TASK_TYPE_HAZARD_CATEGORY,
    WORKDAY_TYPE_CODES,
    TaskType,
)

log = logging.getLogger(__name__)
DUTY_CATEGORY = {"principal": "1", "technical": "2", "operator": "3"}


def stamp(value: datetime | date | None) -> str | None:
    """``yyyyMMddHHmmss`` in China time (a date: its first second)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d") + "000000"
    return to_local(value).strftime("%Y%m%d%H%M%S")


def _clock(hhmm: str | None) -> str | None:
    return f"{int(hhmm[:2])}:{hhmm[3:5]}:00" if hhmm else None  # "08:00" → "8:00:00" as the model writes it


class _Builder:
    def __init__(self, enterprise_id: int, company_code: str):
        self.enterprise_id, self.code = enterprise_id, company_code
        self.users = {u.id: u for u in db.session.scalars(select(User).where(User.enterprise_id == enterprise_id))}
        self.departments = dict(db.session.execute(
            select(Department.id, Department.name).where(Department.enterprise_id == enterprise_id)).all())
        self.objects = {o.id: o for o in db.session.scalars(
            select(RiskObject).where(RiskObject.enterprise_id == enterprise_id))}
        self.points = {p.id: p for p in db.session.scalars(
            select(RiskPoint).where(RiskPoint.enterprise_id == enterprise_id))}

    def id(self, dataset: str, local_id: int | None) -> str | None:
        return None if local_id is None else x.row_id(self.code, dataset, local_id)

    def name(self, user_id: int | None) -> str | None:
        user = self.users.get(user_id) if user_id else None
        return user.display_name if user else None

    def phone(self, user_id: int | None) -> str | None:
        user = self.users.get(user_id) if user_id else None
        return (user.phone or None) if user else None

    def common(self, dataset: str, local_id: int, deleted: bool, created_at, created_by=None) -> dict:
        return {"id": self.id(dataset, local_id), "companyCode": self.code, "deleted": "1" if deleted else "0",
                "createDate": stamp(created_at), "createBy": self.name(created_by) or "system",
                "updateDate": stamp(created_at), "updateBy": "system"}

    def hazard_code(self, point_id: int | None) -> str | None:
        point = self.points.get(point_id)
        obj = self.objects.get(point.object_id) if point is not None and point.object_id else None
        return obj.hazard_source_code if obj is not None else None

    def point_retired(self, point_id: int | None) -> bool:
        point = self.points.get(point_id)
        return point is None or point.status == "retired" or (
            point.object_id is not None and self.objects[point.object_id].status == "retired")

    # --- the datasets ------------------------------------------------------------------------------

    def units(self) -> dict[int, dict]:
        return {p.id: {**self.common(x.UNIT, p.id, self.point_retired(p.id), p.created_at),
                       "hazardCode": self.hazard_code(p.id),
                       "hazardDep": self.departments.get(p.responsible_department_id),
                       "hazardLiablePerson": self.name(p.responsible_user_id),
                       "riskUnitName": p.name}
                for p in self.points.values()}

    def events(self) -> dict[int, dict]:
        rows = db.session.scalars(select(RiskEvent).where(RiskEvent.enterprise_id == self.enterprise_id))
        return {e.id: {**self.common(x.EVENT, e.id, self.point_retired(e.risk_point_id), e.created_at),
                       "riskUnitId": self.id(x.UNIT, e.risk_point_id), "riskEventName": e.name,
                       "riskDescription": e.description or None,
                       "initialRiskLevel": RISK_LEVEL_CODES.get(e.initial_grade) if e.initial_grade else None,
                       "currentRiskLevel": RISK_LEVEL_CODES.get(e.current_grade) if e.current_grade else None}
                for e in rows}

    def measures(self) -> dict[int, dict]:
        rows = db.session.scalars(select(ControlMeasure).where(ControlMeasure.enterprise_id == self.enterprise_id))
        return {m.id: {**self.common(x.MEASURE, m.id, not m.active or self.point_retired(m.risk_point_id),
                                     m.created_at),
                       "riskEventId": self.id(x.EVENT, m.event_id), "dataSrc": DATA_SOURCE_CODES[m.data_source],
                       "riskMeasureDesc": m.description, "classify1": m.classify1, "classify2": m.classify2,
                       "classify3": m.classify3 or None, "troubleshootContent": m.check_content or None}
                for m in rows}

    def tasks(self, measures: dict[int, dict]) -> dict[int, dict]:
        rows = db.session.scalars(select(CheckTask).where(CheckTask.enterprise_id == self.enterprise_id))
        out = {}
        for t in rows:
            measure = measures.get(t.measure_id) or {}
            hourly = t.cycle_unit == "hour"
            routine = TaskType(t.task_type) is TaskType.routine
            out[t.id] = {**self.common(x.TASK, t.id, (not t.active or x.is_deleted(measure)) if measure else True,
                                       t.created_at, t.created_by_id),
                         "riskMeasureId": self.id(x.MEASURE, t.measure_id),
                         "troubleshootContent": measure.get("troubleshootContent") or measure.get("riskMeasureDesc"),
                         "checkCycle": t.cycle, "checkCycleUnit": CYCLE_UNIT_NAMES[t.cycle_unit],
                         "taskStartTime": stamp(t.starts_at),
                         "workStartTime": _clock(t.work_start) if hourly else None,
                         "workEndTime": _clock(t.work_end) if hourly else None,
                         "workDayType": WORKDAY_TYPE_CODES[t.workday_type],
                         "workType": TASK_TYPE_CODES[TaskType(t.task_type)],
                         "taskNum": None if routine else t.task_number}
        return out

    def records(self) -> dict[int, dict]:
        """Records are written once and never change or go (a check is a fact): only those the ledger does
        not hold yet are read, so the history is not read again at every push. An anti-join, not "ids
        above the last one": on PostgreSQL a record may commit after one with a higher id was pushed."""
        known = select(ExchangeRow.id).where(ExchangeRow.enterprise_id == self.enterprise_id,
                                             ExchangeRow.dataset == x.RECORD, ExchangeRow.local_id == CheckRecord.id)
        rows = db.session.execute(select(CheckRecord, CheckTask.task_type).join(CheckTask)
                                  .where(CheckRecord.enterprise_id == self.enterprise_id, ~known.exists()))
        return {r.id: {**self.common(x.RECORD, r.id, False, r.recorded_at, r.checker_id),
                       "checkTaskId": self.id(x.TASK, r.task_id), "checkTime": stamp(r.recorded_at),
                       "checkStatus": "0" if r.result == "normal" else "1", "mobileMe": r.device_id,
                       "isDefend": "0" if TaskType(task_type) is TaskType.routine else "1",
                       "createByMobile": self.phone(r.checker_id), "updateByMobile": self.phone(r.checker_id),
                       "checker": self.name(r.checker_id), "checkerPhoneNo": self.phone(r.checker_id)}
                for r, task_type in rows}

    def hazards(self) -> dict[int, dict]:
        rows = list(db.session.scalars(select(Hazard).where(Hazard.enterprise_id == self.enterprise_id,
                                                            Hazard.state != "reported")))
        accepted_by = dict(db.session.execute(
            select(HazardEvent.hazard_id, HazardEvent.actor_id)
            .where(HazardEvent.hazard_id.in_([h.id for h in rows if h.state == "closed"]),
                   HazardEvent.trigger == "accept").order_by(HazardEvent.seq)).all())
        photos = self.photos([h.id for h in rows])
        out = {}
        for h in rows:
            point = self.points.get(h.risk_point_id)
            obj = self.objects.get(point.object_id) if point is not None and point.object_id else None
            role = obj.duty_role_of(h.reported_by_id) if obj is not None and h.reported_by_duty else None
            closed = h.state == "closed"
            out[h.id] = {**self.common(x.HAZARD, h.id, h.state == "voided", h.created_at, h.reported_by_id),
                         "hazardCode": self.hazard_code(h.risk_point_id),
                         "riskMeasureId": self.id(x.MEASURE, h.control_measure_id),
                         "checkRecordId": self.id(x.RECORD, h.check_record_id),
                         "dangerName": h.title, "dangerLevel": HAZARD_LEVEL_CODES.get(h.level) if h.level else None,
                         "registTime": stamp(h.created_at), "registrant": self.name(h.reported_by_id),
                         "dangerSrc": DANGER_SOURCE_CODES[h.danger_source], "enforcementId": h.enforcement_number,
                         "dangerManageType": MANAGE_TYPE_CODES[h.manage_type],
                         "hazardDangerType": HAZARD_TYPE_CODES[h.hazard_type],
                         "hazardCategory": DUTY_CATEGORY.get(role, TASK_TYPE_HAZARD_CATEGORY[TaskType.routine]),
                         "dangerDesc": h.description or h.title, "dangerReason": None,
                         "controlMeasures": h.measures or None,
                         "liablePerson": self.name(h.responsible_user_id),
                         "dangerManageDeadline": stamp(h.deadline or (h.closed_at if closed else None)),
                         "checkAcceptPerson": self.name(accepted_by.get(h.id)) if closed else None,
                         "checkAcceptTime": stamp(h.closed_at) if closed else None,
                         "dangerState": STATE_TO_DANGER_STATE.get(h.state),
                         "managementClassification": NATURE_TO_MANAGEMENT_CLASSIFICATION.get(h.nature)
                         if h.nature else None,
                         **photos.get(h.id, {})}
        return out

    def photos(self, hazard_ids: list[int]) -> dict[int, dict[str, str]]:
        """``attachments1`` ← the first photo before rectification, ``attachments2`` ← the first after it,
        ``attachments3`` ← the next photo of the hazard (a further one of either, or a photographed
        document): references to the stored files, encoded when sent (``with_images``). PDFs are not
        images and are not sent."""
        rows = db.session.execute(select(HazardAttachment.hazard_id, HazardAttachment.kind, HazardAttachment.sha256)
                                  .where(HazardAttachment.hazard_id.in_(hazard_ids),
                                         HazardAttachment.mime.like("image/%"))
                                  .order_by(HazardAttachment.id)).all()
        out: dict[int, dict[str, str]] = {}
        for hazard_id, kind, digest in rows:
            fields = out.setdefault(hazard_id, {})
            first = {AttachmentKind.before: "attachments1", AttachmentKind.after: "attachments2"}.get(kind)
            name = first if first and first not in fields else "attachments3"
            fields.setdefault(name, f"sha256:{digest}")
        return out

    def suspensions(self) -> dict[int, dict]:
        rows = db.session.scalars(select(Suspension).where(Suspension.enterprise_id == self.enterprise_id))
        out = {}
        for s in rows:
            obj = self.objects.get(s.object_id) if s.object_id else None
            out[s.id] = {**self.common(x.SUSPENSION, s.id, False, s.created_at, s.created_by_id),
                         "hazardCode": obj.hazard_source_code if obj is not None else self.hazard_code(s.risk_point_id),
                         "riskUnitId": self.id(x.UNIT, s.risk_point_id),
                         "stopStartTime": stamp(s.starts_at), "stopEndTime": stamp(s.ends_at),
                         "stopReason": s.reason}
        return out


def build(enterprise_id: int, company_code: str) -> dict[str, dict[int, dict]]:
    """Every row of the six registers, and the check records the ledger does not hold yet (append-only)."""
    b = _Builder(enterprise_id, company_code)
    measures = b.measures()
    tasks = b.tasks(measures)
    return {x.UNIT: b.units(), x.EVENT: b.events(), x.MEASURE: measures, x.TASK: tasks,
            x.RECORD: b.records(), x.HAZARD: b.hazards(), x.SUSPENSION: b.suspensions()}


def with_images(dataset: str, row: dict) -> dict:
    """The row as sent: its photo references replaced by the Base64 of the photo (national-model.md §2:
    PNG/JPEG, at most 5 MB). Another image format, or a larger photo, goes as its JPEG screen copy
    (1 280 px, no metadata); a stored file missing or altered goes without (logged by ``storage``)."""
    names = [n for n in x.IMAGE_FIELDS.get(dataset, ()) if str(row.get(n) or "").startswith("sha256:")]
    if not names:
        return row
    row = dict(row)
    for name in names:
        digest = row[name].removeprefix("sha256:")
        try:
            data = storage.load(digest)
            if not x.sendable_image(data):
                data = thumbnails.derived(digest, "screen")
        except (storage.FileUnavailable, OSError, ValueError):
            log.warning("exchange: photo %s of hazard row %s unavailable, sent without it", digest, row.get("id"))
            row[name] = None
            continue
        row[name] = base64.b64encode(data).decode()
    return row
