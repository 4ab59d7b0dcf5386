"""The documents demo step issues real documents for the demo enterprises, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.clock import today
from app.documents.models import Document


def test_demo_step_issues_notices_and_archives_once(app, db_session):
    from app.cli import DEMO_STEPS
    from app.hazards.service import create_hazard, fire

    steps = dict(DEMO_STEPS)
    ctx: dict = {}
    steps["organisations"](ctx)
    key, enterprise = next(iter(ctx["enterprises"].items()))
    hazard = create_hazard(ctx["users"][f"{key}_staff"], enterprise=enterprise, title="消防通道堵塞")
    # A notice is for confirmed hazards that are still open: the manager confirms it first.
    manager = ctx["users"][f"{key}_manager"]
    fire(hazard.id, "confirm", manager, level="general", deadline=today() + timedelta(days=10),
         responsible_user_id=manager.id, measures="清理通道")
    steps["documents"](ctx)
    steps["documents"](ctx)
    kinds = db_session.execute(select(Document.kind, func.count()).group_by(Document.kind)).all()
    assert {k.value: n for k, n in kinds} == {"rectification_notice": 1, "hazard_archive": 1}
