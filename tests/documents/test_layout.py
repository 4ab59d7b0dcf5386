"""Print layouts as a legal reviewer reads them, page by page (issue 17 item 7)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from app.documents import service
from tests.documents.conftest import order_of, record_inspection, squash


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_each_officer_signs_on_his_own_line_with_his_certificate_number(world, db_session):
    data = service.pdf_bytes(order_of(record_inspection(world, 2)))
    lines = [squash(line) for page in _pages(data) for line in page.splitlines()]
    one, two = world.users.inspector.display_name, world.users.inspector2.display_name
    first = [line for line in lines if one in line and "执法人员（签名）" in line]
    second = [line for line in lines if two in line and "执法人员（签名）" in line]
    assert len(first) == 1 and "36000001" in first[0] and two not in first[0]
    assert len(second) == 1 and "36000002" in second[0] and one not in second[0]
    text = squash("".join(_pages(data)))
    assert "拒绝签字" in text and "见证人（签名）" in text


def test_a_long_order_prints_its_number_on_every_page_and_no_overflow_note(world, db_session):
    titles = [f"第{i}号储罐区可燃气体报警器未按期检定且现场未设置明显警示标志" for i in range(1, 41)]
    document = order_of(record_inspection(world, 40, titles=titles))
    pages = _pages(service.pdf_bytes(document))
    assert len(pages) >= 2
    for page in pages:
        assert document.number in squash(page)
    assert "此栏不够" not in squash("".join(pages))  # the list simply goes on to the next page
    assert "（（" not in squash("".join(pages))


def test_thirty_hazards_fit_an_enterprise_notice_of_few_pages_with_the_responsible_person(world, db_session):
    from tests.documents.conftest import make_hazard

    manager = world.users.manager
    found = [make_hazard(db_session, world.enterprises.a, n, responsible_user_id=manager.id,
                         title=f"第{n}号储罐区可燃气体报警器失效，现场未设置明显的安全警示标志",
                         description="报警器未按期检定，检定证书过期三个月",
                         measures="立即停用并更换报警器，委托有资质的机构检定，补设安全警示标志")
             for n in range(1, 31)]
    notice = service.issue("rectification_notice", actor=manager, hazards=found, context={"recipient": "生产部"})
    pages = _pages(service.pdf_bytes(notice))
    assert len(pages) <= 5, len(pages)  # 9 pages before
    assert "责任人" in squash(pages[0]) and manager.display_name in squash(pages[0])
    for page in pages:
        assert notice.number in squash(page)
        if "YH-2026-" in page:
            assert "隐患内容" in squash(page)  # the header row on every page of the table
    lines = [squash(line) for page in pages for line in page.splitlines()]
    for n in (1, 15, 30):  # each row whole on one page
        assert sum(f"第{n}号储罐区" in line for line in lines) == 1



def test_characters_outside_the_base_font_print_with_the_fallback_face(world, db_session):
    """CJK Extension B (𠀀) and a rare surname character (𡈼) print, not as blank boxes (issue 17 item 9)."""
    from reports import fonts
    from tests.documents.conftest import pdf_fonts, pdf_text

    assert fonts.fallback_available(), "fonts-hanazono is a system package of the project (Makefile)"
    titles = ["𠀀字样标识缺失", "𡈼某负责区域报警器失效"]
    data = service.pdf_bytes(order_of(record_inspection(world, 2, titles=titles)))
    text = squash(pdf_text(data))
    assert "𠀀字样标识缺失" in text and "𡈼某负责区域" in text
    assert any("HanaMin" in name for name in pdf_fonts(data))


def test_the_qr_code_sits_at_least_10_mm_from_the_papers_edges(world, db_session):
    import pypdfium2
    import pypdfium2.raw as raw

    page = pypdfium2.PdfDocument(service.pdf_bytes(order_of(record_inspection(world, 1))))[0]
    width, height = page.get_size()
    mm = 25.4 / 72
    images = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=5))
    assert len(images) == 1
    left, bottom, right, top = images[0].get_bounds()
    assert min(left, bottom, width - right, height - top) * mm >= 10
