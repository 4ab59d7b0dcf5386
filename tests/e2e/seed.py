"""Set-up through the services (not the browser) for steps another journey already covers in the UI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.e2e.files import jpeg_photo

PLAN = {
    "goal": "消除隐患，恢复安全运行。", "measures": "停车检修，更换失效设备。", "funds": "专项经费 8 万元。",
    "organisation": "设备部牵头，安全环保部配合。", "time_requirements": "30 日内完成。",
    "safety_and_emergency": "检修期间停产，落实应急预案。",
}


def _user(username: str):
    from app.auth.models import User
    from app.extensions import db

    return db.session.scalar(select(User).where(User.username == username))


def confirmed_major_hazard(live, tmp_path: Path, title: str, enterprise_key: str = "jiangfeng") -> dict:
    """A major hazard reported, planned, approved by the principal and confirmed (what the manager's
    journey does in the browser). Returns its id, code and title."""

    def make():
        from app.clock import today
        from app.extensions import db
        from app.hazards import service

        manager, principal = _user(f"{enterprise_key}_manager"), _user(f"{enterprise_key}_principal")
        photo = jpeg_photo(tmp_path / "major-before.jpg").read_bytes()
        hazard = service.create_hazard(manager, enterprise=manager.enterprise, title=title,
                                       location="液氯钢瓶库", attachments=[("before", "before.jpg", photo)])
        db.session.flush()
        service.save_plan(hazard.id, manager, **PLAN, workers_congress_reported_on=today().isoformat(),
                          workers_congress_how="职代会书面报告")
        service.approve_plan(hazard.id, principal)
        service.fire(hazard.id, "confirm", manager, level="major", deadline=today() + timedelta(days=30),
                     responsible_user_id=_user(f"{enterprise_key}_staff").id, measures="更换报警器并联调。")
        db.session.commit()
        return {"id": hazard.id, "code": hazard.code, "title": hazard.title}

    return live.run(make)


def submit_rectification(live, tmp_path: Path, hazard_id: int, username: str = "jiangfeng_manager") -> None:
    """The enterprise submits the rectification with an "after" photo (UI covered by the manager's journey)."""

    def submit():
        from app.extensions import db
        from app.hazards import service

        actor = _user(username)
        photo = jpeg_photo(tmp_path / f"after-{hazard_id}.jpg", colour=(40, 160, 60)).read_bytes()
        service.add_attachment(hazard_id, actor, kind="after", filename="after.jpg", data=photo)
        service.fire(hazard_id, "submit", actor, rectification="已整改完毕，经测试合格。")
        db.session.commit()

    live.run(submit)
