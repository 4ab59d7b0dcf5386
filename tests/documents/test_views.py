"""Web pages: list, detail, PDF, void, and the public verification page."""

from __future__ import annotations

from flask import current_app

from app.documents import service
from tests.documents.conftest import as_user, order_of, record_inspection


def _order(world):
    """The order issued by recording an inspection (its hazards: ``document.hazards``)."""
    with current_app.test_request_context("/"):
        return order_of(record_inspection(world))


def test_verify_page_says_genuine_and_nothing_more(client, world, db_session):
    document = _order(world)
    db_session.commit()
    page = client.get(f"/verify/{document.token}")  # no login
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert document.number in html and "甲县应急管理局" in html and "有效" in html
    hazard = document.hazards[0]
    for secret in (hazard.title, hazard.code, "甲化工有限公司", world.users.inspector.display_name,
                   world.users.inspector2.display_name, "36000001"):
        assert secret not in html


def test_verify_page_follows_the_status(client, world, db_session):
    document = _order(world)
    with current_app.test_request_context("/"):
        service.void(document, world.users.supervisor, "错误")
    db_session.commit()
    html = client.get(f"/verify/{document.token}").get_data(as_text=True)
    assert "已作废" in html


def test_unknown_or_malformed_token_is_a_clear_404(client, world):
    for token in ("A" * 24, "../../etc/passwd", "%00", "x" * 200, "短"):
        page = client.get(f"/verify/{token}")
        assert page.status_code == 404
        assert "不是真实" in page.get_data(as_text=True) or "非本系统" in page.get_data(as_text=True)


def test_list_detail_pdf_and_tenancy(client, world, db_session):
    document = _order(world)
    db_session.commit()
    as_user(client, world.users.manager)
    listing = client.get("/documents/").get_data(as_text=True)
    assert document.number in listing
    assert client.get(f"/documents/{document.id}").status_code == 200
    pdf = client.get(f"/documents/{document.id}.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    assert pdf.headers["X-Content-SHA256"] == document.pdf_sha256
    as_user(client, world.users.manager_b)
    assert document.number not in client.get("/documents/").get_data(as_text=True)
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/{document.id}.pdf").status_code == 404


def test_void_in_the_ui_needs_a_reason(client, world, db_session):
    document = _order(world)
    db_session.commit()
    as_user(client, world.users.supervisor)
    page = client.post(f"/documents/{document.id}/void", data={"reason": " "})
    assert page.status_code == 422
    assert "请填写作废原因" in page.get_data(as_text=True)
    done = client.post(f"/documents/{document.id}/void", data={"reason": "编号打印错误"}, follow_redirects=True)
    assert done.status_code == 200 and "编号打印错误" in done.get_data(as_text=True)


def test_manager_issues_an_internal_notice_in_the_ui(client, world, hazards, db_session):
    as_user(client, world.users.manager)
    ids = [hazards.a[0].id]
    form = client.get("/documents/new/rectification-notice", query_string={"hazard_ids": ids})
    assert form.status_code == 200 and hazards.a[0].code in form.get_data(as_text=True)
    missing = client.post("/documents/new/rectification-notice", data={"hazard_ids": ids, "recipient": ""})
    assert missing.status_code == 422
    done = client.post("/documents/new/rectification-notice", data={"hazard_ids": ids, "recipient": "储运部"},
                       follow_redirects=True)
    assert done.status_code == 200 and "隐改〔" in done.get_data(as_text=True)


def test_archive_button_prints_the_archive(client, world, hazards, db_session):
    as_user(client, world.users.inspector)
    resp = client.post(f"/hazards/{hazards.a[0].id}/archive", follow_redirects=True)
    assert resp.status_code == 200 and "（甲）隐档〔" in resp.get_data(as_text=True)
    assert client.post(f"/hazards/{hazards.b.id}/archive").status_code == 404


def test_hazard_page_lists_its_documents_and_prints_the_archive(client, world, db_session):
    document = _order(world)
    db_session.commit()
    as_user(client, world.users.manager)
    page = client.get(f"/hazards/{document.hazards[0].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and document.number in html and "print-archive" in html
