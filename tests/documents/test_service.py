"""Issuing, numbering, voiding and re-rendering documents through the service."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service
from app.documents.models import Document, DocumentCounter, DocumentStatus
from app.errors import Forbidden, Invalid, NotFound
from tests.documents.conftest import OFFICERS, pdf_fonts, pdf_text, qr_texts, squash

pytestmark = pytest.mark.usefixtures("request_context")


def issue_order(world, hazards, actor=None, **extra):
    context = {"officers": OFFICERS, **extra}
    return service.issue("rectification_order", actor=actor or world.users.inspector, context=context,
                         hazards=hazards)


def test_order_number_format_and_gap_free_sequence(world, hazards, db_session):
    year = today().year
    first = issue_order(world, hazards.a[:2])
    second = issue_order(world, hazards.a[2:])
    assert first.number == f"（甲）应急责改〔{year}〕1号"
    assert second.number == f"（甲）应急责改〔{year}〕2号"
    review = service.issue("review_opinion", actor=world.users.inspector, hazards=hazards.a[:2], context={
        "officers": OFFICERS, "original_number": first.number, "original_date": today().isoformat(),
        "review_date": today().isoformat(), "opinion": "经复查，已整改合格。"})
    assert review.number == f"（甲）应急复查〔{year}〕1号"  # its own counter per kind


def test_order_pdf_says_what_was_entered(world, hazards, db_session):
    items = [{"text": f"第{i}号储罐区可燃气体报警器未定期检定", "deadline": f"{today().year + 1}-01-0{i}"}
             for i in range(1, 6)]
    document = issue_order(world, hazards.a, items=items, inspection_date="2026-11-20")
    data = service.pdf_bytes(document)
    text = squash(pdf_text(data))
    for item in items:
        assert item["text"] in text
    assert document.number in text
    assert "甲化工有限公司：" in text
    assert "张执法" in text and "36000002" in text
    assert "如果不服本指令，可以依法在60日内向甲县人民政府申请行政复议" in text
    assert "甲县人民法院" in text
    assert "本文书一式两份：一份由甲县应急管理局备案，一份交被检查单位。" in text
    assert f"第1项问题于{today().year + 1}年1月1日前整改完毕" in text
    fonts = pdf_fonts(data)
    assert fonts and all("Noto-Serif-CJK-SC" in f or "Noto-Sans-CJK-SC" in f for f in fonts), fonts
    assert any("Serif" in f for f in fonts) and any("Sans" in f for f in fonts)
    assert qr_texts(data) == [service.verify_url(document.token)]
    assert document.pdf_size == len(data) < 300 * 1024
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # five items fit on one page


def test_same_document_rendered_again_gives_same_bytes(world, hazards, db_session):
    document = issue_order(world, hazards.a)
    stored = service.pdf_bytes(document)
    assert service.render_again(document) == stored
    assert json.loads(document.context_json)["doc"]["number"] == document.number


def test_items_and_counts_filled_from_hazards(world, hazards, db_session):
    hazards.a[0].level = "major"
    document = issue_order(world, hazards.a)
    text = squash(pdf_text(service.pdf_bytes(document)))
    for hazard in hazards.a:
        assert hazard.title in text and hazard.code in text
    assert "其中重大事故隐患1项" in text
    assert [h.id for h in document.hazards] == [h.id for h in hazards.a]


def _counter(db_session):
    return db_session.scalar(select(func.coalesce(func.max(DocumentCounter.last), 0)))


def test_foreign_hazard_is_not_found_and_consumes_no_number(world, hazards, db_session):
    issue_order(world, hazards.a[:1])
    with pytest.raises(NotFound):
        issue_order(world, [hazards.b])
    with pytest.raises(NotFound):  # mixed: one foreign hazard spoils the lot
        issue_order(world, [hazards.a[1], hazards.b])
    assert _counter(db_session) == 1
    assert issue_order(world, hazards.a[1:2]).seq == 2


def test_bad_context_is_refused_before_numbering(world, hazards, db_session):
    with pytest.raises(Invalid) as exc:
        service.issue("rectification_order", actor=world.users.inspector, hazards=hazards.a,
                      context={"officers": OFFICERS[:1]})
    assert "officers" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        issue_order(world, hazards.a, inspection_date="2026-13-45")
    assert "inspection_date" in exc.value.fields
    assert db_session.scalar(select(func.count(Document.id))) == 0
    assert _counter(db_session) == 0


def test_only_inspectors_issue_orders_and_managers_issue_notices(world, hazards, db_session):
    with pytest.raises(Forbidden):
        issue_order(world, hazards.a, actor=world.users.manager)
    with pytest.raises(Forbidden):
        issue_order(world, hazards.a, actor=world.users.supervisor)
    notice = service.issue("rectification_notice", actor=world.users.manager, hazards=hazards.a[:1],
                           context={"recipient": "生产部", "requirements": "立即落实"})
    assert notice.number == f"隐改〔{today().year}〕1号"
    assert notice.issuer_enterprise_id == world.enterprises.a.id
    assert "生产部：" in squash(pdf_text(service.pdf_bytes(notice)))
    with pytest.raises(Forbidden):
        service.issue("rectification_notice", actor=world.users.inspector, hazards=hazards.a[:1],
                      context={"recipient": "生产部"})


def test_void_keeps_the_number_and_needs_a_reason(world, hazards, db_session):
    document = issue_order(world, hazards.a)
    with pytest.raises(Invalid) as exc:
        service.void(document, world.users.supervisor, "   ")
    assert "reason" in exc.value.fields
    with pytest.raises(Forbidden):
        service.void(document, world.users.inspector2, "写错了")  # neither issuer nor supervisor
    service.void(document, world.users.supervisor, "被检查单位名称写错")
    assert document.status == DocumentStatus.voided and document.void_reason == "被检查单位名称写错"
    again = issue_order(world, hazards.a)
    assert again.seq == document.seq + 1  # the voided number is never reused
    assert service.pdf_bytes(document)  # the voided PDF stays stored


def test_new_archive_supersedes_the_previous(world, hazards, db_session):
    first = service.issue("hazard_archive", actor=world.users.manager, context={}, hazards=hazards.a[:1])
    second = service.issue("hazard_archive", actor=world.users.manager, context={}, hazards=hazards.a[:1])
    assert first.status == DocumentStatus.superseded and first.superseded_by_id == second.id
    assert second.number == f"隐档〔{today().year}〕2号"
    text = squash(pdf_text(service.pdf_bytes(second)))
    assert hazards.a[0].code in text and hazards.a[0].title in text and "隐患档案" in text


def test_supervision_and_delisting_notices(world, hazards, db_session):
    from datetime import timedelta

    hazard = hazards.a[0]
    supervisor = world.users.city_supervisor  # listed at city level
    notice = service.issue("supervision_notice", actor=supervisor, hazards=[hazard], listing_id=42, context={
        "deadline": (today() + timedelta(days=60)).isoformat(), "situation": "液氯储罐区未设置紧急切断装置",
        "listing_level": "市级", "listing_body": "测试市应急管理局", "basis": "化工重大隐患判定标准第十条",
        "supervision_unit": "甲县应急管理局", "production_status": "局部停产停业", "copy_to": "甲县人民政府"})
    year = today().year
    assert notice.number == f"（测）应急督办〔{year}〕1号" and notice.listing_id == 42
    text = squash(pdf_text(service.pdf_bytes(notice)))
    for expected in ("重大事故隐患挂牌督办通知书", "甲化工有限公司：", hazard.title, "液氯储罐区未设置紧急切断装置",
                     "化工重大隐患判定标准第十条", "局部停产停业", "抄送：甲县人民政府",
                     "如果不服本通知，可以依法在60日内向测试市人民政府申请行政复议"):
        assert expected in text, expected
    delisting = service.issue("delisting_notice", actor=supervisor, hazards=[hazard], context={
        "original_number": notice.number, "original_date": today().isoformat(), "review_date": today().isoformat(),
        "conclusion": "紧急切断装置已安装并经检验合格。"})
    assert delisting.number == f"（测）应急解督〔{year}〕1号"
    text = squash(pdf_text(service.pdf_bytes(delisting)))
    assert notice.number in text and "决定解除对该重大事故隐患的挂牌督办" in text
    assert "紧急切断装置已安装并经检验合格。" in text
    with pytest.raises(Forbidden):  # inspectors do not list
        service.issue("supervision_notice", actor=world.users.inspector, hazards=[hazard], context={})


def test_review_opinion_names_the_order_and_the_outcome(world, hazards, db_session):
    order = issue_order(world, hazards.a)
    review = service.issue("review_opinion", actor=world.users.inspector2, hazards=hazards.a, context={
        "officers": OFFICERS, "original_number": order.number, "original_date": "2026-11-01",
        "review_date": "2026-11-21", "outcome": "partial", "opinion": "第2项未整改，责令继续整改。",
        "items": [{"text": "报警器", "rectified": True}, {"text": "配电柜前杂物", "rectified": False}]})
    text = squash(pdf_text(service.pdf_bytes(review)))
    assert f"《责令限期整改指令书》（{order.number}）" in text
    assert "复查结论：部分整改" in text and "第2项未整改，责令继续整改。" in text
    assert "不服" not in text  # an opinion carries no rights notice
    assert "一份交被复查单位" in text


def test_an_issued_document_cannot_be_edited(world, hazards, db_session):
    document = issue_order(world, hazards.a)
    db_session.commit()
    document.number = "（甲）应急责改〔2026〕999号"
    with pytest.raises(ValueError, match="immutable"):
        db_session.flush()
    db_session.rollback()


def test_missing_harfbuzz_is_logged_at_start_up(monkeypatch, caplog):
    import logging

    from reports import render

    monkeypatch.setattr(render, "harfbuzz_subsetter_available", lambda: False)
    with caplog.at_level(logging.WARNING):
        assert render.check_fonts(logging.getLogger("test")) is False
    assert "libharfbuzz-subset0 is missing" in caplog.text
    monkeypatch.undo()
    assert render.check_fonts(logging.getLogger("test")) is True  # this host has it


def test_risk_cards_are_numbered_per_enterprise_and_replace_the_points_previous_card(
        world, hazards, db_session, monkeypatch):
    from reports import contexts

    # The card template belongs to the risks feature; any template with these variables stands in.
    monkeypatch.setitem(contexts.TEMPLATES, "risk_card", ("delisting_notice.html", "test"))
    card = {"risk_point_id": 7, "addressee": "液氯充装岗", "enterprise_name": "甲化工有限公司", "hazard_name": "中毒",
            "hazard_code": "", "original_number": "", "original_date": "2026-11-01", "review_date": "2026-11-01",
            "conclusion": "", "copy_to": ""}

    def issue_card(point_id):
        return service.issue("risk_card", actor=world.users.manager, enterprise=world.enterprises.a,
                             context={**card, "risk_point_id": point_id})

    first, other_point, second = issue_card(7), issue_card(8), issue_card(7)
    assert first.number == f"告知卡〔{today().year}〕1号" and second.seq == 3
    assert json.loads(second.context_json)["c"]["card_no"] == second.number
    assert first.status == DocumentStatus.superseded and first.superseded_by_id == second.id
    assert other_point.status == DocumentStatus.valid
    assert "液氯充装岗" in squash(pdf_text(service.pdf_bytes(second)))
