"""Checks wanting to be done now are on the to-do list of whoever does them (one item per unit), and
leave it once recorded."""

from __future__ import annotations

from app import clock
from app.checks import service
from app.extensions import db
from tests.checks.conftest import local
from tests.conftest import api_token


def _checks(client, headers):
    items = client.get("/api/v1/todos", headers=headers).get_json()["items"]
    return [(i["object_id"], i["title"]) for i in items if i["kind"] == "checks_due"]


def test_due_checks_are_on_the_assignees_to_do_list_until_recorded(client, world, unit):
    staff, manager = world.users.staff, world.users.manager
    with clock.moved_to(local(2026, 3, 1, 12)):
        tasks = [service.create_task(manager, m.id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                                     assignee_user_id=staff.id) for m in unit.measures[:2]]
        db.session.commit()
    with clock.moved_to(local(2026, 3, 2, 10)):
        mine, his = api_token(client, staff), api_token(client, manager)
        assert _checks(client, mine) == [(unit.point.id, f"{unit.point.name}：2项排查待做")]
        assert _checks(client, his) == []  # not his to do
        service.record_check(staff, tasks[0].id, result="normal")
        db.session.commit()
        assert _checks(client, mine) == [(unit.point.id, f"{unit.point.name}：1项排查待做")]
        service.record_check(staff, tasks[1].id, result="normal")
        db.session.commit()
        assert _checks(client, mine) == []
