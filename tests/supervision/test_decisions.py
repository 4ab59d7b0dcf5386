"""The supervisor's decision: list (supervision notice issued) or dismiss (reason); delisting on
acceptance by the listing authority (delisting notice); bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.documents import service as documents
from app.documents.models import Document
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.hazards import service as hazards
from app.supervision import service
from app.supervision.models import Listing, ListingState
from tests.hazards.helpers import jpeg_bytes, make_hazard
from tests.supervision.conftest import pdf_text


def document_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def test_listing_issues_the_supervision_notice(world, proposal, db_session):
    deadline = today() + timedelta(days=60)
    listing = service.decide(proposal.id, world.users.city_supervisor, "list", deadline=deadline,
                             requirements="每月5日前报告治理进展；全部停产停业")
    db_session.commit()
    assert listing.state == ListingState.listed
    assert listing.decided_by_id == world.users.city_supervisor.id
    notice = db.session.get(Document, listing.notice_document_id)
    assert notice.kind.value == "supervision_notice"
    assert notice.number == f"（测）应急督办〔{today().year}〕1号"
    text = pdf_text(documents.pdf_bytes(notice))
    assert "重大事故隐患挂牌督办通知书" in text
    assert listing.hazard.title in text
    assert "甲化工有限公司" in text
    assert "测试市应急管理局" in text
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text
    assert "每月5日前报告治理进展" in text


def test_listing_twice_is_a_conflict_and_issues_nothing_more(world, proposal, db_session):
    service.decide(proposal.id, world.users.city_supervisor, "list")
    db_session.commit()
    before = document_count()
    with pytest.raises(Conflict):
        service.decide(proposal.id, world.users.city_supervisor, "list")
    db_session.rollback()
    with pytest.raises(Conflict):
        service.decide(proposal.id, world.users.city_supervisor, "dismiss", reason="重复")
    db_session.rollback()
    assert document_count() == before
    assert db.session.get(Listing, proposal.id).state == ListingState.listed


def test_dismissing_needs_a_reason(world, proposal, db_session):
    with pytest.raises(Invalid) as exc:
        service.decide(proposal.id, world.users.city_supervisor, "dismiss", reason="  ")
    assert "reason" in exc.value.fields
    db_session.rollback()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed
    listing = service.decide(proposal.id, world.users.city_supervisor, "dismiss", reason="已纳入市级专项整治")
    assert listing.state == ListingState.dismissed
    assert listing.dismiss_reason == "已纳入市级专项整治"
    assert listing.notice_document_id is None


def test_only_a_supervisor_of_the_listing_authority_decides(world, proposal, db_session):
    u = world.users
    with pytest.raises(Forbidden):  # county supervisor sees the enterprise, but the listing is the city's
        service.decide(proposal.id, u.supervisor, "list")
    with pytest.raises(Forbidden):
        service.decide(proposal.id, u.city_inspector, "list")
    with pytest.raises(NotFound):  # another county does not see it at all
        service.decide(proposal.id, u.supervisor_b, "list")
    with pytest.raises(NotFound):  # the enterprise does not see proposals
        service.decide(proposal.id, u.manager, "list")
    db_session.rollback()
    assert document_count() == 0
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed


def test_a_deadline_in_the_past_is_refused(world, proposal, db_session):
    with pytest.raises(Invalid) as exc:
        service.decide(proposal.id, world.users.city_supervisor, "list", deadline=today())
    assert "deadline" in exc.value.fields
    db_session.rollback()
    assert document_count() == 0


def _listed_major(world, db_session):
    """A real major hazard: confirmed (→ proposal to the city), listed by the city supervisor."""
    hazard = make_hazard(world, "rectifying", level="major")
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
    assert listing is not None and listing.rule == "red_major_confirmed"
    service.decide(listing.id, world.users.city_supervisor, "list")
    hazards.add_attachment(hazard.id, world.users.manager, kind="after", filename="after.jpg",
                           data=jpeg_bytes((40, 200, 40)))
    hazards.fire(hazard.id, "submit", world.users.manager, rectification="已更换储罐法兰并检测合格")
    db_session.commit()
    return hazard, listing


def test_confirming_a_major_hazard_proposes_it(world, db_session):
    hazard = make_hazard(world, "rectifying", level="major")
    (listing,) = db.session.scalars(select(Listing).where(Listing.hazard_id == hazard.id)).all()
    assert (listing.state, listing.source.value, listing.authority_id) == (
        ListingState.proposed, "confirm", world.authorities.city.id)


def test_only_the_listing_authority_may_accept_and_that_delists(world, db_session):
    hazard, listing = _listed_major(world, db_session)
    before = document_count()
    # The county inspector would review a major hazard of his county, but it is listed by the city.
    with pytest.raises(Forbidden):
        hazards.fire(hazard.id, "accept", world.users.inspector, comment="合格")
    db_session.rollback()
    assert db.session.get(Listing, listing.id).state == ListingState.listed
    hazards.fire(hazard.id, "accept", world.users.city_inspector, comment="现场核查合格")
    db_session.commit()
    listing = db.session.get(Listing, listing.id)
    assert listing.state == ListingState.delisted
    assert listing.hazard.state.value == "closed"
    assert listing.delisted_by_id == world.users.city_inspector.id
    notice = db.session.get(Document, listing.delisting_document_id)
    assert document_count() == before + 1
    assert notice.number == f"（测）应急解督〔{today().year}〕1号"
    assert notice.issued_by_id == world.users.city_supervisor.id
    text = pdf_text(documents.pdf_bytes(notice))
    assert "解除挂牌督办通知书" in text
    assert hazard.title in text
    assert db.session.get(Document, listing.notice_document_id).number in text


def test_proposals_of_a_hazard_closed_meanwhile_are_dismissed(world, db_session):
    hazard = make_hazard(world, "rectifying", level="major")
    hazards.add_attachment(hazard.id, world.users.manager, kind="after", filename="after.jpg",
                           data=jpeg_bytes((40, 200, 40)))
    hazards.fire(hazard.id, "submit", world.users.manager, rectification="已整改")
    hazards.fire(hazard.id, "accept", world.users.inspector, comment="合格")
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
    assert listing.state == ListingState.dismissed
    assert listing.dismiss_reason


def test_progress_reports_by_the_enterprise(world, db_session):
    hazard, listing = _listed_major(world, db_session)
    report = service.report_progress(listing.id, world.users.manager, "已完成储罐倒空和置换")
    assert report.listing_id == listing.id
    with pytest.raises(Invalid):
        service.report_progress(listing.id, world.users.manager, "   ")
    with pytest.raises(Forbidden):
        service.report_progress(listing.id, world.users.staff, "员工不能报告")
    with pytest.raises(NotFound):
        service.report_progress(listing.id, world.users.manager_b, "别的企业")


def test_regrading_to_major_proposes_through_the_signal(world, db_session):
    hazard = make_hazard(world, "rectifying", level="general")
    assert db.session.scalar(select(func.count()).select_from(Listing).where(Listing.hazard_id == hazard.id)) == 0
    hazards.fire(hazard.id, "regrade", world.users.manager, level="major", reason="经评估属重大事故隐患")
    (listing,) = db.session.scalars(select(Listing).where(Listing.hazard_id == hazard.id)).all()
    assert (listing.rule, listing.source.value) == ("red_major_confirmed", "regrade")


def test_the_overdue_scan_proposes_through_the_signal(world, db_session, runner):
    from tests.supervision.conftest import risk_point

    point = risk_point(world.enterprises.a, "orange")
    hazard = make_hazard(world, "rectifying", risk_point=point, deadline=today() - timedelta(days=16))
    result = runner.invoke(args=["scan"])
    assert "hazards.overdue: overdue=1" in result.output
    (listing,) = db.session.scalars(select(Listing).where(Listing.hazard_id == hazard.id)).all()
    assert (listing.rule, listing.source.value, listing.authority_id) == (
        "orange_overdue_15", "overdue", world.authorities.county_a.id)


def test_the_supervisors_requirements_print_as_written(world, proposal, db_session):
    """His own numbering and line breaks, not split at "；" and renumbered "1. 一、…" (issue 17 item 7)."""
    written = "一、立即停止储罐区动火作业；\n二、于月底前完成紧急切断装置的安装和联锁调试。"
    listing = service.decide(proposal.id, world.users.city_supervisor, "list", requirements=written)
    db_session.commit()
    text = "".join(pdf_text(documents.pdf_bytes(db.session.get(Document, listing.notice_document_id))).split())
    assert "一、立即停止储罐区动火作业；二、于月底前完成紧急切断装置的安装和联锁调试。" in text
    assert "1.一、" not in text and "2.二、" not in text
