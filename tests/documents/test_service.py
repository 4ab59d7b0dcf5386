"""Issuing, numbering, voiding and re-rendering documents through the service."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service
from app.documents.models import DocumentCounter, DocumentStatus
from app.errors import Conflict, Forbidden, Invalid, NotFound
from tests.documents.conftest import (
    OFFICERS,
    order_of,
    pdf_fonts,
    pdf_text,
    qr_texts,
    record_inspection,
    squash,
    submit,
)

pytestmark = pytest.mark.usefixtures("request_context")


def test_order_number_format_and_gap_free_sequence(world, db_session):
    year = today().year
    first = order_of(record_inspection(world, 2))
    second = order_of(record_inspection(world, 1))
    assert first.number == f"（甲）应急责改〔{year}〕1号"
    assert second.number == f"（甲）应急责改〔{year}〕2号"


def test_order_pdf_prints_the_inspection_record(world, db_session):
    deadlines = [today() + timedelta(days=30)] * 4 + [today() + timedelta(days=60)]
    titles = [f"第{i}号储罐区可燃气体报警器未定期检定" for i in range(1, 6)]
    inspection = record_inspection(world, 5, deadlines=deadlines, titles=titles, description="")
    document = order_of(inspection)
    data = service.pdf_bytes(document)
    text = squash(pdf_text(data))
    for title in titles:
        assert title in text
    assert document.number in text
    assert "甲化工有限公司：" in text
    d = today()
    assert f"{d.year}年{d.month}月{d.day}日，本机关执法人员对你单位进行了现场检查" in text
    assert world.users.inspector.display_name in text and world.users.inspector2.display_name in text
    assert "36000001" in text and "36000002" in text
    assert "如果不服本指令，可以依法在60日内向甲县人民政府申请行政复议" in text
    assert "甲县人民法院" in text
    assert "本文书一式两份：一份由甲县应急管理局备案，一份交被检查单位。" in text
    first, last = deadlines[0], deadlines[-1]
    assert f"第1、2、3、4项问题于{first.year}年{first.month}月{first.day}日前整改完毕" in text
    assert f"第5项问题于{last.year}年{last.month}月{last.day}日前整改完毕" in text
    fonts = pdf_fonts(data)
    assert fonts and all("Noto-Serif-CJK-SC" in f or "Noto-Sans-CJK-SC" in f for f in fonts), fonts
    assert any("Serif" in f for f in fonts) and any("Sans" in f for f in fonts)
    assert qr_texts(data) == [service.verify_url(document.token)]
    assert document.pdf_size == len(data) < 300 * 1024
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # five items fit on one page


def test_same_document_rendered_again_gives_same_bytes(world, db_session):
    document = order_of(record_inspection(world))
    stored = service.pdf_bytes(document)
    assert service.render_again(document) == stored
    assert json.loads(document.context_json)["doc"]["number"] == document.number


def test_a_voided_order_is_issued_again_from_the_record_with_the_hazards_as_they_are(world, db_session):
    inspection = record_inspection(world)
    first = order_of(inspection)
    with pytest.raises(Conflict):  # one valid order per inspection
        service.issue("rectification_order", actor=world.users.inspector, context={}, inspection=inspection)
    service.void(world.users.supervisor, first, "检查日期填写错误")
    inspection.items[0].hazard.level = "major"
    again = service.issue("rectification_order", actor=world.users.inspector2, context={}, inspection=inspection)
    assert again.seq == first.seq + 1 and inspection.order_document_id == again.id
    text = squash(pdf_text(service.pdf_bytes(again)))
    for item in inspection.items:
        assert item.hazard.title in text and item.hazard.code in text
    assert "其中重大事故隐患1项" in text
    assert [h.id for h in again.hazards] == [item.hazard_id for item in inspection.items]


def _counter(db_session):
    return db_session.scalar(select(func.coalesce(func.max(DocumentCounter.last), 0)))


def test_a_foreign_inspection_is_not_found_and_consumes_no_number(world, db_session):
    inspection = record_inspection(world)
    service.void(world.users.supervisor, order_of(inspection), "重新出具")
    with pytest.raises(NotFound):
        service.issue("rectification_order", actor=world.users.inspector_b, context={}, inspection=inspection)
    assert _counter(db_session) == 1


def test_an_order_without_its_inspection_or_with_typed_facts_is_refused_before_numbering(world, db_session):
    inspection, other = record_inspection(world), record_inspection(world, 1)
    with pytest.raises(Invalid) as exc:
        service.issue("rectification_order", actor=world.users.inspector, hazards=[other.items[0].hazard],
                      context={"officers": OFFICERS})
    assert "inspection_id" in exc.value.fields
    service.void(world.users.supervisor, order_of(inspection), "重新出具")
    with pytest.raises(Invalid) as exc:
        service.issue("rectification_order", actor=world.users.inspector, inspection=inspection,
                      context={"officers": OFFICERS, "inspection_date": "2030-01-01"})
    assert {"officers", "inspection_date"} <= set(exc.value.fields)
    with pytest.raises(Invalid) as exc:  # the items are the inspection's hazards
        service.issue("rectification_order", actor=world.users.inspector, inspection=inspection, context={},
                      hazards=[other.items[0].hazard])
    assert "hazard_ids" in exc.value.fields
    assert _counter(db_session) == 2


def test_only_the_inspections_officers_issue_its_order_and_managers_issue_notices(world, db_session):
    inspection = record_inspection(world)
    service.void(world.users.supervisor, order_of(inspection), "重新出具")
    third = world.factory.user("inspector", authority=world.authorities.county_a, certificate_no="36000003")
    for user in (world.users.manager, world.users.supervisor, third):
        with pytest.raises(Forbidden):
            service.issue("rectification_order", actor=user, context={}, inspection=inspection)
    found = [inspection.items[0].hazard]
    notice = service.issue("rectification_notice", actor=world.users.manager, hazards=found,
                           context={"recipient": "生产部", "requirements": "立即落实"})
    assert notice.number == f"隐改〔{today().year}〕1号"
    assert notice.issuer_enterprise_id == world.enterprises.a.id
    assert "生产部：" in squash(pdf_text(service.pdf_bytes(notice)))
    with pytest.raises(Forbidden):
        service.issue("rectification_notice", actor=world.users.inspector, hazards=found,
                      context={"recipient": "生产部"})


def test_an_officer_without_certificate_number_cannot_sign(world, db_session):
    inspection = record_inspection(world)
    service.void(world.users.supervisor, order_of(inspection), "重新出具")
    world.users.inspector2.certificate_no = ""
    with pytest.raises(Invalid) as exc:
        service.issue("rectification_order", actor=world.users.inspector, context={}, inspection=inspection)
    assert "officers" in exc.value.fields


def test_void_is_for_the_issuing_authoritys_supervisor_with_a_reason(world, db_session):
    inspection = record_inspection(world)
    document = order_of(inspection)
    with pytest.raises(Invalid) as exc:
        service.void(world.users.supervisor, document, "   ")
    assert "reason" in exc.value.fields
    # Neither the inspector who issued it, nor the system administrator, nor another authority.
    for user in (world.users.inspector, world.users.inspector2, world.users.admin, world.users.city_supervisor):
        with pytest.raises(Forbidden):
            service.void(user, document, "写错了")
    assert document.status == DocumentStatus.valid
    service.void(world.users.supervisor, document, "被检查单位名称写错")
    assert document.status == DocumentStatus.voided and document.void_reason == "被检查单位名称写错"
    again = service.issue("rectification_order", actor=world.users.inspector, context={}, inspection=inspection)
    assert again.seq == document.seq + 1  # the voided number is never reused
    assert service.pdf_bytes(document)  # the voided PDF stays stored


def test_printing_an_unchanged_archive_again_gives_the_same_document(world, db_session):
    hazard = record_inspection(world, 1).items[0].hazard
    first = service.issue("hazard_archive", actor=world.users.manager, context={}, hazards=[hazard])
    again = service.issue("hazard_archive", actor=world.users.manager, context={}, hazards=[hazard])
    assert again.id == first.id and again.reused and first.status == DocumentStatus.valid
    assert db_session.scalar(select(DocumentCounter.last).where(DocumentCounter.kind == "hazard_archive")) == 1
    submit(world, hazard)  # the history moved on: the next print is a new archive replacing the first
    second = service.issue("hazard_archive", actor=world.users.manager, context={}, hazards=[hazard])
    assert not second.reused and second.number == f"隐档〔{today().year}〕2号"
    assert first.status == DocumentStatus.superseded and first.superseded_by_id == second.id
    text = squash(pdf_text(service.pdf_bytes(second)))
    assert hazard.code in text and hazard.title in text and "隐患档案" in text and "待验收" in text


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


def test_an_issued_document_cannot_be_edited(world, db_session):
    document = order_of(record_inspection(world))
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


def test_number_has_no_double_brackets_when_the_abbreviation_has_its_own():
    from types import SimpleNamespace

    from app.documents.models import DocumentKind

    for abbr in ("（丰）", "(丰)", "丰", " 〔丰〕 "):
        number = service.format_number(DocumentKind.rectification_order, SimpleNamespace(abbreviation=abbr), 2026, 3)
        assert number == "（丰）应急责改〔2026〕3号"
        assert "（（" not in number and "〔〔" not in number
