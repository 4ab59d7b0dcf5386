"""The hazard service: lifecycle, reviewer rules, guards, bad input, history, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app import signals
from app.clock import today
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.hazards import history, service
from app.hazards.models import Hazard, HazardAttachment, HazardEvent
from app.notifications.models import Notification
from tests.hazards.helpers import PLAN, jpeg_bytes, make_hazard


def events(hazard):
    return db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                              .order_by(HazardEvent.seq)).all()


def confirm_args(world, **kw):
    args = {"level": "general", "deadline": today() + timedelta(days=10),
            "responsible_user_id": world.users.staff.id, "measures": "加装防护罩"}
    args.update(kw)
    return args


def test_codes_are_sequential_per_enterprise_and_year(world):
    u = world.users
    a1 = service.create_hazard(u.staff, enterprise=world.enterprises.a, title="一")
    a2 = service.create_hazard(u.manager, enterprise=world.enterprises.a, title="二")
    b1 = service.create_hazard(u.manager_b, enterprise=world.enterprises.b, title="三")
    year = today().year
    assert (a1.code, a2.code, b1.code) == (f"YH-{year}-0001", f"YH-{year}-0002", f"YH-{year}-0001")
    assert a1.state == "reported" and a1.source == "self_inspection"
    assert [e.trigger for e in events(a1)] == ["report"]


def test_inspector_records_a_government_found_hazard(world):
    h = service.create_hazard(world.users.inspector, enterprise=world.enterprises.a, title="消防通道堵塞")
    assert h.source == "government_inspection"
    assert h.found_by_authority_id == world.authorities.county_a.id


def test_foreign_enterprise_is_not_found(world):
    with pytest.raises(NotFound):
        service.create_hazard(world.users.staff, enterprise=world.enterprises.b, title="x")
    with pytest.raises(NotFound):
        service.create_hazard(world.users.inspector_b, enterprise=world.enterprises.a, title="x")


def test_full_lifecycle_with_reject_and_resubmit(world):
    u = world.users
    h = make_hazard(world)
    service.fire(h.id, "confirm", u.manager, **confirm_args(world))
    assert h.state == "rectifying" and h.responsible_user_id == u.staff.id
    service.add_attachment(h.id, u.staff, kind="after", filename="a.jpg", data=jpeg_bytes())
    service.fire(h.id, "submit", u.staff, rectification="已加装")
    service.fire(h.id, "reject", u.manager, reason="防护罩未固定", deadline=today() + timedelta(days=20))
    assert h.state == "rectifying" and h.deadline == today() + timedelta(days=20)
    service.fire(h.id, "submit", u.staff, rectification="已固定")
    service.fire(h.id, "accept", u.manager, comment="合格")
    assert h.state == "closed" and h.closed_at is not None
    triggers = [e.trigger for e in events(h)]
    assert triggers == ["report", "attach", "confirm", "attach", "submit", "reject", "submit", "accept"]
    assert history.verify() == {}


def test_guards_name_every_missing_field_and_change_nothing(world):
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "confirm", world.users.manager)
    assert set(exc.value.fields) == {"level", "responsible_user_id", "deadline", "measures"}
    db.session.rollback()
    h = db.session.get(Hazard, h.id)
    assert h.state == "reported" and len(events(h)) == 2


def test_deadline_in_the_past_is_refused(world):
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "confirm", world.users.manager,
                     **confirm_args(world, deadline=(today() - timedelta(days=1)).isoformat()))
    assert list(exc.value.fields) == ["deadline"]


def test_bad_values_are_refused(world):
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "confirm", world.users.manager,
                     **confirm_args(world, level="huge", deadline="next week",
                                    responsible_user_id=world.users.manager_b.id))
    assert set(exc.value.fields) == {"level", "deadline", "responsible_user_id"}


def test_submit_without_after_evidence(world):
    h = make_hazard(world, state="rectifying")
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "submit", world.users.staff, rectification="done")
    assert list(exc.value.fields) == ["attachments"]


def test_trigger_sent_twice_conflicts(world):
    h = make_hazard(world, state="pending_review")
    service.fire(h.id, "accept", world.users.manager)
    with pytest.raises(Conflict):
        service.fire(h.id, "accept", world.users.manager)


def test_stale_version_conflicts(world):
    h = make_hazard(world)
    old = h.version
    service.fire(h.id, "regrade", world.users.manager, level="major", reason="复核")
    with pytest.raises(Conflict):
        service.fire(h.id, "void", world.users.manager, reason="重复", version=old)


def test_reviewer_of_self_found_general_is_the_manager(world):
    u = world.users
    h = make_hazard(world, state="pending_review")
    assert service.allowed_triggers(h, u.manager) == ["accept", "reject"]
    assert service.allowed_triggers(h, u.inspector) == []
    assert service.allowed_triggers(h, u.staff) == []
    with pytest.raises(Forbidden):
        service.fire(h.id, "accept", u.inspector)
    with pytest.raises(Forbidden):
        service.fire(h.id, "accept", u.principal)


def test_reviewer_never_reviews_his_own_rectification(world):
    u = world.users
    h = make_hazard(world, state="rectifying", responsible=u.manager)
    service.add_attachment(h.id, u.manager, kind="after", filename="a.jpg", data=jpeg_bytes())
    service.fire(h.id, "submit", u.manager, rectification="已整改")
    assert service.allowed_triggers(h, u.manager) == []
    with pytest.raises(Forbidden) as exc:
        service.fire(h.id, "accept", u.manager)
    assert "someone else" in exc.value.message or "他人" in exc.value.message


def test_government_found_is_reviewed_by_the_finding_authority(world):
    u = world.users
    h = make_hazard(world, state="pending_review", source="government_inspection")
    assert service.allowed_triggers(h, u.manager) == []
    assert service.allowed_triggers(h, u.inspector2) == ["accept", "reject"]
    assert service.allowed_triggers(h, u.city_inspector) == []  # another authority
    with pytest.raises(NotFound):
        service.fire(h.id, "accept", u.inspector_b)  # cannot even see it
    with pytest.raises(Forbidden):
        service.fire(h.id, "accept", u.manager)
    service.fire(h.id, "accept", u.inspector2)
    assert h.state == "closed"


def test_major_self_found_is_reviewed_by_a_local_inspector(world):
    u = world.users
    h = make_hazard(world, state="pending_review", level="major")
    assert service.allowed_triggers(h, u.manager) == []
    assert "accept" in service.allowed_triggers(h, u.inspector)


def test_listed_hazard_only_the_listing_authority_closes(world):
    u = world.users
    h = make_hazard(world, state="pending_review", source="government_inspection")
    city = world.authorities.city
    with signals.listing_authority.added("test", lambda hz: city if hz.id == h.id else None):
        assert service.allowed_triggers(h, u.inspector) == []
        assert service.allowed_triggers(h, u.city_inspector) == ["accept", "reject"]
        with pytest.raises(Forbidden):
            service.fire(h.id, "accept", u.inspector)
        service.fire(h.id, "accept", u.city_inspector)


def test_major_hazard_needs_an_approved_plan(world):
    u = world.users
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "confirm", u.manager, **confirm_args(world, level="major"))
    assert list(exc.value.fields) == ["plan"]
    db.session.rollback()
    service.save_plan(h.id, u.manager, **{k: v for k, v in PLAN.items() if k != "funds"})
    with pytest.raises(Invalid) as exc:
        service.approve_plan(h.id, u.principal)
    assert set(exc.value.fields) == {"funds", "workers_congress_reported_on"}
    db.session.rollback()
    with pytest.raises(Forbidden):
        service.approve_plan(h.id, u.manager)
    # a suspension given with the plan is not the plan's: it comes from the on-site measures decision
    service.save_plan(h.id, u.manager, workers_congress_reported_on=today().isoformat(),
                      production_suspension="partial", **PLAN)
    service.approve_plan(h.id, u.principal)
    service.fire(h.id, "confirm", u.manager, **confirm_args(world, level="major"))
    assert h.state == "rectifying" and h.production_suspension == "none"
    # editing the approved plan withdraws the approval; submitting is blocked until re-approved
    service.save_plan(h.id, u.manager, workers_congress_reported_on=today(), **{**PLAN, "funds": "8万元"})
    assert h.plan.approved_at is None
    service.add_attachment(h.id, u.staff, kind="after", filename="a.jpg", data=jpeg_bytes())
    with pytest.raises(Invalid) as exc:
        service.fire(h.id, "submit", u.staff, rectification="done")
    assert list(exc.value.fields) == ["plan"]


def test_upgrade_to_major_stops_progress(world):
    u = world.users
    h = make_hazard(world, state="rectifying")
    service.fire(h.id, "regrade", u.manager, level="major", reason="复核为重大")
    service.add_attachment(h.id, u.staff, kind="after", filename="a.jpg", data=jpeg_bytes())
    with pytest.raises(Invalid):
        service.fire(h.id, "submit", u.staff, rectification="done")
    # once major, the enterprise cannot downgrade it by itself
    assert "regrade" not in service.allowed_triggers(h, u.manager)
    assert "regrade" in service.allowed_triggers(h, u.inspector)


def test_extend_needs_later_deadline(world):
    u = world.users
    h = make_hazard(world, state="rectifying")
    with pytest.raises(Invalid):
        service.fire(h.id, "extend", u.manager, deadline=h.deadline.isoformat(), reason="等备件")
    service.fire(h.id, "extend", u.manager, deadline=(h.deadline + timedelta(days=5)).isoformat(),
                 reason="等备件")
    assert events(h)[-1].data["previous"]["deadline"] is not None


def test_on_the_spot_records_three_events(world):
    u = world.users
    h = make_hazard(world)
    service.rectify_on_the_spot(h.id, u.manager, responsible_user_id=u.staff.id, measures="清理",
                                rectification="已清理", attachments=[("after", "a.jpg", jpeg_bytes())])
    assert h.state == "closed" and h.submitted_by_id == u.staff.id
    assert [e.trigger for e in events(h)][-3:] == ["confirm", "submit", "accept"]
    assert history.verify() == {}


def test_on_the_spot_refuses_yourself_as_responsible(world):
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.rectify_on_the_spot(h.id, world.users.manager, responsible_user_id=world.users.manager.id,
                                    measures="x", rectification="y",
                                    attachments=[("after", "a.jpg", jpeg_bytes())])
    assert list(exc.value.fields) == ["responsible_user_id"]


def test_bad_uploads_and_long_text(world, app):
    u = world.users
    h = make_hazard(world)
    with pytest.raises(Invalid) as exc:
        service.add_attachment(h.id, u.staff, kind="before", filename="photo.jpg", data=b"not an image" * 10)
    assert "file" in exc.value.fields
    big = b"\xff\xd8" + b"0" * (app.config["MAX_UPLOAD_BYTES"] + 1)
    with pytest.raises(Invalid):
        service.add_attachment(h.id, u.staff, kind="before", filename="big.jpg", data=big)
    with pytest.raises(Invalid) as exc:
        service.create_hazard(u.staff, enterprise=world.enterprises.a, title="x", description="长" * 100_000)
    assert list(exc.value.fields) == ["description"]
    with pytest.raises(Invalid) as exc:
        service.create_hazard(u.staff, enterprise=world.enterprises.a, title="")
    assert list(exc.value.fields) == ["title"]


def test_exif_time_and_gps_are_kept(world):
    h = make_hazard(world)
    taken = datetime(2026, 3, 4, 10, 20, 30)
    row = service.add_attachment(h.id, world.users.staff, kind="before", filename="p.jpg",
                                 data=jpeg_bytes(taken_at=taken, gps=(31.2304, 121.4737)))
    assert row.taken_at == taken
    assert abs(row.gps_lat - 31.2304) < 0.001 and abs(row.gps_lon - 121.4737) < 0.001


def test_signals_are_sent(world):
    seen = []

    def receiver(sender, **kw):
        seen.append((sender.id, kw.get("trigger")))

    signals.hazard_created.connect(receiver)
    signals.hazard_transitioned.connect(receiver)
    try:
        h = make_hazard(world, state="rectifying")
    finally:
        signals.hazard_created.disconnect(receiver)
        signals.hazard_transitioned.disconnect(receiver)
    assert seen == [(h.id, None), (h.id, "confirm")]


def test_tampering_is_caught_by_audit_verify(world, runner):
    h = make_hazard(world, state="closed")
    other = make_hazard(world, state="rectifying")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    db.session.execute(update(HazardEvent).where(HazardEvent.hazard_id == h.id, HazardEvent.trigger == "accept")
                       .values(comment="改过的意见"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert h.code in result.output and f"hazard {h.id} " in result.output
    assert f"hazard {other.id} " not in result.output


def test_deleted_event_is_caught(world):
    h = make_hazard(world, state="pending_review")
    victim = events(h)[2]
    db.session.delete(victim)
    db.session.commit()
    assert h.id in history.verify()


def test_events_cut_off_the_end_are_caught(world):
    """Deleting the newest events leaves a chain that is intact in itself; the head kept on the
    hazard's row still tells."""
    h = make_hazard(world, state="closed")
    kept = len(events(h)) - 2
    for victim in events(h)[kept:]:
        db.session.delete(victim)
    db.session.commit()
    problem = history.verify()[h.id]
    assert f"events after #{kept} are missing" in problem


def test_appending_does_not_make_an_open_form_stale(world):
    """A photo added (an event appended) while someone fills in the confirm form: the form's
    version still holds; a real change of the hazard makes it stale (409)."""
    h = make_hazard(world, state="reported")
    version, head = h.version, h.chain_seq
    service.add_attachment(h.id, world.users.staff, kind="before", filename="b.jpg", data=jpeg_bytes())
    db.session.commit()
    assert db.session.get(Hazard, h.id).version == version
    assert db.session.get(Hazard, h.id).chain_seq == head + 1
    service.fire(h.id, "confirm", world.users.manager, level="general", deadline=service.deadline_days(3),
                 responsible_user_id=world.users.staff.id, measures="更换法兰垫片", version=version)
    db.session.commit()
    assert db.session.get(Hazard, h.id).version == version + 1
    with pytest.raises(Conflict):
        service.fire(h.id, "extend", world.users.manager, deadline=service.deadline_days(9), reason="备件未到",
                     version=version)


def test_scan_is_idempotent_and_reminds(world, runner):
    u = world.users
    h = make_hazard(world, state="rectifying", deadline=today() - timedelta(days=3))
    result = runner.invoke(args=["scan"])
    assert "overdue=1" in result.output and result.exit_code == 0
    count = db.session.scalar(select(func.count()).select_from(HazardEvent).where(
        HazardEvent.hazard_id == h.id, HazardEvent.trigger == "overdue"))
    assert count == 1
    overdue = (Notification.hazard_id == h.id) & (Notification.kind == "hazard_overdue")
    users = set(db.session.scalars(select(Notification.user_id).where(overdue)))
    assert users == {u.staff.id, u.manager.id}
    result = runner.invoke(args=["scan"])
    assert "overdue=0" in result.output
    assert db.session.scalar(select(func.count()).select_from(HazardEvent).where(
        HazardEvent.hazard_id == h.id, HazardEvent.trigger == "overdue")) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(overdue)) == 2
    assert history.verify() == {}


def test_attachments_follow_hazard_visibility(world):
    h = make_hazard(world)
    row = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)).first()
    assert service.attachment_for(row.id, world.users.inspector).id == row.id
    with pytest.raises(NotFound):
        service.attachment_for(row.id, world.users.manager_b)


def test_overdue_mail_only_when_smtp_is_configured(world, runner, app, monkeypatch):
    """The reminder mail goes to an SMTP server (a real one on loopback) only when SMTP_HOST is set."""
    from tests.jobs.receivers import SmtpReceiver

    world.users.staff.email = "staff@example.com"
    db.session.commit()
    with SmtpReceiver() as smtp:
        monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)
        make_hazard(world, state="rectifying", deadline=today() - timedelta(days=1))
        runner.invoke(args=["scan"])
        assert smtp.messages == []
        make_hazard(world, state="rectifying", deadline=today() - timedelta(days=2))
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        runner.invoke(args=["scan"])
    assert [rcpts for rcpts, _msg in smtp.messages] == [["staff@example.com"]]
    assert "逾期" in smtp.messages[0][1].get_content()


def test_relationships_of_a_hazard_are_read_only(world):
    """The hazard's foreign keys are set as ids; assigning the related object would be lost at the
    flush (the relationships are read-only views), so it is refused outright."""
    h = make_hazard(world, state="reported")
    with pytest.raises(TypeError, match="responsible_user_id"):
        h.responsible_user = world.users.staff
    h.responsible_user_id = world.users.staff.id
    db.session.flush()
    db.session.expire(h)
    assert h.responsible_user.id == world.users.staff.id


def test_relationships_of_an_event_are_read_only(world):
    h = make_hazard(world, state="reported")
    event = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == h.id)).first()
    with pytest.raises(TypeError, match="actor_id"):
        event.actor = world.users.manager
