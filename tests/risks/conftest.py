"""Fixtures of the risk tests: risk points built through the service (validation included)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.risks import service


@pytest.fixture
def make_point(world):
    def make(enterprise=None, assess=None, **data):
        enterprise = enterprise or world.enterprises.a
        data.setdefault("name", "动火作业")
        data.setdefault("area", "一车间")
        data.setdefault("controls", {"engineering": ["设置防火隔离"], "management": ["执行动火审批"],
                                     "ppe": ["佩戴防护面罩"], "emergency": ["立即停止作业并报告"]})
        data.setdefault("hazard_factors", ["2109"])
        data.setdefault("accident_types", ["08", "18"])
        # enterprise a's safety manager keeps its register; another enterprise's is kept here by admin
        actor = world.users.manager if enterprise.id == world.enterprises.a.id else world.users.admin
        point = service.create_point(actor, enterprise, **data)
        if assess:
            service.assess(actor, point, *assess)
        db.session.commit()
        return point

    return make


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _forget_user(sender, **_kw):
    from flask import g

    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def request_ctx(request, app):
    """Service messages are translated (gettext needs a request for the locale).

    The test's app context (db_session) is shared by every request of the test client, and so is
    ``g``, where Flask-Login caches the user: forget it at each request so that switching users works.
    """
    from flask import request_started

    if request.node.get_closest_marker("postgres"):  # real connections and commits: no shared session
        yield
        return
    if "demo_session" in request.fixturenames:  # the session's demo, in a database of its own
        app = request.getfixturevalue("demo").app
        request.getfixturevalue("demo_session")
    else:
        request.getfixturevalue("db_session")
    request_started.connect(_forget_user, app)
    try:
        with app.test_request_context():
            yield
    finally:
        request_started.disconnect(_forget_user, app)
