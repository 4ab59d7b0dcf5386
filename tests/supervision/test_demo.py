"""The demo data of supervision loads through the real services."""

from __future__ import annotations

from sqlalchemy import select

from app.documents.models import Document
from app.extensions import db
from app.supervision.models import Inspection, Listing, ListingState


def test_demo_loads(runner, db_session):
    result = runner.invoke(args=["demo"])
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
