"""Scheduled hidden-hazard checks (隐患排查任务 and 隐患排查记录, national-model.md §2) and the working-day
calendar (docs/calendar.md).

Windows are **computed, not stored** (docs/checks.md "Windows stored or computed"): a task's definition
determines its windows (workflows/check_windows.py); a record names the window it belongs to
(``window_start``/``window_end``), one record per window. Every datetime column is naive UTC
(app/clock.py); the core works in China Standard Time (``from_utc``/``to_utc``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Department, enum_column
from workflows.check_tasks import CheckSchedule, CycleUnit, WorkdayType, from_utc, parse_clock
from workflows.grading import ControlLevel
from workflows.national_codes import TaskType


class CheckResult(enum.StrEnum):
    normal = "normal"  # 正常: nothing found (the record is kept all the same)
    abnormal = "abnormal"  # 异常: a hazard is reported in the same action


class CheckTask(db.Model):
    """A 隐患排查任务 of one control measure (``sec_hidden_check_mission``).

    Assigned to one user, or to a department (anyone in it or below it may record; ``control_level``
    says at which level of graded control the department checks). ``ends_at`` is set when the task is
    deactivated: no window starts after it. The definition is otherwise fixed once created (a change of
    schedule is a new task), so the windows of the past never move.
    """

    __tablename__ = "check_tasks"
    __table_args__ = (
        CheckConstraint("cycle > 0", name="cycle_positive"),
        CheckConstraint("(assignee_user_id IS NULL) <> (assignee_department_id IS NULL)",
                        name="one_assignee"),
        Index("ix_check_tasks_enterprise_active", "enterprise_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("control_measures.id"), index=True)
    # The measure's unit, kept here so that lists and figures per unit need no join.
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    cycle_unit: Mapped[CycleUnit] = enum_column(CycleUnit)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]  # deactivation
    workday_type: Mapped[WorkdayType] = enum_column(WorkdayType, default=WorkdayType.every_day)
    work_start: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", hourly tasks
    work_end: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" (may be "24:00")
    task_type: Mapped[TaskType] = enum_column(TaskType, default=TaskType.routine)
    task_number: Mapped[int | None] = mapped_column(Integer)  # item of the national 包保 task list
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    control_level: Mapped[ControlLevel | None] = enum_column(ControlLevel, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    assignee_user: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id])
    assignee_department: Mapped[Department | None] = relationship()
    measure = relationship("ControlMeasure")
    risk_point = relationship("RiskPoint")

    @property
    def schedule(self) -> CheckSchedule:
        return schedule_of(self.cycle, self.cycle_unit, self.starts_at, self.workday_type, self.work_start,
                           self.work_end, self.ends_at)


def schedule_of(cycle, cycle_unit, starts_at, workday_type, work_start, work_end, ends_at) -> CheckSchedule:
    """The core's schedule (CST) of a task's stored columns (UTC); also used on plain rows."""
    hourly = CycleUnit(cycle_unit) is CycleUnit.hour
    return CheckSchedule(int(cycle), CycleUnit(cycle_unit), from_utc(starts_at),
                         WorkdayType(workday_type or WorkdayType.every_day),
                         parse_clock(work_start) if hourly and work_start else None,
                         parse_clock(work_end, end=True) if hourly and work_end else None,
                         from_utc(ends_at) if ends_at is not None else None)


class CheckRecord(db.Model):
    """One check (隐患排查记录, ``sec_hidden_check_record``): one per window of a task, also when nothing
    was found. ``recorded_at`` is the server's time; ``late`` when it came after the window closed.
    ``client_id``: the client's idempotency key (a double tap records once)."""

    __tablename__ = "check_records"
    __table_args__ = (
        UniqueConstraint("task_id", "window_start", name="uq_check_records_task_window"),
        UniqueConstraint("task_id", "client_id", name="uq_check_records_task_client"),
        # Figures count an enterprise's (or a region's) records by the end of their window.
        Index("ix_check_records_enterprise_window_end", "enterprise_id", "window_end", "task_id", "late"),
        Index("ix_check_records_task_window_end", "task_id", "window_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("check_tasks.id"))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    checker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    result: Mapped[CheckResult] = enum_column(CheckResult)
    note: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    device_id: Mapped[str | None] = mapped_column(String(128))  # the national mobileMe (IMEI or similar)
    client_id: Mapped[str | None] = mapped_column(String(100))
    via_qr: Mapped[bool] = mapped_column(Boolean, default=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)

    task: Mapped[CheckTask] = relationship()
    checker: Mapped[User] = relationship()
    photos: Mapped[list[CheckPhoto]] = relationship(order_by="CheckPhoto.id", back_populates="record")


class CheckPhoto(db.Model):
    """A photo of a check, stored content-addressed by app/storage (checked by content on upload)."""

    __tablename__ = "check_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("check_records.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[CheckRecord] = relationship(CheckRecord, back_populates="photos")


class CheckScanState(db.Model):
    """The scan's watermark: windows that closed before ``scanned_until`` have been looked at (their
    missed ones reminded). One row; reminders are keyed per window, so a rerun never repeats one."""

    __tablename__ = "check_scan_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    scanned_until: Mapped[datetime]


class WorkCalendarYear(db.Model):
    """One year of the statutory calendar (法定节假日与调休): the State Council notice, in the import format
    of workflows/work_calendar.py (``body``), with its citation. Seeded by the migration from the verified
    calendars shipped in workflows/holidays_cn.py; the admin imports, replaces or removes years."""

    __tablename__ = "work_calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(String(100))
    issued: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
