"""Fixtures of the documents tests: hazards built directly (the hazards feature owns their lifecycle)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.clock import today
from tests.conftest import login

OFFICERS = [{"name": "张执法", "certificate_no": "36000001"}, {"name": "李执法", "certificate_no": "36000002"}]


def make_hazard(session, enterprise, n=1, **kw):
    from app.hazards.models import Hazard
    from workflows.hazard_states import HazardLevel, HazardSource, HazardState

    values = dict(enterprise_id=enterprise.id, code=f"YH-2026-{n:04d}", title=f"储罐区可燃气体报警器失效{n}",
                  description="报警器未按期检定", location="罐区", source=HazardSource.government_inspection,
                  level=HazardLevel.general, state=HazardState.rectifying, measures="更换并检定报警器",
                  deadline=today() + timedelta(days=10 + n))
    values.update(kw)
    hazard = Hazard(**values)
    session.add(hazard)
    session.flush()
    return hazard


@pytest.fixture
def hazards(world, db_session):
    """Three hazards of enterprise a (county a) and one of enterprise b (county b)."""
    a = [make_hazard(db_session, world.enterprises.a, n) for n in (1, 2, 3)]
    b = make_hazard(db_session, world.enterprises.b, 1)
    db_session.commit()
    return type("H", (), {"a": a, "b": b})


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Extracted text without line breaks and spaces (layout wraps lines anywhere in Chinese)."""
    return "".join(text.split())


def pdf_fonts(data: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def qr_texts(data: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=3).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture
def request_context(app):
    """Services translate their messages; the locale selector (app.extensions) needs a request.
    Not for tests that use the test client (it would share ``g``, hence the logged-in user)."""
    with app.test_request_context("/"):
        yield


def as_user(client, user):
    """Log in as ``user``. The test client shares the db_session fixture's app context, hence ``g``,
    where Flask-Login caches the current user: forget it, or the previous user stays logged in."""
    forget_user()
    return login(client, user)


def forget_user():
    from flask import g

    g.pop("_login_user", None)


# --- inspection records: orders and review opinions are issued from them -------------------------

def record_inspection(world, n=3, *, deadlines=None, titles=None, inspector=None, second=None,
                      description="报警器未按期检定"):
    """An inspection of enterprise a by inspector + inspector2 (county a); it issues the order."""
    from datetime import time

    from app.supervision import inspections
    from app.supervision.inspections import Problem

    deadlines = deadlines or [today() + timedelta(days=10 + i) for i in range(n)]
    titles = titles or [f"储罐区可燃气体报警器失效{i + 1}" for i in range(n)]
    problems = [Problem(title, description=description, deadline=deadline)
                for title, deadline in zip(titles, deadlines, strict=True)]
    return inspections.record(inspector or world.users.inspector, enterprise_id=world.enterprises.a.id,
                              inspected_on=today(), start_time=time(9, 0), end_time=time(11, 0),
                              second_officer_id=(second or world.users.inspector2).id, problems=problems)


def order_of(inspection):
    from app.documents.models import Document
    from app.extensions import db

    return db.session.get(Document, inspection.order_document_id)


def opinion_of(inspection):
    from app.documents.models import Document
    from app.extensions import db

    return db.session.get(Document, inspection.review_document_id)


def submit(world, hazard):
    """The enterprise submits the rectification of ``hazard`` with an "after" photo."""
    from app.hazards import service as hazards
    from tests.hazards.helpers import jpeg_bytes

    hazards.add_attachment(hazard.id, world.users.manager, kind="after", filename="after.jpg",
                           data=jpeg_bytes((30, 160, 30)))
    hazards.fire(hazard.id, "submit", world.users.manager, rectification="已整改完毕")
