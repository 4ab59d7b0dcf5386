"""Inspections: problems become government-found hazards and a rectification order; reviewing them
gives the review opinion. Outside the inspector's region nothing is created and no number is used."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service as documents
from app.documents.models import Document, DocumentCounter
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.hazards import service as hazards
from app.hazards.models import Hazard
from app.supervision import inspections
from app.supervision.inspections import Problem, Verdict
from app.supervision.models import Inspection
from tests.hazards.helpers import jpeg_bytes
from tests.supervision.conftest import login_as, pdf_text


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def record(world, inspector=None, enterprise=None, problems=None, **kw):
    u = world.users
    d1, d2 = today() + timedelta(days=10), today() + timedelta(days=30)
    args = dict(enterprise_id=(enterprise or world.enterprises.a).id, inspected_on=today(),
                start_time=time(9, 0), end_time=time(11, 30), place="储罐区、仓库",
                second_officer_id=u.inspector2.id, findings="重点检查危化品储存",
                problems=problems if problems is not None else [
                    Problem("储罐区可燃气体报警器失效", deadline=d1),
                    Problem("仓库消防通道堆放杂物", deadline=d1),
                    Problem("未建立特殊作业审批台账", deadline=d2)])
    args.update(kw)
    return inspections.record(inspector or u.inspector, **args)


def test_an_inspection_creates_government_found_hazards_and_the_order(world, db_session):
    inspection = record(world)
    db_session.commit()
    assert [i.position for i in inspection.items] == [1, 2, 3]
    for item in inspection.items:
        hazard = item.hazard
        assert hazard.source.value == "government_inspection"
        assert hazard.found_by_authority_id == world.authorities.county_a.id
        assert hazard.state.value == "rectifying"  # the order confirms them, with its deadlines
        assert hazard.deadline == item.deadline
        assert hazard.responsible_user_id == world.users.manager.id
    order = db.session.get(Document, inspection.order_document_id)
    assert order.number == f"（甲）应急责改〔{today().year}〕1号"
    text = pdf_text(documents.pdf_bytes(order))
    assert "责令限期整改指令书" in text
    assert "甲化工有限公司" in text
    for title in ("储罐区可燃气体报警器失效", "仓库消防通道堆放杂物", "未建立特殊作业审批台账"):
        assert title in text
    d1, d2 = inspection.items[0].deadline, inspection.items[2].deadline
    assert f"第1、2项问题于{d1.year}年{d1.month}月{d1.day}日前整改完毕" in text
    assert f"第3项问题于{d2.year}年{d2.month}月{d2.day}日前整改完毕" in text
    assert "36000001" in text and "36000002" in text  # both officers' certificate numbers
    assert "甲县人民政府" in text  # the rights notice names the review body


def test_outside_his_region_nothing_is_created_and_no_number_is_used(world, db_session):
    before = (count(Hazard), count(Inspection), count(Document), count(DocumentCounter))
    with pytest.raises(NotFound):
        record(world, inspector=world.users.inspector_b)  # enterprise a is in county_a
    db_session.rollback()
    assert (count(Hazard), count(Inspection), count(Document), count(DocumentCounter)) == before
    inspection = record(world)
    assert db.session.get(Document, inspection.order_document_id).number.endswith("〕1号")


@pytest.mark.parametrize("change,field", [
    ({"second_officer_id": None}, "second_officer_id"),
    ({"problems": []}, "problems"),
    ({"problems": [Problem("过期", deadline=today())]}, "problems"),
    ({"problems": [Problem("  ", deadline=today() + timedelta(days=3))]}, "problems"),
    ({"problems": [Problem("无期限")]}, "problems"),
    ({"end_time": time(8, 0)}, "end_time"),
    ({"inspected_on": today() + timedelta(days=1)}, "inspected_on"),
])
def test_bad_input_creates_nothing(world, db_session, change, field):
    before = (count(Hazard), count(Inspection), count(Document))
    with pytest.raises(Invalid) as exc:
        record(world, **change)
    assert field in exc.value.fields
    db_session.rollback()
    assert (count(Hazard), count(Inspection), count(Document)) == before


def test_the_second_officer_must_be_another_inspector_of_his_authority(world, db_session):
    u = world.users
    for other in (u.inspector, u.inspector_b, u.supervisor):
        with pytest.raises(Invalid) as exc:
            record(world, second_officer_id=other.id)
        assert "second_officer_id" in exc.value.fields
    u.inspector2.certificate_no = ""
    with pytest.raises(Invalid):
        record(world)
    db_session.rollback()


def test_only_inspectors_record(world, db_session):
    for user in (world.users.supervisor, world.users.manager):
        with pytest.raises((Forbidden, NotFound)):
            record(world, inspector=user)


def _submit_all(world, inspection):
    for item in inspection.items:
        hazards.add_attachment(item.hazard_id, world.users.manager, kind="after", filename="after.jpg",
                               data=jpeg_bytes((30, 160, 30)))
        hazards.fire(item.hazard_id, "submit", world.users.manager, rectification="已整改完毕")


def test_review_accepts_and_rejects_and_issues_the_opinion(world, db_session):
    inspection = record(world)
    _submit_all(world, inspection)
    first, second, third = inspection.items
    inspections.review(world.users.inspector2, inspection.id, [
        Verdict(first.id, "accept"), Verdict(second.id, "accept"),
        Verdict(third.id, "reject", reason="台账内容不完整", new_deadline=today() + timedelta(days=15))])
    db_session.commit()
    assert [i.hazard.state.value for i in inspection.items] == ["closed", "closed", "rectifying"]
    assert third.hazard.deadline == today() + timedelta(days=15)
    opinion = db.session.get(Document, inspection.review_document_id)
    assert opinion.number == f"（甲）应急复查〔{today().year}〕1号"
    text = pdf_text(documents.pdf_bytes(opinion))
    assert "整改复查意见书" in text
    order = db.session.get(Document, inspection.order_document_id)
    assert order.number in text
    assert "第3项未整改完毕" in text


def test_review_errors_change_nothing(world, db_session):
    inspection = record(world)
    first = inspection.items[0]
    with pytest.raises(Invalid):  # not submitted yet
        inspections.review(world.users.inspector, inspection.id, [Verdict(first.id, "accept")])
    _submit_all(world, inspection)
    with pytest.raises(Invalid):  # reject without reason
        inspections.review(world.users.inspector2, inspection.id, [Verdict(first.id, "reject")])
    with pytest.raises(Invalid):  # nothing chosen
        inspections.review(world.users.inspector2, inspection.id, [Verdict(first.id, "")])
    with pytest.raises(Forbidden):  # visible to the city, but the county inspected
        inspections.review(world.users.city_inspector, inspection.id, [Verdict(first.id, "accept")])
    with pytest.raises(NotFound):
        inspections.review(world.users.inspector_b, inspection.id, [Verdict(first.id, "accept")])
    assert first.hazard.state.value == "pending_review"
    assert inspection.review_document_id is None


def test_inspection_pages(client, world, db_session):
    inspection = record(world)
    db_session.commit()
    login_as(client, world.users.inspector)
    assert client.get("/supervision/inspections/new").status_code == 200
    page = client.get("/supervision/inspections")
    assert "甲化工有限公司" in page.get_data(as_text=True)
    detail = client.get(f"/supervision/inspections/{inspection.id}").get_data(as_text=True)
    assert "储罐区可燃气体报警器失效" in detail
    login_as(client, world.users.manager)  # the enterprise sees the inspection of itself
    assert client.get(f"/supervision/inspections/{inspection.id}").status_code == 200
    assert client.get("/supervision/inspections/new").status_code == 403
    login_as(client, world.users.inspector_b)
    assert client.get(f"/supervision/inspections/{inspection.id}").status_code == 404


def test_recording_through_the_form(client, world, db_session):
    login_as(client, world.users.inspector)
    deadline = (today() + timedelta(days=20)).isoformat()
    form = {"enterprise_id": world.enterprises.a.id, "inspected_on": today().isoformat(),
            "start_time": "09:00", "end_time": "10:00", "place": "车间",
            "second_officer_id": world.users.inspector2.id, "findings": "",
            "problems-0-title": "配电箱未接地", "problems-0-deadline": deadline,
            "problems-1-title": "", "problems-1-deadline": ""}
    resp = client.post("/supervision/inspections/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    inspection = db.session.scalar(select(Inspection).order_by(Inspection.id.desc()))
    assert inspection.items[0].hazard.title == "配电箱未接地"
    # Bad input: the message is on the page, what was typed is kept, nothing is created.
    before = count(Hazard)
    bad = dict(form, **{"problems-0-deadline": today().isoformat(), "problems-0-title": "梯子损坏"})
    resp = client.post("/supervision/inspections/new", data=bad)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "梯子损坏" in body
    assert count(Hazard) == before
    foreign = dict(form, enterprise_id=world.enterprises.b.id)
    assert client.post("/supervision/inspections/new", data=foreign).status_code in (404, 422)
    assert count(Hazard) == before


def test_a_voided_order_is_issued_again_from_the_inspection_page(client, world, db_session):
    from app.documents import service as documents_service

    inspection = record(world)
    first = db.session.get(Document, inspection.order_document_id)
    documents_service.void(world.users.supervisor, first, "检查场所填写错误")
    db_session.commit()
    login_as(client, world.users.inspector2)
    page = client.get(f"/supervision/inspections/{inspection.id}").get_data(as_text=True)
    assert "依据本检查记录重新出具指令书" in page
    resp = client.post(f"/supervision/inspections/{inspection.id}/order", follow_redirects=True)
    assert resp.status_code == 200 and "已签发" in resp.get_data(as_text=True)
    db_session.refresh(inspection)
    again = db.session.get(Document, inspection.order_document_id)
    assert again.id != first.id and again.number.endswith("〕2号") and again.is_valid
    # Once valid again, a second click numbers nothing.
    client.post(f"/supervision/inspections/{inspection.id}/order")
    assert count(Document) == 3  # the two orders and the inspection record (现场检查记录)
    login_as(client, world.users.inspector_b)
    assert client.post(f"/supervision/inspections/{inspection.id}/order").status_code == 404
