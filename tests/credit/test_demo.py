"""The demo's credit step: a refused inspection recorded by hand, an enterprise listed with its notice, and
what the other features' story produces by itself."""

from __future__ import annotations

from sqlalchemy import select

from app.credit.models import CreditRecord, DishonestyEntry, ListingState
from app.documents.models import Document
from app.extensions import db


def test_demo_credit(demo, demo_session, demo_client):
    assert demo.result.exit_code == 0, demo.result.output
    kinds = {r.kind.value for r in db.session.scalars(select(CreditRecord))}
    assert "inspection_refused" in kinds
    entry = db.session.scalar(select(DishonestyEntry).where(DishonestyEntry.state == ListingState.listed))
    assert entry is not None and entry.enterprise.name.startswith("信州")
    assert db.session.get(Document, entry.notice_document_id).kind.value == "dishonesty_notice"
    page = demo_client.get(f"/public/credit/{entry.authority_id}").get_data(as_text=True)
    assert entry.decision_no in page
