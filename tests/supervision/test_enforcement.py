"""Issue 17: inspections as inspectors keep them (problems with location, provision, major-hazard
judgement against the criteria), the printed 现场检查记录, and the API contract."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service as documents
from app.documents.models import Document
from app.extensions import db
from app.hazards.models import Hazard, HazardEvent
from app.supervision import seed
from app.supervision.models import Inspection, Listing, MajorHazardCriterion, Provision
from tests.supervision.conftest import as_user, pdf_text


@pytest.fixture
def refs(db_session):
    seed.ensure_references()
    provision = db.session.scalar(select(Provision).where(Provision.article == "第四十一条第二款"))
    criteria = {c.clause: c for c in db.session.scalars(select(MajorHazardCriterion))}
    return provision, criteria


def problems_payload(refs, n=30):
    provision, criteria = refs
    d1, d2 = today() + timedelta(days=10), today() + timedelta(days=40)
    out = []
    for i in range(1, n + 1):
        out.append({"description": f"第{i}处问题：消防器材缺失", "location": f"{i}号车间", "provision_id": provision.id,
                    "major": False, "deadline": (d1 if i % 2 else d2).isoformat()})
    if n < 21:
        return out
    out[4] = {"description": "特种作业人员未持证上岗", "location": "储罐区", "provision": "《特种作业人员安全技术培训考核管理规定》第五条",
              "major": True, "criterion": criteria["二"].id, "deadline": d2.isoformat()}
    out[20] = {"description": "可燃气体检测报警装置未设置", "location": "装卸区", "provision_id": provision.id,
               "major": True, "criterion": criteria["十二"].id, "deadline": d2.isoformat()}
    return out


def body(world, refs, n=30, **kw):
    day = today()
    data = {"enterprise_id": world.enterprises.a.id, "started_at": f"{day.isoformat()}T09:00:00+08:00",
            "ended_at": f"{day.isoformat()}T11:30:00+08:00", "place": "储罐区、装卸区、车间",
            "second_officer_id": world.users.inspector2.id, "enterprise_person": "王安全",
            "problems": problems_payload(refs, n)}
    data.update(kw)
    return data


def test_thirty_problems_two_major_become_hazards_order_and_record(client, world, refs):
    headers = as_user(client, world.users.inspector)
    resp = client.post("/api/v1/inspections", json=body(world, refs), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    out = resp.get_json()
    assert len(out["hazards"]) == 30
    assert out["major_hazard_count"] == 2
    levels = [h["level"] for h in out["hazards"]]
    assert levels.count("major") == 2 and levels[4] == "major" and levels[20] == "major"
    assert all(h["state"] == "rectifying" for h in out["hazards"])
    assert out["enterprise_person"] == "王安全"
    assert out["started_at"].endswith("09:00:00+08:00")
    assert out["problems"][4]["provision"] == "《特种作业人员安全技术培训考核管理规定》第五条"
    assert out["problems"][0]["provision"] == "《中华人民共和国安全生产法》第四十一条第二款"
    assert out["problems"][0]["location"] == "1号车间"

    order = db.session.get(Document, out["order_document_id"])
    text = pdf_text(documents.pdf_bytes(order))
    assert "其中重大事故隐患2项" in text
    record = db.session.get(Document, out["record_document_id"])
    assert record.kind.value == "inspection_record"
    assert record.number == f"（甲）应急检记〔{today().year}〕1号"
    text = pdf_text(documents.pdf_bytes(record))
    assert "现场检查记录" in text
    assert "共30项，其中重大事故隐患2项" in text
    assert "王安全" in text and "储罐区、装卸区、车间" in text
    assert "9时00分至11时30分" in text
    assert "36000001" in text and "36000002" in text
    assert "安监总管三〔2017〕121号" in text and "特种作业人员未持证上岗。" in text
    assert "第四十一条第二款" in text and "装卸区" in text and "30号车间" in text

    # The major hazards went through the regrade trigger: the treatment-plan rule applies to them.
    last = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == out["hazards"][4]["id"])
                              .order_by(HazardEvent.seq.desc())).first()
    assert last.trigger == "regrade"
    assert "121号" in last.comment + str(last.data)

    got = client.get(f"/api/v1/inspections/{out['id']}", headers=headers)
    assert got.status_code == 200 and got.get_json()["record_document_id"] == record.id
    # Another region's inspector does not see it.
    assert client.get(f"/api/v1/inspections/{out['id']}",
                      headers=as_user(client, world.users.inspector_b)).status_code == 404


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("change,field", [
    (lambda p, refs: p[0].update(major=True), "problems"),  # major without the clause
    (lambda p, refs: p[0].update(criterion=refs[1]["一"].id), "problems"),  # clause on a general problem
    (lambda p, refs: p[0].update(provision_id=999999), "problems"),
    (lambda p, refs: p[0].pop("deadline"), "problems"),
])
def test_bad_problems_are_422_and_create_nothing(client, world, refs, change, field):
    data = body(world, refs, n=3)
    change(data["problems"], refs)
    before = (count(Hazard), count(Inspection), count(Document))
    resp = client.post("/api/v1/inspections", json=data, headers=as_user(client, world.users.inspector))
    assert resp.status_code == 422
    assert any(k.startswith(field) for k in resp.get_json()["error"]["fields"])
    db.session.rollback()
    assert (count(Hazard), count(Inspection), count(Document)) == before


def test_an_inspection_ending_another_day_is_422(client, world, refs):
    day = today()
    data = body(world, refs, n=1, ended_at=f"{(day + timedelta(days=1)).isoformat()}T01:00:00+08:00")
    resp = client.post("/api/v1/inspections", json=data, headers=as_user(client, world.users.inspector))
    assert resp.status_code == 422 and "ended_at" in resp.get_json()["error"]["fields"]


def test_a_withdrawn_criterion_cannot_be_ticked(client, world, refs):
    _provision, criteria = refs
    criteria["二"].active = False
    db.session.flush()
    data = body(world, refs, n=1)
    data["problems"][0].update(major=True, criterion=criteria["二"].id)
    resp = client.post("/api/v1/inspections", json=data, headers=as_user(client, world.users.inspector))
    assert resp.status_code == 422


def test_the_migration_ships_the_same_references_as_the_seed():
    path = next(Path("migrations/versions").glob("*_enforcement_*.py"))
    spec = importlib.util.spec_from_file_location("enforcement_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PROVISIONS == seed.PROVISIONS
    assert module.CRITERIA == seed.CRITERIA


def test_a_major_problem_is_proposed_for_listing(client, world, refs):
    data = body(world, refs, n=1)
    data["problems"][0].update(major=True, criterion=refs[1]["二"].id)
    resp = client.post("/api/v1/inspections", json=data, headers=as_user(client, world.users.inspector))
    assert resp.status_code == 201
    major_id = resp.get_json()["hazards"][0]["id"]
    listings = db.session.scalars(select(Listing).where(Listing.hazard_id == major_id)).all()
    assert [listing.rule for listing in listings] == ["red_major_confirmed"]


# --- item 7: the supervision notice prints what the decision records -------------------------------

def test_notice_prints_supervising_person_basis_status_and_the_tracked_deadline(client, world, refs):
    from app.supervision import service

    data = body(world, refs, n=1)
    data["problems"][0].update(major=True, criterion=refs[1]["二"].id)
    out = client.post("/api/v1/inspections", json=data, headers=as_user(client, world.users.inspector)).get_json()
    hazard = db.session.get(Hazard, out["hazards"][0]["id"])
    (listing,) = db.session.scalars(select(Listing).where(Listing.hazard_id == hazard.id)).all()
    later = hazard.deadline + timedelta(days=20)
    service.decide(listing.id, world.users.city_supervisor, "list", deadline=later,
                   requirements="一、立即停止作业。\n二、每月报告。")
    db.session.commit()
    assert hazard.deadline == later == listing.deadline  # the hazard tracks the notice's deadline
    last = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                              .order_by(HazardEvent.seq.desc())).first()
    assert last.trigger == "extend"
    text = pdf_text(documents.pdf_bytes(db.session.get(Document, listing.notice_document_id)))
    assert world.users.city_supervisor.display_name.replace(" ", "") in text  # 监管责任人
    assert "安监总管三〔2017〕121号" in text and "特种作业人员未持证上岗。" in text  # 判定依据
    assert "未停产停业" in text  # 生产状态
    assert f"{later.year}年{later.month}月{later.day}日" in text
    assert "一、立即停止作业。" in text and "1.一、" not in text


def test_a_listing_deadline_earlier_than_the_tracked_one_is_refused(world, proposal, db_session):
    from app.errors import Invalid
    from app.supervision import service

    earlier = proposal.hazard.deadline - timedelta(days=5)
    with pytest.raises(Invalid) as exc:
        service.decide(proposal.id, world.users.city_supervisor, "list", deadline=earlier)
    assert "deadline" in exc.value.fields


def test_the_archive_prints_codes_acceptance_listing_and_double_report(world, db_session):
    from app.hazards import service as hazards
    from tests.supervision.test_decisions import _listed_major

    hazard, listing = _listed_major(world, db_session)
    hazards.fire(hazard.id, "accept", world.users.city_inspector, comment="现场核查合格，同意销号")
    db_session.commit()
    archive = documents.issue("hazard_archive", actor=world.users.city_inspector, context={}, hazards=[hazard])
    text = pdf_text(documents.pdf_bytes(archive))
    assert "验收人" in text and world.users.city_inspector.display_name.replace(" ", "") in text
    assert "现场核查合格，同意销号" in text
    assert "挂牌督办" in text and "市级" in text and "测试市应急管理局" in text
    notice = db.session.get(Document, listing.notice_document_id)
    lifted = db.session.get(Document, db.session.get(Listing, listing.id).delisting_document_id)
    assert notice.number in text and lifted.number in text
    assert "向职工（代表）大会报告" in text and "向监管部门报告" in text
    assert "生产状态" in text


def test_archive_names_the_national_codes():
    from app.documents.archive import _coded
    from workflows.codes import ACCIDENT_TYPES, HAZARD_FACTORS

    assert _coded("08", ACCIDENT_TYPES) == "08 火灾"
    assert _coded("1101", HAZARD_FACTORS) == "1101 负荷超限"
    assert _coded(None, HAZARD_FACTORS) == ""


def test_the_web_form_records_location_provision_and_criterion(client, world, refs):
    from tests.supervision.conftest import login_as

    login_as(client, world.users.inspector)
    page = client.get("/supervision/inspections/new?rows=12").get_data(as_text=True)
    assert page.count('name="problems-11-title"') == 1 and "依据条款" in page and "特种作业人员未持证上岗" in page
    day = today() + timedelta(days=20)
    resp = client.post("/supervision/inspections/new", data={
        "enterprise_id": world.enterprises.a.id, "inspected_on": today().isoformat(), "start_time": "09:00",
        "end_time": "10:00", "second_officer_id": world.users.inspector2.id, "enterprise_person": "王安全",
        "problems-0-title": "特种作业人员未持证上岗", "problems-0-location": "储罐区",
        "problems-0-provision": "《特种作业人员安全技术培训考核管理规定》第五条",
        "problems-0-criterion_id": refs[1]["二"].id, "problems-0-deadline": day.isoformat(),
        "problems-1-title": "灭火器过期", "problems-1-criterion_id": 0, "problems-1-deadline": day.isoformat()})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    inspection = db.session.scalars(select(Inspection).order_by(Inspection.id.desc())).first()
    assert inspection.enterprise_person == "王安全"
    first, second = inspection.items
    assert first.major and first.hazard.level.value == "major" and first.hazard.location == "储罐区"
    assert not second.major and second.hazard.level.value == "general"


def test_the_tables_are_read_by_everyone_and_edited_by_the_administrator(client, world, refs):
    provision, criteria = refs
    listed = client.get("/api/v1/criteria?active=true", headers=as_user(client, world.users.inspector)).get_json()
    assert listed["total"] == 12 and listed["items"][1]["citation"].endswith("第二项")
    new = {"law": "《危险化学品安全管理条例》", "article": "第二十条", "text": "…"}
    assert client.post("/api/v1/provisions", json=new,
                       headers=as_user(client, world.users.inspector)).status_code == 403
    admin = as_user(client, world.users.admin)
    resp = client.post("/api/v1/provisions", json=new, headers=admin)
    assert resp.status_code == 201 and resp.get_json()["citation"] == "《危险化学品安全管理条例》第二十条"
    assert client.post("/api/v1/provisions", json=new, headers=admin).status_code == 409
    off = client.patch(f"/api/v1/criteria/{criteria['二'].id}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert client.get("/api/v1/criteria?active=true", headers=admin).get_json()["total"] == 11
