"""The 包保 duty templates: seeded with the cited items, kept by the admin, refused to anyone else."""

from __future__ import annotations

from app.checks import duties
from tests.conftest import login


def test_seeded_lists_hold_only_the_cited_technical_duties(world, db_session, client):
    duties.seed_defaults()
    db_session.commit()
    lists = duties.templates()
    assert [t.role for t in lists] == ["principal", "technical", "operator"]
    technical = lists[1]
    assert [(i.cycle, i.cycle_unit, i.before_holidays) for i in technical.items] == [(3, "month", False),
                                                                                    (None, None, True)]
    assert lists[0].items == [] and lists[2].items == []
    page = login(client, world.users.admin).get("/checks/duties/templates").get_data(as_text=True)
    assert "每季度至少组织对重大危险源进行一次针对性安全风险隐患排查" in page
    assert "第五条第（五）项" in page
    assert "每3月" in page and "每个节假日前7天" in page


def test_admin_adds_and_edits_a_duty_and_bad_input_changes_nothing(world, db_session, client):
    duties.seed_defaults()
    db_session.commit()
    operator = duties.templates()[2]
    login(client, world.users.admin)
    bad = client.post(f"/checks/duties/templates/{operator.id}/items",
                      data={"content": "巡检罐区", "cycle": "0", "cycle_unit": "week", "number": "11"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "周期为不小于1的整数" in text and "1至10" in text
    assert duties.templates()[2].items == []
    # The national model requires the item number (taskNum) of every 包保 task: no number, no item.
    unnumbered = client.post(f"/checks/duties/templates/{operator.id}/items",
                             data={"content": "巡检罐区", "cycle": "1", "cycle_unit": "week", "number": ""})
    assert unnumbered.status_code == 422
    assert "请填写该项在全国包保任务清单中的序号（1至10）" in unnumbered.get_data(as_text=True)
    assert duties.templates()[2].items == []
    ok = client.post(f"/checks/duties/templates/{operator.id}/items",
                     data={"content": "巡检罐区", "cycle": "1", "cycle_unit": "week", "number": "2"})
    assert ok.status_code == 302
    item = duties.templates()[2].items[0]
    assert (item.number, item.cycle, item.cycle_unit) == (2, 1, "week")
    none = client.post(f"/checks/duties/items/{item.id}", data={"content": "巡检罐区", "cycle": "", "cycle_unit": ""})
    assert none.status_code == 422 and "请填写周期" in none.get_data(as_text=True)
    client.post(f"/checks/duties/items/{item.id}/active", data={"active": "0"})
    assert duties.templates()[2].items[0].active is False


def test_only_the_admin_configures_duties(world, db_session, client):
    duties.seed_defaults()
    db_session.commit()
    for user in (world.users.manager, world.users.inspector, world.users.staff):
        login(client, user)
        assert client.get("/checks/duties/templates").status_code == 403
        assert client.post(f"/checks/duties/templates/{duties.templates()[0].id}/items",
                           data={"content": "x", "cycle": "1", "cycle_unit": "week"}).status_code == 403
