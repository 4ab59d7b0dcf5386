"""包保: generating a major hazard source's duty tasks from the templates, and the 履职 view — for the
enterprise and for the authority of its region — with hand-counted figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app import clock
from app.checks import duties, service
from app.checks.duties import DutyTask
from app.checks.models import CheckTask
from app.extensions import db
from tests.conftest import login


def at(m, d, hh=9, mm=0):
    return clock.local_moment(datetime(2026, m, d).date(), hh, mm)


def _number_the_seeded_items(world):
    duties.seed_defaults()
    technical = duties.templates()[1]
    for n, item in enumerate(technical.items, start=1):
        duties.update_item(world.users.admin, item.id, number=n, content=item.content, cycle=item.cycle,
                           cycle_unit=item.cycle_unit, before_holidays=item.before_holidays,
                           lead_days=item.lead_days, citation=item.citation)
    db.session.commit()


def test_generation_needs_numbered_duties_then_adds_only_what_is_missing(world, client, tank_farm):
    duties.seed_defaults()
    db.session.commit()
    login(client, world.users.manager)
    with clock.moved_to(at(9, 10)):
        refused = client.post(f"/checks/duties/{tank_farm.object.id}/generate", follow_redirects=True)
        assert "全国包保任务清单中的序号" in refused.get_data(as_text=True)
        assert db.session.scalar(select(db.func.count()).select_from(DutyTask)) == 0
        _number_the_seeded_items(world)
        client.post(f"/checks/duties/{tank_farm.object.id}/generate")
        made = db.session.scalars(select(CheckTask).where(CheckTask.task_type != "routine")
                                  .order_by(CheckTask.id)).all()
        # The quarterly duty on each of the 3 measures checked by people, from 1 July (the calendar
        # quarter); the before-holiday duty per measure for 中秋节 (25 Sep) and 国庆节 (1 Oct) 2026.
        assert len(made) == 3 + 2 * 3
        assert {(t.task_type.value, t.assignee_user_id) for t in made} == {("technical", world.users.manager.id)}
        quarterly = [t for t in made if t.cycle_unit.value == "month"]
        assert [(t.cycle, clock.to_local(t.starts_at).date().isoformat()) for t in quarterly] == \
            [(3, "2026-07-01")] * 3
        once = sorted({(clock.to_local(t.starts_at).date().isoformat(), clock.to_local(t.ends_at).date().isoformat())
                       for t in made if t.ends_at is not None})
        assert once == [("2026-09-18", "2026-09-25"), ("2026-09-24", "2026-10-01")]
        client.post(f"/checks/duties/{tank_farm.object.id}/generate")  # again: nothing new
    assert db.session.scalar(select(db.func.count()).select_from(CheckTask).where(
        CheckTask.task_type != "routine")) == 9


def _technical_history(world, tank_farm):
    """Q3 window done for measure 0 (15 Sep); 中秋 windows done for measures 0 and 1 (20 Sep); 国庆 window
    done for measure 0 (28 Sep). As of 5 October, for 1 July – 5 October: 9 planned, 4 done, 5 missed."""
    _number_the_seeded_items(world)
    with clock.moved_to(at(9, 10)):
        duties.generate(world.users.manager, tank_farm.object.id)
        db.session.commit()
    tasks = db.session.scalars(select(CheckTask).where(CheckTask.task_type == "technical")).all()

    def task(measure, kind):
        for t in tasks:
            if t.measure_id != tank_farm.measures[measure].id:
                continue
            start = clock.to_local(t.starts_at).date().isoformat()
            if (kind, start) in (("q", "2026-07-01"), ("mid", "2026-09-18"), ("nat", "2026-09-24")):
                return t
        raise AssertionError(kind)

    manager = world.users.manager
    with clock.moved_to(at(9, 15)):
        service.record_check(manager, task(0, "q").id, result="normal")
    with clock.moved_to(at(9, 20)):
        service.record_check(manager, task(0, "mid").id, result="normal")
        service.record_check(manager, task(1, "mid").id, result="normal")
    with clock.moved_to(at(9, 28)):
        service.record_check(manager, task(0, "nat").id, result="normal")
    from app.hazards import service as hazards

    with clock.moved_to(at(9, 29)):  # the principal registers a hazard on the source: the 包保 flag
        hazards.create_hazard(world.users.principal, enterprise=world.enterprises.a, title="罐区围堰破损",
                              risk_point_id=tank_farm.point.id)
    db.session.commit()


def test_the_enterprise_and_the_authority_see_each_persons_duty_figures(world, client, tank_farm):
    _technical_history(world, tank_farm)
    url = "/checks/duties?from=2026-07-01&to=2026-10-05"
    for viewer in (world.users.manager, world.users.inspector, world.users.city_supervisor):
        login(client, viewer)
        with clock.moved_to(at(10, 5, 10)):
            page = client.get(url).get_data(as_text=True)
        assert "液氯储罐区（重大危险源）" in page
        row = page[page.index(f'id="duty-technical-{world.users.manager.id}"'):]
        row = row[:row.index("</tr>")]
        cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
        assert cells == ["9", "4", "0", "5", "44.4%", "0"]
        principal = page[page.index(f'id="duty-principal-{world.users.principal.id}"'):]
        principal = principal[:principal.index("</tr>")]
        assert [c.split("</td>")[0] for c in principal.split('<td class="num">')[1:]] == \
            ["0", "0", "0", "0", "—", "1"]
    login(client, world.users.inspector_b)  # another county
    with clock.moved_to(at(10, 5, 10)):
        assert "液氯储罐区" not in client.get(url).get_data(as_text=True)
        assert client.get(f"/checks/duties/{tank_farm.object.id}").status_code == 404


def test_duty_permissions(world, client, tank_farm):
    duties.seed_defaults()
    db.session.commit()
    login(client, world.users.staff)
    assert client.get("/checks/duties").status_code == 403
    assert client.post(f"/checks/duties/{tank_farm.object.id}/generate").status_code == 403
    login(client, world.users.manager_b)
    assert client.post(f"/checks/duties/{tank_farm.object.id}/generate").status_code == 404
    login(client, world.users.inspector)
    assert client.post(f"/checks/duties/{tank_farm.object.id}/generate").status_code == 403


def _duty_row(page: str, role: str, user_id: int) -> list[str]:
    row = page[page.index(f'id="duty-{role}-{user_id}"'):]
    row = row[:row.index("</tr>")]
    return [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]


def test_a_replaced_person_keeps_his_past_and_the_new_one_takes_the_duties_from_then(world, client, tank_farm):
    from app.risks import objects

    _technical_history(world, tank_farm)
    u = world.users
    quarterly = {t.measure_id: t for t in db.session.scalars(select(CheckTask).where(
        CheckTask.task_type == "technical", CheckTask.cycle_unit == "month"))}
    with clock.moved_to(at(10, 5)):  # the Q4 window of measure 0 done by the former person already
        service.record_check(u.manager, quarterly[tank_farm.measures[0].id].id, result="normal")
        db.session.commit()
    with clock.moved_to(at(10, 10)):
        objects.update_object(u.manager, tank_farm.object.id, technical_user_id=u.staff.id)
        db.session.commit()
    now_theirs = db.session.scalars(select(CheckTask).where(
        CheckTask.task_type == "technical", CheckTask.active.is_(True), CheckTask.cycle_unit == "month")
        .order_by(CheckTask.measure_id)).all()
    # One quarterly task per measure now the new person's: from the open Q4 window (1 October), but
    # from the next quarter where the former person had already done this one.
    assert [(t.assignee_user_id, clock.to_local(t.starts_at).date().isoformat()) for t in now_theirs] == [
        (u.staff.id, "2027-01-01"), (u.staff.id, "2026-10-01"), (u.staff.id, "2026-10-01")]
    assert all(t.id in {d.task_id for d in db.session.scalars(select(DutyTask))} for t in now_theirs)
    login(client, u.manager)
    with clock.moved_to(at(10, 10, 10)):
        page = client.get("/checks/duties?from=2026-07-01&to=2026-10-05").get_data(as_text=True)
        # The former person's figures before the change stay his (as before the change).
        assert _duty_row(page, "technical", u.manager.id) == ["9", "4", "0", "5", "44.4%", "0"]
    from app.checks import queries

    with clock.moved_to(at(10, 10, 10)):
        mine = queries.windows_for(u.manager, assignee="me", state="due")
        theirs = queries.windows_for(u.staff, assignee="me", state="due")
    moved = {t.id for t in now_theirs}
    assert not [w for w in mine if w["task_id"] in moved]
    assert sorted(w["measure_id"] for w in theirs if w["task_id"] in moved) == sorted(
        [tank_farm.measures[1].id, tank_farm.measures[2].id])
