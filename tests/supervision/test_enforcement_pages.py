"""Issue 17 through the pages: the inspection form picks a provision and takes photos (printed on the
record), service of a document, on-site measures, summons, delisting by application, the publication
list and the admin pages of the provisions and criteria tables. What a user sees, read from the HTML
and the PDFs."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app import clock
from app.clock import today
from app.documents import service as documents
from app.documents.models import Document, DocumentService
from app.extensions import db
from app.hazards.models import AttachmentKind, Hazard, HazardAttachment, ProductionSuspension
from app.supervision import inspections, seed
from app.supervision.models import (
    DelistingApplication,
    Inspection,
    InspectionItem,
    Listing,
    ListingState,
    MajorHazardCriterion,
    OnSiteMeasures,
    Provision,
    Summons,
)
from tests.hazards.helpers import jpeg_bytes, pdf_bytes
from tests.supervision.conftest import login_as, pdf_text, stored_hazard
from tests.supervision.test_decisions import _listed_major


@pytest.fixture
def refs(db_session):
    seed.ensure_references()
    db_session.commit()
    provision = db.session.scalar(select(Provision).where(Provision.article == "第四十一条第二款"))
    criterion = db.session.scalar(select(MajorHazardCriterion).where(MajorHazardCriterion.clause == "二"))
    return provision, criterion


def html(resp) -> str:
    return resp.get_data(as_text=True)


def local_input(delta: timedelta) -> str:
    """A value for a datetime-local input (China time)."""
    return (clock.to_local(clock.utcnow()) + delta).strftime("%Y-%m-%dT%H:%M")


def inspection_form(world, provision, criterion, **extra) -> dict:
    due = (today() + timedelta(days=20)).isoformat()
    data = {"enterprise_id": world.enterprises.a.id, "inspected_on": today().isoformat(), "start_time": "00:00",
            "end_time": "00:01", "place": "储罐区", "second_officer_id": world.users.inspector2.id,
            "enterprise_person": "王安全",
            "problems-0-title": "消防器材缺失", "problems-0-location": "1号车间",
            "problems-0-provision": provision.citation, "problems-0-criterion_id": "0",
            "problems-0-deadline": due,
            "problems-0-photos": (io.BytesIO(jpeg_bytes()), "灭火器.jpg"),
            "problems-1-title": "特种作业人员未持证上岗", "problems-1-location": "储罐区",
            "problems-1-provision": "《特种作业人员安全技术培训考核管理规定》第五条",
            "problems-1-criterion_id": str(criterion.id), "problems-1-deadline": due}
    data.update(extra)
    return data


def test_the_inspection_form_picks_a_provision_and_prints_the_photos(client, world, refs):
    provision, criterion = refs
    login_as(client, world.users.inspector)
    page = html(client.get("/supervision/inspections/new"))
    assert 'list="provision-options"' in page and f'<option value="{provision.citation}"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="problems-0-photos"' in page
    assert f"{criterion.industry} 第{criterion.clause}项" in page  # the criteria's clause to tick

    # A file that is not a photo: refused by content, naming the problem, what was typed kept.
    bad = client.post("/supervision/inspections/new", content_type="multipart/form-data",
                      data=inspection_form(world, provision, criterion, **{
                          "problems-0-photos": (io.BytesIO(b"%PDF-1.4 not a photo"), "photo.jpg")}))
    assert bad.status_code == 422
    assert "第1项" in html(bad) or "问题1" in html(bad)
    assert 'value="消防器材缺失"' in html(bad) and 'value="王安全"' in html(bad)
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0

    resp = client.post("/supervision/inspections/new", content_type="multipart/form-data",
                       data=inspection_form(world, provision, criterion))
    assert resp.status_code == 302, html(resp)
    inspection = db.session.scalar(select(Inspection))
    first, second = sorted(inspection.items, key=lambda i: i.position)
    assert first.provision_id == provision.id and first.provision == provision.citation
    assert second.provision_id is None and second.provision.startswith("《特种作业人员")
    assert second.major and second.hazard.level.value == "major"
    photos = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == first.hazard_id)).all()
    assert [(p.kind, p.filename) for p in photos] == [(AttachmentKind.before, "灭火器.jpg")]

    record = db.session.get(Document, inspection.record_document_id)
    data = documents.pdf_bytes(record)
    text = pdf_text(data)
    assert "现场照片" in text and "第1项" in text and "灭火器.jpg" in text
    assert provision.citation in text and "是：" in text
    images = [img for page in PdfReader(io.BytesIO(data)).pages for img in page.images]
    assert len(images) >= 2  # the QR code and the thumbnail
    # The record re-renders to the same bytes from its stored context (thumbnails rebuilt).
    assert documents.render_again(record) == data

    # The inspection page links the papers an inspector needs next.
    page = html(client.get(f"/supervision/inspections/{inspection.id}"))
    assert f"/documents/{inspection.order_document_id}" in page


def test_a_withdrawn_provision_is_no_longer_offered_but_typing_still_works(client, world, refs):
    provision, criterion = refs
    login_as(client, world.users.admin)
    assert client.post(f"/enforcement/references/provisions/{provision.id}", data={
        "law": provision.law, "article": provision.article, "text": provision.text}).status_code == 302
    assert not db.session.get(Provision, provision.id).active
    login_as(client, world.users.inspector)
    page = html(client.get("/supervision/inspections/new"))
    assert f'<option value="{provision.citation}"' not in page
    resp = client.post("/supervision/inspections/new", content_type="multipart/form-data",
                       data=inspection_form(world, provision, criterion, **{"problems-0-photos": ""}))
    assert resp.status_code == 302
    item = db.session.scalar(select(InspectionItem).where(InspectionItem.position == 1))
    assert item.provision_id is None and item.provision == provision.citation  # typed, as recorded


def _order(world, refs) -> Document:
    provision, _criterion = refs
    inspection = inspections.record(
        world.users.inspector, enterprise_id=world.enterprises.a.id, inspected_on=today(),
        start_time=clock.to_local(clock.utcnow()).time().replace(hour=0, minute=0, second=0, microsecond=0),
        end_time=clock.to_local(clock.utcnow()).time().replace(hour=0, minute=1, second=0, microsecond=0),
        second_officer_id=world.users.inspector2.id, problems=[inspections.Problem(
            title="安全出口锁闭", deadline=today() + timedelta(days=10), provision_id=provision.id)])
    db.session.commit()
    return db.session.get(Document, inspection.order_document_id)


def test_service_of_a_document_through_its_page(client, world, refs):
    order = _order(world, refs)
    login_as(client, world.users.manager)
    page = html(client.get(f"/documents/{order.id}"))
    assert "申请行政复议和提起行政诉讼的期限自送达之日起计算" in page
    assert f"/documents/{order.id}/receipt.pdf" in page  # the blank receipt to print
    assert 'name="received_by"' not in page  # the enterprise does not record the service

    login_as(client, world.users.inspector)
    page = html(client.get(f"/documents/{order.id}"))
    assert 'name="received_by"' in page and 'name="receipt"' in page and 'name="csrf_token"' in page
    bad = client.post(f"/documents/{order.id}/service", content_type="multipart/form-data", data={
        "method": "electronic", "served_at": local_input(timedelta(0)), "received_by": "王安全",
        "address": "wang@example.com"})
    assert bad.status_code == 422
    assert "电子送达" in html(bad) and 'value="王安全"' in html(bad)
    not_a_scan = client.post(f"/documents/{order.id}/service", content_type="multipart/form-data", data={
        "method": "on_site", "served_at": local_input(timedelta(0)), "received_by": "王安全",
        "receipt": (io.BytesIO(b"plain text"), "receipt.pdf")})
    assert not_a_scan.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DocumentService)) == 0

    resp = client.post(f"/documents/{order.id}/service", content_type="multipart/form-data", data={
        "method": "on_site", "served_at": local_input(timedelta(0)), "received_by": "王安全",
        "receipt": (io.BytesIO(jpeg_bytes()), "回执.jpg")})
    assert resp.status_code == 302, html(resp)
    page = html(client.get(f"/documents/{order.id}"))
    assert "王安全" in page and "申请行政复议期限" in page and "提起行政诉讼期限" in page
    served = db.session.scalar(select(DocumentService))
    from app.documents import serving

    (reconsideration, litigation) = serving.statutory_periods(order)
    assert str(reconsideration["ends_on"]) in page and str(litigation["ends_on"]) in page
    assert 'name="received_by"' not in page  # recorded once
    scan = client.get(f"/documents/{order.id}/service/scan")
    assert scan.status_code == 200 and scan.mimetype == "image/jpeg"
    receipt = client.get(f"/documents/{order.id}/receipt.pdf")
    assert receipt.status_code == 200 and "王安全" in pdf_text(receipt.data)
    assert served.received_by == "王安全"


def test_onsite_measures_through_the_hazard(client, world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", grade="red", title="液氯储罐区报警失效")
    db_session.commit()
    login_as(client, world.users.inspector)
    assert f"/enforcement/hazards/{hazard.id}/measures" in html(client.get(f"/hazards/{hazard.id}"))
    url = f"/enforcement/hazards/{hazard.id}/measures"
    page = html(client.get(url))
    assert "未停产" in page or "none" not in page
    bad = client.post(url, data={"second_officer_id": world.users.inspector2.id, "facts": "报警装置失效",
                                 "suspension": "full"})
    assert bad.status_code == 422 and "报警装置失效" in html(bad)
    assert db.session.scalar(select(func.count()).select_from(OnSiteMeasures)) == 0
    resp = client.post(url, data={"second_officer_id": world.users.inspector2.id, "facts": "报警装置失效",
                                  "eliminate_now": "y", "suspension": "full",
                                  "until": (today() + timedelta(days=30)).isoformat()})
    assert resp.status_code == 302, html(resp)
    row = db.session.scalar(select(OnSiteMeasures))
    assert resp.headers["Location"].endswith(f"/documents/{row.document_id}")
    assert db.session.get(Hazard, hazard.id).production_suspension == ProductionSuspension.full
    text = pdf_text(documents.pdf_bytes(db.session.get(Document, row.document_id)))
    assert "现场处理措施决定书" in text and "报警装置失效" in text
    page = html(client.get(url))
    assert f"/documents/{row.document_id}" in page

    login_as(client, world.users.manager)
    assert client.post(url, data={"facts": "x"}).status_code == 403
    assert 'name="facts"' not in html(client.get(url))
    login_as(client, world.users.inspector_b)
    assert client.get(url).status_code == 404


def test_summons_notice_then_record_through_the_pages(client, world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", grade="red", overdue_by=20, title="液氯储罐区报警失效")
    db_session.commit()
    login_as(client, world.users.supervisor)
    page = html(client.get(f"/enforcement/summons/new?enterprise_id={world.enterprises.a.id}&hazard_ids={hazard.id}"))
    assert hazard.code in page and 'name="csrf_token"' in page
    past = client.post("/enforcement/summons/new", data={
        "enterprise_id": world.enterprises.a.id, "reason": "重大事故隐患逾期未整改",
        "scheduled_at": local_input(timedelta(hours=-2)), "hazard_ids": hazard.id})
    assert past.status_code == 422 and "重大事故隐患逾期未整改" in html(past)
    resp = client.post("/enforcement/summons/new", data={
        "enterprise_id": world.enterprises.a.id, "reason": "重大事故隐患逾期未整改",
        "scheduled_at": local_input(timedelta(days=2)), "place": "县应急管理局三楼会议室", "hazard_ids": hazard.id})
    assert resp.status_code == 302, html(resp)
    summons = db.session.scalar(select(Summons))
    assert [h.id for h in summons.hazards] == [hazard.id]
    notice = db.session.get(Document, summons.notice_document_id)
    page = html(client.get(f"/enforcement/summons/{summons.id}"))
    assert notice.number in page and 'name="outcome"' in page

    login_as(client, world.users.inspector)
    no_second = client.post(f"/enforcement/summons/{summons.id}", data={
        "held_at": local_input(timedelta(minutes=-5)), "content": "通报情况", "outcome": "承诺整改"})
    assert no_second.status_code == 422 and "承诺整改" in html(no_second)
    done = client.post(f"/enforcement/summons/{summons.id}", data={
        "held_at": local_input(timedelta(minutes=-5)), "second_officer_id": world.users.inspector2.id,
        "content": "通报隐患逾期情况", "outcome": "企业承诺10日内完成整改"})
    assert done.status_code == 302, html(done)
    summons = db.session.get(Summons, summons.id)
    record = db.session.get(Document, summons.record_document_id)
    page = html(client.get(f"/enforcement/summons/{summons.id}"))
    assert record.number in page and "企业承诺10日内完成整改" in page and 'name="outcome"' not in page

    # On the enterprise's history, which its manager reads too; another county sees nothing.
    login_as(client, world.users.manager)
    history = html(client.get(f"/enforcement/summons?enterprise_id={world.enterprises.a.id}"))
    assert f"/enforcement/summons/{summons.id}" in history
    login_as(client, world.users.inspector_b)
    assert client.get(f"/enforcement/summons/{summons.id}").status_code == 404


def test_delisting_by_application_through_the_pages_and_the_publication(client, world, db_session):
    hazard, listing = _listed_major(world, db_session)
    second = world.factory.user("inspector", authority=world.authorities.city, display_name="赵核查",
                                certificate_no="36009999")
    db_session.commit()
    url = f"/enforcement/listings/{listing.id}/delisting"
    login_as(client, world.users.manager)
    assert url in html(client.get(f"/supervision/listings/{listing.id}"))
    no_file = client.post(url, content_type="multipart/form-data", data={"apply-note": "治理完成"})
    assert no_file.status_code == 422 and "治理完成" in html(no_file)
    resp = client.post(url, content_type="multipart/form-data", data={
        "apply-note": "治理完成，评估合格", "apply-evaluation": (io.BytesIO(pdf_bytes()), "评估报告.pdf")})
    assert resp.status_code == 302, html(resp)
    application = db.session.scalar(select(DelistingApplication))
    page = html(client.get(url))
    assert str(application.review_due) in page and "评估报告.pdf" in page and 'name="apply-note"' not in page
    assert client.get(f"{url}/{application.id}/evaluation").mimetype == "application/pdf"

    login_as(client, world.users.city_inspector)
    todo = html(client.get("/todos"))  # his to-do list leads him there, due by the review period's end
    assert url in todo and str(application.review_due) in todo
    page = html(client.get(url))
    assert 'name="review-opinion"' in page and "赵核查" in page
    resp = client.post(url, data={"review-second_officer_id": second.id, "review-passed": "1",
                                  "review-opinion": "现场核查，治理措施落实"})
    assert resp.status_code == 302, html(resp)
    listing = db.session.get(Listing, listing.id)
    assert listing.state == ListingState.delisted
    page = html(client.get(url))
    assert "36009999" in page and f"/documents/{listing.delisting_document_id}" in page

    login_as(client, world.users.city_supervisor)
    pub = client.get(f"/enforcement/publication?authority_id={world.authorities.city.id}"
                     f"&first={today().replace(day=1).isoformat()}&last={today().isoformat()}")
    assert pub.status_code == 200 and hazard.code in html(pub) and "甲化工有限公司" in html(pub)
    empty = client.get(f"/enforcement/publication?authority_id={world.authorities.city.id}"
                       f"&first=2000-01-01&last=2000-12-31")
    assert hazard.code not in html(empty)


def test_admin_pages_of_the_provisions_and_criteria(client, world, refs):
    provision, criterion = refs
    login_as(client, world.users.admin)
    page = html(client.get("/enforcement/references/provisions"))
    assert provision.citation in page
    assert criterion.citation in html(client.get("/enforcement/references/criteria"))
    missing = client.post("/enforcement/references/provisions/new", data={"law": "《危险化学品安全管理条例》",
                                                                          "active": "y"})
    assert missing.status_code == 422 and "《危险化学品安全管理条例》" in html(missing)
    resp = client.post("/enforcement/references/provisions/new", data={
        "law": "《危险化学品安全管理条例》", "article": "第二十条", "text": "生产、储存危险化学品的单位……", "active": "y"})
    assert resp.status_code == 302
    duplicate = client.post("/enforcement/references/provisions/new", data={
        "law": "《危险化学品安全管理条例》", "article": "第二十条", "active": "y"})
    assert duplicate.status_code == 409
    assert "《危险化学品安全管理条例》第二十条" in html(client.get("/enforcement/references/provisions"))
    resp = client.post("/enforcement/references/criteria/new", data={
        "industry": "烟花爆竹", "standard": "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准》", "clause": "一",
        "text": "（由管理员录入）", "active": "y"})
    assert resp.status_code == 302

    for user in (world.users.inspector, world.users.authority_admin, world.users.manager):
        login_as(client, user)
        assert client.get("/enforcement/references/provisions/new").status_code == 403
        assert client.post(f"/enforcement/references/provisions/{provision.id}",
                           data={"law": "x", "article": "y"}).status_code == 403
    assert db.session.get(Provision, provision.id).law == "《中华人民共和国安全生产法》"
