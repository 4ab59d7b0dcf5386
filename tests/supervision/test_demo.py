"""The demo data of supervision loads through the real services."""

from __future__ import annotations

from sqlalchemy import select

from app.documents.models import Document
from app.extensions import db
from app.supervision.models import Inspection, Listing, ListingState


def test_demo_loads(demo, demo_session):
    result = demo.result  # `shuangkong demo`, run once for the session
    assert result.exit_code == 0, result.output
    listings = list(db.session.scalars(select(Listing)))
    states = [listing.state for listing in listings]
    assert states.count(ListingState.listed) >= 1
    assert states.count(ListingState.proposed) >= 2
    # A proposal dismissed by a supervisor with his reason (others may be dismissed because the
    # hazards demo closes their hazards).
    assert any(x.state == ListingState.dismissed and x.decided_by_id and x.dismiss_reason for x in listings)
    listed = db.session.scalar(select(Listing).where(Listing.state == ListingState.listed)
                               .where(Listing.progress_reports.any()))
    assert db.session.get(Document, listed.notice_document_id).kind.value == "supervision_notice"
    assert listed.progress_reports
    inspection = db.session.scalar(select(Inspection))
    assert len(inspection.items) == 3 and inspection.order_document_id is not None


def test_demo_listings_happened_in_order(demo, demo_session):
    """Each demo proposal came after its hazard was confirmed (an overdue rule's, after the deadline
    had passed), each decision after its proposal, each progress report and notice after the
    decision, and the listing keeps the hazard's deadline: the story was played through the clock."""
    from app.clock import to_local, utcnow

    assert demo.result.exit_code == 0
    now = utcnow()
    listings = list(db.session.scalars(select(Listing)))
    assert listings
    for listing in listings:
        hazard = listing.hazard
        assert hazard.confirmed_at <= listing.proposed_at <= now, listing.rule
        if "overdue" in listing.rule:
            assert to_local(listing.proposed_at).date() > hazard.deadline, listing.rule
        if listing.decided_at is not None:
            assert listing.proposed_at <= listing.decided_at <= now
        if listing.state == ListingState.listed:
            assert listing.deadline == hazard.deadline
            notice = db.session.get(Document, listing.notice_document_id)
            assert listing.decided_at <= notice.issued_at <= now
            assert all(listing.decided_at <= p.created_at <= now for p in listing.progress_reports)
    inspection = db.session.scalar(select(Inspection))
    order = db.session.get(Document, inspection.order_document_id)
    assert to_local(order.issued_at).date() == inspection.inspected_on < to_local(now).date()
    assert all(item.hazard.deadline == item.deadline > inspection.inspected_on for item in inspection.items)
