"""The demo's public reports: one rewarded end to end, one not accepted, one waiting; the reporter's
identity encrypted like every other."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.public_reports import service
from app.public_reports.models import PublicReport


def test_the_demo_has_reports_in_every_step(demo_session):
    reports = db.session.scalars(select(PublicReport).order_by(PublicReport.id)).all()
    assert {r.state.value for r in reports} >= {"closed", "rejected", "submitted"}
    rewarded = next(r for r in reports if r.reward_state.value == "paid")
    assert rewarded.substantiated and rewarded.reward_amount == 3000 and "安监总财〔2018〕19号" in rewarded.reward_basis
    assert "王小明" not in (rewarded.reporter_name_enc or "")
    from app.public_reports import identity

    assert identity.decrypt(rewarded.reporter_name_enc, "name") == "王小明"
    assert service.enterprises_for_form(rewarded.authority, 3)  # the QR form offers the region's names
