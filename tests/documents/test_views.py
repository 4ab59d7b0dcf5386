"""Web pages: list, detail, PDF, void, and the public verification page."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.documents import service
from app.documents.models import Document, DocumentKind
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
        service.void(world.users.supervisor, document, "错误")
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


def test_an_archive_printed_from_the_english_ui_is_in_chinese(client, world, db_session):
    from tests.documents.conftest import pdf_text, squash, submit

    with current_app.test_request_context("/"):
        hazard = record_inspection(world, 1).items[0].hazard
        submit(world, hazard)
    db_session.commit()
    as_user(client, world.users.manager)
    client.get("/lang/en")
    page = client.get(f"/hazards/{hazard.id}")
    assert "Pending review" in page.get_data(as_text=True)  # the reader's UI is English
    resp = client.post(f"/hazards/{hazard.id}/archive")
    assert resp.status_code == 302
    document = db_session.scalar(select(Document).where(Document.kind == DocumentKind.hazard_archive))
    text = squash(pdf_text(service.pdf_bytes(document)))
    assert "待验收" in text and "监管检查" in text and "一般隐患" in text and "提交整改" in text
    for english in ("Pending review", "Government", "General", "Submit"):
        assert english not in text


def test_a_second_review_supersedes_the_first_opinion_and_its_page_says_so(client, world, db_session):
    from datetime import timedelta

    from app.clock import today
    from app.supervision import inspections
    from app.supervision.inspections import Verdict
    from tests.documents.conftest import opinion_of, pdf_text, squash, submit

    new_deadline = today() + timedelta(days=25)
    with current_app.test_request_context("/"):
        inspection = record_inspection(world, 3)
        first, second, third = inspection.items
        submit(world, first.hazard)
        submit(world, second.hazard)  # the third is not due yet and not submitted
        inspections.review(world.users.inspector2, inspection.id, [
            Verdict(first.id, "accept"),
            Verdict(second.id, "reject", reason="报警器未重新检定", new_deadline=new_deadline)])
        opinion = opinion_of(inspection)
    text = squash(pdf_text(service.pdf_bytes(opinion)))
    assert "复查结论：部分整改合格" in text
    assert "已整改合格" in text
    assert (f"未通过：报警器未重新检定；重新整改期限：{new_deadline.year}年{new_deadline.month}月"
            f"{new_deadline.day}日") in text
    # The third item is neither submitted nor due: it is not "未整改".
    assert f"{third.hazard.code}未到整改期限" in text and f"{third.hazard.code}未整改" not in text

    with current_app.test_request_context("/"):
        submit(world, second.hazard)
        inspections.review(world.users.inspector, inspection.id, [Verdict(second.id, "accept")])
        later = opinion_of(inspection)
    db_session.commit()
    assert later.id != opinion.id and later.number.endswith("〕2号")
    db_session.refresh(opinion)
    assert opinion.status.value == "superseded" and opinion.superseded_by_id == later.id
    html = client.get(f"/verify/{opinion.token}").get_data(as_text=True)
    assert "已被取代" in html or "已被替代" in html
    assert later.number in html
    assert world.users.inspector.display_name not in html and "报警器" not in html


def test_after_delisting_the_supervision_notice_page_says_it_was_lifted(client, world, db_session):
    with current_app.test_request_context("/"):
        hazard = record_inspection(world, 1).items[0].hazard
        supervisor = world.users.city_supervisor
        notice = service.issue("supervision_notice", actor=supervisor, hazards=[hazard], listing_id=42, context={
            "deadline": hazard.deadline.isoformat(), "situation": "液氯储罐区未设置紧急切断装置",
            "listing_level": "市级", "listing_body": "测试市应急管理局", "treatment_unit": "甲化工有限公司"})
    db_session.commit()
    html = client.get(f"/verify/{notice.token}").get_data(as_text=True)
    assert "真实有效" in html and "解除" not in html
    with current_app.test_request_context("/"):
        delisting = service.issue("delisting_notice", actor=supervisor, hazards=[hazard], listing_id=42, context={
            "original_number": notice.number, "original_date": "2026-11-01", "review_date": "2026-11-20",
            "conclusion": "已整改完毕，验收合格。"})
    db_session.commit()
    html = client.get(f"/verify/{notice.token}").get_data(as_text=True)
    assert "已解除挂牌督办" in html and delisting.number in html and "真实有效" not in html
    assert "甲化工有限公司" not in html and hazard.title not in html


def test_the_notice_form_posting_the_hazard_in_its_address_and_body_issues_once(client, world, hazards, db_session):
    """The page's form posts to its own address (?hazard_ids=N) with the hazard as a hidden field too."""
    as_user(client, world.users.manager)
    hazard = hazards.a[0]
    resp = client.post(f"/documents/new/rectification-notice?hazard_ids={hazard.id}",
                       data={"hazard_ids": hazard.id, "recipient": "储运部"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    document = db_session.scalar(select(Document).where(Document.kind == DocumentKind.rectification_notice))
    assert [h.id for h in document.hazards] == [hazard.id]


def test_verify_page_shows_page_count_and_digest_to_compare(client, world, db_session):
    """A holder compares the paper's page count and the PDF's hash with the page (issue 17 item 8)."""
    import io

    from pypdf import PdfReader

    document = _order(world)
    db_session.commit()
    with current_app.test_request_context("/"):
        pages = len(PdfReader(io.BytesIO(service.pdf_bytes(document))).pages)
    html = client.get(f"/verify/{document.token}").get_data(as_text=True)
    assert f'<dd id="verify-pages">{pages}</dd>' in html
    head = document.pdf_sha256[:16].upper()
    assert " ".join(head[i:i + 4] for i in range(0, 16, 4)) in html
    assert document.pdf_sha256 not in html.lower()  # a short digest, not the whole hash
    assert "页数" in html and "内容摘要" in html
