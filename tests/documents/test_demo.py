"""The documents demo step issues real documents for the demo enterprises, once: the notice for
confirmed hazards under rectification (a hazard still "reported" is not yet ordered rectified)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.documents.models import Document


def test_demo_step_issues_notices_and_archives_once(app, db_session):
    from app.cli import DEMO_STEPS
    from app.clock import today
    from app.hazards.service import create_hazard, fire

    steps = {name: fn for name, (fn, _phase) in DEMO_STEPS.items()}
    ctx: dict = {}
    steps["organisations"](ctx)
    key, enterprise = next(iter(ctx["enterprises"].items()))
    users = ctx["users"]
    create_hazard(users[f"{key}_staff"], enterprise=enterprise, title="配电室门口堆放杂物")
    steps["documents"](ctx)
    assert db_session.scalar(select(func.count()).select_from(Document)) == 0  # nothing confirmed yet
    hazard = create_hazard(users[f"{key}_staff"], enterprise=enterprise, title="消防通道堵塞")
    fire(hazard.id, "confirm", users[f"{key}_manager"], level="general", deadline=today(),
         responsible_user_id=users[f"{key}_staff"].id, measures="立即清理通道。")
    steps["documents"](ctx)
    steps["documents"](ctx)
    kinds = db_session.execute(select(Document.kind, func.count()).group_by(Document.kind)).all()
    assert {k.value: n for k, n in kinds} == {"rectification_notice": 1, "hazard_archive": 1}
