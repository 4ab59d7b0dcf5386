"""The hazard archive (一患一档) built from a hazard reported through the hazards feature."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service
from app.documents.models import Document
from app.errors import Invalid
from tests.documents.conftest import pdf_text, squash

pytestmark = pytest.mark.usefixtures("request_context")


def _png(colour) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buf, format="PNG")
    return buf.getvalue()


def _confirm(world, hazard, **kw):
    from app.hazards import service as hazards

    return hazards.fire(hazard.id, "confirm", world.users.manager, level="general",
                        deadline=today() + timedelta(days=20), responsible_user_id=world.users.manager.id,
                        measures=kw.pop("measures", "清理纸箱，保持通道畅通"), **kw)


def test_archive_has_the_hazard_timeline_photos_and_documents(world, db_session):
    from app.hazards.service import create_hazard

    hazard = create_hazard(world.users.staff, enterprise=world.enterprises.a, title="配电室门口堆放易燃纸箱",
                           description="纸箱堵塞疏散通道", location="二号配电室",
                           attachments=[("before", "现场.png", _png("red"))])
    db_session.flush()
    _confirm(world, hazard)
    notice = service.issue("rectification_notice", actor=world.users.manager, hazards=[hazard],
                           context={"recipient": "仓储部"})
    archive = service.issue("hazard_archive", actor=world.users.manager, hazards=[hazard], context={})
    data = service.pdf_bytes(archive)
    text = squash(pdf_text(data))
    for expected in ("隐患档案", hazard.code, "配电室门口堆放易燃纸箱", "纸箱堵塞疏散通道", "二号配电室",
                     "整改前照片", "现场.png", "相关文书", notice.number, "处理过程"):
        assert expected in text, expected
    from pypdf import PdfReader

    images = [img for page in PdfReader(io.BytesIO(data)).pages for img in page.images]
    assert len(images) >= 2  # the QR code and the "before" photo
    assert service.render_again(archive) == data  # photos are re-derived identically
    assert len(archive.context_json) < 20_000  # photos stored by reference, not as data URIs


def test_archive_ignores_a_caller_supplied_context(world, hazards, db_session):
    archive = service.issue("hazard_archive", actor=world.users.manager, hazards=hazards.a[:1],
                            context={"hazard": {"code": "伪造", "title": "伪造的内容"}})
    text = squash(pdf_text(service.pdf_bytes(archive)))
    assert "伪造" not in text and hazards.a[0].title in text


def test_a_rectification_notice_is_only_for_confirmed_open_hazards(world, db_session):
    from app.hazards.service import create_hazard

    hazard = create_hazard(world.users.staff, enterprise=world.enterprises.a, title="消防通道堆放杂物")
    db_session.flush()
    with pytest.raises(Invalid) as exc:  # reported, not confirmed yet
        service.issue("rectification_notice", actor=world.users.manager, hazards=[hazard],
                      context={"recipient": "仓储部"})
    assert "hazard_ids" in exc.value.fields
    assert db_session.scalar(select(func.count(Document.id))) == 0
    _confirm(world, hazard)
    notice = service.issue("rectification_notice", actor=world.users.manager, hazards=[hazard, hazard],
                           context={"recipient": "仓储部"})
    assert [h.id for h in notice.hazards] == [hazard.id]  # named twice, attached once


def test_a_hazard_with_the_longest_text_the_app_accepts_prints_whole_across_pages(world, db_session):
    from pypdf import PdfReader

    from app.hazards.service import create_hazard
    from workflows.limits import TEXT_MAX

    sentence = "储罐区防火堤内积存大量雨水和油污，排水阀常开，未设置切断措施。"
    description = (sentence * (TEXT_MAX // len(sentence) + 1))[:TEXT_MAX - 4] + "描述结束"
    measures = (sentence * (TEXT_MAX // len(sentence) + 1))[:TEXT_MAX - 4] + "措施结束"
    assert len(description) == len(measures) == TEXT_MAX
    hazard = create_hazard(world.users.staff, enterprise=world.enterprises.a, title="防火堤排水阀常开",
                           description=description)
    db_session.flush()
    _confirm(world, hazard, measures=measures)
    archive = service.issue("hazard_archive", actor=world.users.manager, hazards=[hazard], context={})
    notice = service.issue("rectification_notice", actor=world.users.manager, hazards=[hazard],
                           context={"recipient": "储运部", "requirements": measures})
    for document in (archive, notice):
        data = service.pdf_bytes(document)
        text = squash(pdf_text(data))
        assert len(PdfReader(io.BytesIO(data)).pages) > 2
        assert "描述结束" in text and "措施结束" in text
        assert text.count("储罐区防火堤内积存大量雨水和油污") >= TEXT_MAX // len(sentence)
