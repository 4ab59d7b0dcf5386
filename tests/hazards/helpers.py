"""Drive hazards through the real service, for tests of any feature.

    from tests.hazards.helpers import make_hazard
    h = make_hazard(world, state="pending_review", level="major", source="government_inspection")

Every step is a real trigger (events, hash chain, signals); the session is committed at the end.
Defaults: enterprise a of the ``world`` fixture, reported by its staff; self-found hazards are handled
by the enterprise's manager, government-found ones by ``world.users.inspector`` (county_a authority,
so government-found hazards of another enterprise need an inspector who sees it: pass none there).
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from app import clock
from app.clock import today
from app.extensions import db
from app.hazards import service
from app.hazards.models import Hazard


def jpeg_bytes(colour=(200, 40, 40), size=(64, 48), taken_at: datetime | None = None,
               gps: tuple[float, float] | None = None) -> bytes:
    """A real JPEG made with Pillow, optionally with EXIF capture time and GPS position."""
    from PIL import Image

    img = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if taken_at is not None:
        exif[0x0132] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
        exif.get_ifd(0x8769)[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    if gps is not None:
        def dms(value):
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 2)
            return (d, m, s)
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N" if gps[0] >= 0 else "S"
        gps_ifd[2] = dms(gps[0])
        gps_ifd[3] = "E" if gps[1] >= 0 else "W"
        gps_ifd[4] = dms(gps[1])
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


PLAN = {
    "goal": "消除储罐区泄漏风险", "measures": "更换法兰垫片，增设可燃气体报警", "funds": "专项资金5万元",
    "organisation": "设备部牵头，安全部配合", "time_requirements": "30日内完成并验收",
    "safety_and_emergency": "作业期间设警戒区，现场配备应急器材，执行泄漏应急预案",
    "workers_congress_how": "职工代表大会通报",
}


def user_of(enterprise, role: str):
    """The first active user with ``role`` in ``enterprise`` (tests create one of each)."""
    from app.auth.models import User

    return db.session.scalars(db.select(User).where(User.enterprise_id == enterprise.id, User.role == role,
                                                   User.active.is_(True)).order_by(User.id)).first()


def approve_plan(world, hazard: Hazard) -> None:
    service.save_plan(hazard.id, user_of(hazard.enterprise, "enterprise_manager"),
                      workers_congress_reported_on=today(), **PLAN)
    service.approve_plan(hazard.id, user_of(hazard.enterprise, "enterprise_principal"))


def _reviewer(world, hazard: Hazard):
    from app.hazards.policy import reviewer_is_government

    if reviewer_is_government(hazard):
        return world.users.inspector
    return user_of(hazard.enterprise, "enterprise_manager")


def make_hazard(world, state: str = "reported", *, level: str = "general", source: str = "self_inspection",
                enterprise=None, reporter=None, deadline: date | None = None, title: str = "储罐区法兰泄漏",
                responsible=None, risk_point=None, commit: bool = True) -> Hazard:
    """A hazard in ``state`` (reported, rectifying, pending_review, closed, voided), via the service.

    ``deadline`` may be in the past (an overdue hazard): a confirmed hazard is then recorded as of 30 days
    before it (the clock shifted, so that the history sets it, as ``audit verify`` checks); a reported
    one records it with the report. Government-found hazards are recorded by ``world.users.inspector``.
    """
    if deadline is not None and state not in ("reported", "voided"):
        with clock.shifted(deadline - timedelta(days=30) - today()):
            hazard = make_hazard(world, state, level=level, source=source, enterprise=enterprise,
                                 reporter=reporter, title=title, responsible=responsible,
                                 risk_point=risk_point, commit=False)
        if commit:
            db.session.commit()
        return db.session.get(Hazard, hazard.id)
    u = world.users
    enterprise = enterprise or world.enterprises.a
    gov = source == "government_inspection"
    staff = u.staff if enterprise.id == world.enterprises.a.id else user_of(enterprise, "enterprise_staff")
    reporter = reporter or (u.inspector if gov else staff)
    confirmer = u.inspector if gov else user_of(enterprise, "enterprise_manager")
    responsible = responsible or staff
    hazard = service.create_hazard(reporter, enterprise=enterprise, title=title, description="现场发现",
                                   location="储罐区", source=source, risk_point=risk_point, deadline=deadline,
                                   attachments=[("before", "before.jpg", jpeg_bytes())])
    if state == "voided":
        service.fire(hazard.id, "void", confirmer, reason="重复上报")
    elif state != "reported":
        if level == "major":
            approve_plan(world, hazard)
        service.fire(hazard.id, "confirm", confirmer, level=level, deadline=today() + timedelta(days=30),
                     responsible_user_id=responsible.id, measures="更换垫片")
        if state in ("pending_review", "closed"):
            # The responsible person submits, so the manager (or inspector) may review.
            service.add_attachment(hazard.id, responsible, kind="after", filename="after.jpg",
                                   data=jpeg_bytes((40, 200, 40)))
            service.fire(hazard.id, "submit", responsible, rectification="已更换垫片")
        if state == "closed":
            service.fire(hazard.id, "accept", _reviewer(world, hazard), comment="合格")
    if commit:
        db.session.commit()
    return db.session.get(Hazard, hazard.id)


def reviewer_for(world, hazard: Hazard):
    """A user who may accept/reject ``hazard`` (the manager for self-found general, else the inspector)."""
    return _reviewer(world, hazard)
