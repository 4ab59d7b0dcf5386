"""Delisting by application (16号令 第十八条/第二十三条): the enterprise applies with its evaluation
report, the listing authority reviews on site within 10 working days, the 解除挂牌督办通知书 names the
officers recorded; the publication list per authority and period."""

from __future__ import annotations

import io

from app.clock import today
from app.documents import service as documents
from app.documents.models import Document
from app.extensions import db
from app.supervision.models import DelistingApplication, Listing, ListingState
from app.workdays import add_working_days
from tests.hazards.helpers import pdf_bytes
from tests.supervision.conftest import as_user, pdf_text
from tests.supervision.test_decisions import _listed_major


def test_application_review_delisting_and_publication(client, world, db_session):
    hazard, listing = _listed_major(world, db_session)
    second = world.factory.user("inspector", authority=world.authorities.city, display_name="赵核查",
                                certificate_no="36009999")
    db_session.commit()
    url = f"/api/v1/listings/{listing.id}/delisting-application"
    no_file = client.post(url, headers=as_user(client, world.users.manager), data={"note": "已完成治理"},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422 and "evaluation" in no_file.get_json()["error"]["fields"]
    photo = client.post(url, headers=as_user(client, world.users.manager), content_type="multipart/form-data",
                        data={"evaluation": (io.BytesIO(b"GIF89a not a report"), "report.pdf")})
    assert photo.status_code == 422
    assert client.post(url, headers=as_user(client, world.users.inspector), content_type="multipart/form-data",
                       data={"evaluation": (io.BytesIO(pdf_bytes()), "评估报告.pdf")}).status_code == 403
    resp = client.post(url, headers=as_user(client, world.users.manager), content_type="multipart/form-data",
                       data={"note": "治理完成，评估合格", "evaluation": (io.BytesIO(pdf_bytes()), "评估报告.pdf")})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["review_due"] == add_working_days(today(), 10).isoformat()
    listed = client.get(url, headers=as_user(client, world.users.city_inspector)).get_json()
    assert listed["total"] == 1

    review = f"/api/v1/listings/{listing.id}/delisting-review"
    resp = client.post(review, headers=as_user(client, world.users.city_inspector), json={
        "second_officer_id": second.id, "passed": True, "opinion": "现场核查，治理措施落实，评估报告结论合格"})
    assert resp.status_code == 200, resp.get_json()
    listing = db.session.get(Listing, listing.id)
    assert listing.state == ListingState.delisted and listing.hazard.state.value == "closed"
    notice = db.session.get(Document, listing.delisting_document_id)
    text = pdf_text(documents.pdf_bytes(notice))
    assert "解除挂牌督办通知书" in text
    assert world.users.city_inspector.display_name.replace(" ", "") in text and "赵核查" in text
    assert "36009999" in text and "36000004" in text
    app_row = db.session.query(DelistingApplication).one()
    assert app_row.passed and app_row.officer_id == world.users.city_inspector.id

    pub = client.get(f"/api/v1/listings/publication?authority_id={world.authorities.city.id}"
                     f"&from={today().replace(day=1).isoformat()}&to={today().isoformat()}",
                     headers=as_user(client, world.users.city_supervisor))
    assert pub.status_code == 200, pub.get_json()
    items = pub.get_json()["items"]
    assert [i["hazard_code"] for i in items] == [hazard.code] and items[0]["state"] == "delisted"
    assert items[0]["enterprise"] == "甲化工有限公司"


def test_a_review_before_submission_is_refused(client, world, db_session):
    from sqlalchemy import select

    from app.supervision import service
    from tests.hazards.helpers import make_hazard

    hazard = make_hazard(world, "rectifying", level="major")
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
    service.decide(listing.id, world.users.city_supervisor, "list")
    second = world.factory.user("inspector", authority=world.authorities.city, certificate_no="36009998")
    db_session.commit()
    resp = client.post(f"/api/v1/listings/{listing.id}/delisting-application", content_type="multipart/form-data",
                       headers=as_user(client, world.users.manager),
                       data={"evaluation": (io.BytesIO(pdf_bytes()), "r.pdf")})
    assert resp.status_code == 201
    resp = client.post(f"/api/v1/listings/{listing.id}/delisting-review", headers=as_user(client, world.users.city_inspector),
                       json={"second_officer_id": second.id, "passed": True, "opinion": "合格"})
    assert resp.status_code == 409
    assert db.session.get(Listing, listing.id).state == ListingState.listed
