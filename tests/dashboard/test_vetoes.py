"""The weekly score's veto items (否决项): the one the system's data decides applies by itself with its basis;
the others are entered by the authority with a reason, recorded, and make the week's score 0."""

from __future__ import annotations

from datetime import UTC, timedelta

from app.clock import utcnow
from app.dashboard import scores
from app.dashboard.models import ScoreVeto, WeeklyScoreRecord
from app.extensions import db
from tests.supervision.conftest import as_user, login_as, stored_hazard
from workflows.isoweek import last_complete_week


def _record(enterprise_id, week):
    return db.session.scalar(db.select(WeeklyScoreRecord).where(WeeklyScoreRecord.enterprise_id == enterprise_id,
                                                                WeeklyScoreRecord.week == week))


def test_automatic_veto_shown_with_its_basis(client, world, db_session):
    h = stored_hazard(world.enterprises.a, level="major", overdue_by=20)
    h.created_at = utcnow() - timedelta(days=30)
    db_session.commit()
    scores.scan_step()
    db_session.commit()
    week = str(last_complete_week(utcnow().replace(tzinfo=UTC)))
    record = _record(world.enterprises.a.id, week)
    assert record.score == 0 and "1 项重大事故隐患" in record.veto_basis["major_hazard_overdue"]
    login_as(client, world.users.manager)
    page = client.get("/dashboard/scores").get_data(as_text=True)
    assert "系统判定" in page and "1 项重大事故隐患已过整改期限仍未销号" in page
    assert "本周发生造成人员死亡的生产安全事故" in page  # an item the authority enters, listed as not applying
    assert 'id="veto-form"' not in page  # the enterprise enters nothing


def test_authority_enters_a_veto_with_reason(client, world, db_session):
    scores.scan_step()
    db_session.commit()
    week = str(last_complete_week(utcnow().replace(tzinfo=UTC)))
    a = world.enterprises.a.id
    before = _record(a, week)
    assert before.score > 0 and before.alpha == 1
    url = "/api/v1/scores/vetoes"
    body = {"enterprise_id": a, "week": week, "code": "records_falsified", "reason": "排查记录系事后补填，现场核实不符。"}
    manager = as_user(client, world.users.manager)
    assert client.post(url, json=body, headers=manager).status_code == 403
    foreign = as_user(client, world.users.supervisor_b)
    assert client.post(url, json=body, headers=foreign).status_code == 404
    county = as_user(client, world.users.supervisor)
    for bad, field in (({"code": "major_hazard_overdue"}, "code"), ({"code": "no_such_item"}, "code"),
                       ({"reason": "  "}, "reason"), ({"week": "2025-W53"}, "week")):
        got = client.post(url, json=body | bad, headers=county)
        assert got.status_code == 422 and field in str(got.get_json()), (bad, got.get_json())
    assert db.session.scalar(db.select(db.func.count()).select_from(ScoreVeto)) == 0
    created = client.post(url, json=body, headers=county)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["entered_by_id"] == world.users.supervisor.id
    assert client.post(url, json=body, headers=county).status_code == 409
    db.session.expire_all()
    after = _record(a, week)
    assert (after.alpha, after.score, after.vetoes) == (0, 0.0, ["records_falsified"])
    assert after.rule_set == before.rule_set and "事后补填" in after.veto_basis["records_falsified"]
    # The region sums the city pages read follow the veto (compared with the enterprise rows).
    from app.dashboard.models import ScoreRegionStat

    sums = db.session.execute(db.select(db.func.sum(ScoreRegionStat.score_total), db.func.sum(ScoreRegionStat.scored))
                              .where(ScoreRegionStat.week == week)).one()
    rows = db.session.execute(db.select(db.func.sum(WeeklyScoreRecord.score), db.func.count())
                              .where(WeeklyScoreRecord.week == week)).one()
    assert tuple(sums) == tuple(rows) and rows[1] == 2
    listed = client.get(f"/api/v1/scores/vetoes?week={week}", headers=manager).get_json()
    assert [i["code"] for i in listed["items"]] == ["records_falsified"] and listed["total"] == 1
    assert client.get("/api/v1/scores/vetoes", headers=foreign).get_json()["total"] == 0
    login_as(client, world.users.manager)
    page = client.get(f"/dashboard/scores?week={week}").get_data(as_text=True)
    assert "监管部门录入" in page and "现场核实不符" in page


def test_veto_form_keeps_what_was_typed(client, world, db_session):
    scores.scan_step()
    db_session.commit()
    week = str(last_complete_week(utcnow().replace(tzinfo=UTC)))
    login_as(client, world.users.supervisor)
    a = world.enterprises.a.id
    page = client.get(f"/dashboard/scores?enterprise_id={a}&week={week}").get_data(as_text=True)
    assert 'id="veto-form"' in page and 'value="major_hazard_overdue"' not in page
    bad = client.post("/dashboard/scores/vetoes", data={"enterprise_id": a, "week": "2099-W01",
                                                        "code": "fatal_accident", "reason": "某日死亡一人"})
    assert bad.status_code == 422 and "某日死亡一人" in bad.get_data(as_text=True)
    ok = client.post("/dashboard/scores/vetoes", data={"enterprise_id": a, "week": week, "code": "fatal_accident",
                                                       "reason": "某日死亡一人"})
    assert ok.status_code == 302
    assert _record(a, week).score == 0
