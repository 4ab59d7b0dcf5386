"""The hazard pages as a person would use them (phone report, trigger forms, plan, evidence)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.hazards.models import Hazard, HazardAttachment
from tests.conftest import login
from tests.hazards.helpers import PLAN, jpeg_bytes, make_hazard


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_report_from_a_phone_with_photos(client, world):
    login(client, world.users.staff)
    page = text(client.get("/hazards/new"))
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "multiple" in page
    resp = client.post("/hazards/new", data={
        "title": "配电箱门未关", "location": "二车间", "description": "箱门敞开",
        "photos": [(io.BytesIO(jpeg_bytes()), "IMG_1.jpg"), (io.BytesIO(jpeg_bytes((0, 0, 255))), "IMG_2.jpg")],
    }, content_type="multipart/form-data")
    assert resp.status_code == 302
    hazard = db.session.scalars(select(Hazard).order_by(Hazard.id.desc())).first()
    assert hazard.title == "配电箱门未关" and hazard.state == "reported"
    page = text(client.get(resp.headers["Location"]))
    assert hazard.code in page and page.count("/hazards/files/") >= 2
    assert "已上报" in page


def test_report_keeps_input_and_shows_chinese_errors(client, world):
    login(client, world.users.staff)
    resp = client.post("/hazards/new", data={
        "title": "", "location": "仓库", "description": "描述" * 10,
        "photos": [(io.BytesIO(b"this is not a jpeg at all"), "fake.jpg")],
    }, content_type="multipart/form-data")
    assert resp.status_code == 422
    page = text(resp)
    assert "仓库" in page and "描述描述" in page  # input kept
    assert "必填" in page or "此字段" in page  # title required, in Chinese
    assert db.session.scalar(select(func.count(Hazard.id))) == 0
    resp = client.post("/hazards/new", data={"title": "x", "description": "长" * 100_000})
    assert resp.status_code == 422 and "最多" in text(resp)


def test_page_offers_exactly_the_allowed_triggers(client, world):
    h = make_hazard(world)
    login(client, world.users.manager)
    page = text(client.get(f"/hazards/{h.id}"))
    assert set(re.findall(r'data-trigger="(\w+)"', page)) == {"confirm", "void", "regrade", "on_the_spot"}
    login(client, world.users.staff)
    page = text(client.get(f"/hazards/{h.id}"))
    assert re.findall(r'href="[^"]*/do/(\w+)"', page) == []


def test_confirm_form_errors_then_success(client, world):
    h = make_hazard(world)
    login(client, world.users.manager)
    url = f"/hazards/{h.id}/do/confirm"
    assert client.get(url).status_code == 200
    past = (today() - timedelta(days=1)).isoformat()
    resp = client.post(url, data={"level": "general", "deadline": past, "measures": "加锁", "version": h.version,
                                  "responsible_user_id": world.users.staff.id})
    assert resp.status_code == 422
    page = text(resp)
    assert "期限" in page and "加锁" in page  # message beside the field, input kept
    future = (today() + timedelta(days=5)).isoformat()
    resp = client.post(url, data={"level": "general", "deadline": future, "measures": "加锁", "version": h.version,
                                  "responsible_user_id": world.users.staff.id})
    assert resp.status_code == 302
    db.session.refresh(h)
    assert h.state == "rectifying"
    # the same form sent again (double click / stale page): a clear conflict, nothing changed
    resp = client.post(url, data={"level": "general", "deadline": future, "measures": "加锁", "version": 1,
                                  "responsible_user_id": world.users.staff.id})
    assert resp.status_code == 409 and "alert" in text(resp)
    assert h.version == db.session.get(Hazard, h.id).version


def test_submit_with_after_photo_and_review(client, world):
    h = make_hazard(world, state="rectifying")
    login(client, world.users.staff)
    url = f"/hazards/{h.id}/do/submit"
    resp = client.post(url, data={"rectification": "已整改", "version": h.version})
    assert resp.status_code == 422 and "已整改" in text(resp)
    resp = client.post(url, data={"rectification": "已整改", "version": h.version,
                                  "photos": [(io.BytesIO(jpeg_bytes()), "after.jpg")]},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.refresh(h)
    assert h.state == "pending_review"
    login(client, world.users.manager)
    resp = client.post(f"/hazards/{h.id}/do/reject", data={"reason": "", "version": h.version})
    assert resp.status_code == 422
    resp = client.post(f"/hazards/{h.id}/do/accept", data={"comment": "合格", "version": h.version})
    assert resp.status_code == 302
    db.session.refresh(h)
    assert h.state == "closed"
    page = text(client.get(f"/hazards/{h.id}"))
    assert "合格" in page and "已销号" in page


def test_staff_cannot_confirm_and_foreign_is_404(client, world):
    h = make_hazard(world)
    login(client, world.users.staff)
    assert client.get(f"/hazards/{h.id}/do/confirm").status_code == 403
    assert client.post(f"/hazards/{h.id}/do/confirm", data={"level": "general"}).status_code == 403
    login(client, world.users.manager_b)
    assert client.get(f"/hazards/{h.id}").status_code == 404
    assert client.get(f"/hazards/{h.id}/do/confirm").status_code == 404
    att = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)).first()
    assert client.get(f"/hazards/files/{att.id}").status_code == 404
    login(client, world.users.staff)
    resp = client.get(f"/hazards/files/{att.id}")
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"


def test_plan_form_and_principal_approval(client, world):
    h = make_hazard(world)
    login(client, world.users.manager)
    resp = client.post(f"/hazards/{h.id}/plan", data={**PLAN, "goal": "",
                                                      "workers_congress_reported_on": today().isoformat()})
    assert resp.status_code == 302
    login(client, world.users.principal)
    resp = client.post(f"/hazards/{h.id}/plan/approve", data={}, follow_redirects=True)
    assert "治理的目标和任务" in text(resp) or "为空" in text(resp)
    login(client, world.users.manager)
    resp = client.post(f"/hazards/{h.id}/plan", data={**PLAN, "production_suspension": "full",
                                                      "workers_congress_reported_on": today().isoformat()},
                       follow_redirects=True)
    # the plan page shows the status the on-site measures decisions give; it offers no field for it
    assert 'name="production_suspension"' not in resp.get_data(as_text=True)
    assert "未停产" in text(resp)
    login(client, world.users.principal)
    resp = client.post(f"/hazards/{h.id}/plan/approve", data={})
    assert resp.status_code == 302
    db.session.refresh(h)
    assert h.plan.is_approved and h.production_suspension == "none"
    login(client, world.users.staff)
    assert client.post(f"/hazards/{h.id}/plan", data=PLAN).status_code == 403


def test_register_filters_and_pagination(client, world):
    for _ in range(3):
        make_hazard(world, state="rectifying", deadline=today() - timedelta(days=1), commit=False)
    make_hazard(world, state="closed")
    login(client, world.users.manager)
    page = text(client.get("/hazards/"))
    assert page.count('href="/hazards/') >= 4
    page = text(client.get("/hazards/?state=rectifying&overdue=1"))
    assert page.count("逾期") >= 3 or page.count("overdue") >= 3
    page = text(client.get("/hazards/?state=closed"))
    assert page.count('<td><a href="/hazards/') == 1
    assert client.get("/hazards/?state=bogus&date_from=notadate&page=-3").status_code == 200


def test_upload_bad_file_on_hazard_page(client, world):
    h = make_hazard(world)
    login(client, world.users.staff)
    resp = client.post(f"/hazards/{h.id}/attachments", data={
        "att-kind": "before", "att-photos": [(io.BytesIO(b"%PDF-1.4 broken"), "doc.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 422 and "PDF" in text(resp)
    resp = client.post(f"/hazards/{h.id}/attachments", data={
        "att-kind": "document", "att-photos": [(io.BytesIO(jpeg_bytes()), "ok.jpg")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302


def test_csrf_is_enforced(app, world, db_session):
    from tests.hazards.conftest import FreshUserClient

    h = make_hazard(world)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        c = FreshUserClient(app, app.response_class, use_cookies=True)
        login(c, world.users.manager)
        resp = c.post(f"/hazards/{h.id}/do/void", data={"reason": "重复"})
        assert resp.status_code in (400, 422)
        db.session.refresh(h)
        assert h.state == "reported"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_notifications_page_and_badge(client, world, runner):
    make_hazard(world, state="rectifying", deadline=today() - timedelta(days=2))
    runner.invoke(args=["scan"])
    login(client, world.users.staff)
    reminders_badge = re.compile(r'href="/notifications/"[^>]*>[^<]*<span class="badge">')
    page = text(client.get("/hazards/"))
    assert reminders_badge.search(page)
    page = text(client.get("/notifications/"))
    assert "逾期" in page or "overdue" in page
    client.post("/notifications/read")
    assert not reminders_badge.search(text(client.get("/notifications/")))
