"""The hazard register's query: filters on indexed columns, newest first, pages without a full COUNT.

Shared by the web register and ``GET /api/v1/hazards`` so both filter the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, not_, or_, select

from app import policy
from app.clock import LOCAL_TZ, today
from app.extensions import db
from app.hazards.models import Hazard
from app.risks.models import RiskPoint
from workflows.grades import Grade
from workflows.hazard_states import OPEN_STATES, HazardLevel

# Counting stops here: beyond it the register says "more than 10 000" (a COUNT over a large
# filtered table costs more than the page itself).
COUNT_CAP = 10_000


def overdue_condition(on_day: date | None = None):
    return and_(Hazard.state.in_(list(OPEN_STATES)), Hazard.deadline < (on_day or today()))


def grade_condition(grade: Grade):
    """Effective grade = stricter of the risk point's grade and the level's (major → red)."""
    point_has = Hazard.risk_point_id.in_(select(RiskPoint.id).where(RiskPoint.assessed_grade == grade))
    if grade == Grade.red:
        return or_(Hazard.level == HazardLevel.major, point_has)
    return and_(or_(Hazard.level.is_(None), Hazard.level != HazardLevel.major), point_has)


def _local_day_start(day: date) -> datetime:
    """A local (China) calendar day's start as naive UTC, the way created_at is stored."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def register_query(user, *, state=None, level=None, grade=None, overdue=None, department_id=None,
                   date_from: date | None = None, date_to: date | None = None, enterprise_id=None,
                   q: str | None = None) -> Select:
    stmt = policy.visible(Hazard, user)
    if state:
        stmt = stmt.where(Hazard.state == state)
    if level:
        stmt = stmt.where(Hazard.level == level)
    if grade:
        stmt = stmt.where(grade_condition(Grade(grade)))
    if overdue is True:
        stmt = stmt.where(overdue_condition())
    elif overdue is False:
        stmt = stmt.where(not_(overdue_condition()) | Hazard.deadline.is_(None))
    if department_id:
        stmt = stmt.where(Hazard.responsible_department_id == department_id)
    if enterprise_id:
        stmt = stmt.where(Hazard.enterprise_id == enterprise_id)
    if date_from:
        stmt = stmt.where(Hazard.created_at >= _local_day_start(date_from))
    if date_to:
        stmt = stmt.where(Hazard.created_at < _local_day_start(date_to + timedelta(days=1)))
    if q:
        like = f"%{q.strip()[:100]}%"
        stmt = stmt.where(or_(Hazard.title.ilike(like), Hazard.code.ilike(like), Hazard.location.ilike(like)))
    return stmt


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int  # capped at COUNT_CAP
    total_capped: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def paginate(stmt: Select, page: int = 1, per_page: int = 50) -> Page:
    page, per_page = max(page, 1), max(1, min(per_page, 200))
    items = db.session.scalars(stmt.order_by(Hazard.id.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).all()
    counted = stmt.with_only_columns(Hazard.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    return Page(items=list(items), page=page, per_page=per_page, total=min(total, COUNT_CAP), total_capped=capped)
