"""The hazard archive (一患一档) built from a hazard reported through the hazards feature."""

from __future__ import annotations

import io

import pytest

from app.documents import service
from tests.documents.conftest import pdf_text, squash

pytestmark = pytest.mark.usefixtures("request_context")


def _png(colour) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buf, format="PNG")
    return buf.getvalue()


def test_archive_has_the_hazard_timeline_photos_and_documents(world, db_session):
    from app.hazards.service import create_hazard

    hazard = create_hazard(world.users.staff, enterprise=world.enterprises.a, title="配电室门口堆放易燃纸箱",
                           description="纸箱堵塞疏散通道", location="二号配电室",
                           attachments=[("before", "现场.png", _png("red"))])
    db_session.flush()
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
