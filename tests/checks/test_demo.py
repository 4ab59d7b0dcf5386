"""The demo's chlorine tank farm: tasks of several cycles, the three 包保 persons' duties, four weeks of
history with misses, lates and one abnormal check that became a hazard — as each role sees it."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.checks.models import CheckRecord, CheckTask
from app.extensions import db
from app.hazards.models import Hazard
from app.risks.models import RiskObject


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_the_tank_farm_is_checked_on_schedule_with_duties_and_history(demo_session):
    source = db.session.scalar(select(RiskObject).where(RiskObject.name == "液氯储罐区"))
    assert source is not None and source.major_hazard_level is not None
    tasks = db.session.scalars(select(CheckTask).where(CheckTask.enterprise_id == source.enterprise_id)).all()
    assert {t.cycle_unit.value for t in tasks} >= {"hour", "day", "week", "month"}
    assert {t.task_type.value for t in tasks} == {"routine", "principal", "technical", "operator"}
    records = db.session.scalars(select(CheckRecord).where(CheckRecord.enterprise_id == source.enterprise_id)).all()
    assert any(r.late for r in records) and any(r.via_qr for r in records)
    [abnormal] = [r for r in records if r.result.value == "abnormal"]
    hazard = db.session.get(Hazard, abnormal.hazard_id)
    assert "法兰" in hazard.description and hazard.check_record_id == abnormal.id
    assert hazard.reported_by_duty is True  # the 罐区主任 is the source's 操作负责人


def test_roles_see_the_demo_figures(demo_client, demo_session):
    from tests.conftest import login

    login(demo_client, _user("jiangfeng_manager"))
    from app import clock

    today = clock.today()
    page = demo_client.get(f"/checks/stats?from={today.replace(day=1, month=1, year=today.year - 1)}&to={today}"
                           ).get_data(as_text=True)
    planned = int(page.split('id="fig-planned">')[1].split("<")[0])
    missed = int(page.split('id="fig-missed">')[1].split("<")[0])
    late = int(page.split('id="fig-late">')[1].split("<")[0])
    assert planned > 100 and 0 < missed < planned / 5 and late > 0
    duties = demo_client.get("/checks/duties").get_data(as_text=True)
    assert "江丰总工程师" in duties and "罐区主任" in duties
    login(demo_client, _user("sr_supervisor"))  # the city's authority: the same source, region-scoped
    assert "液氯储罐区" in demo_client.get("/checks/duties").get_data(as_text=True)
    login(demo_client, _user("jiangfeng_operator"))
    assert demo_client.get("/checks/").status_code == 200
