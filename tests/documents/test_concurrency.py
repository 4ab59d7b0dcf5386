"""Gap-free numbering under concurrent issuing, with real separate connections (PostgreSQL only)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, select

from tests.conftest import IS_POSTGRES, Factory, delete_region_chain
from tests.documents.conftest import make_hazard

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not IS_POSTGRES, reason="row locks need PostgreSQL (SQLite serialises writers)")]

WORKERS = 4
ATTEMPTS = 12


@pytest.fixture
def committed(app):
    """Committed organisations (other connections must see them); removed afterwards."""
    from app.auth.models import User
    from app.documents.models import Document, DocumentCounter, document_hazards
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.organisations.models import Authority, Enterprise, Industry

    with app.test_request_context("/"):
        industries_before = set(db.session.scalars(select(Industry.id)))
        f = Factory()
        f.n = 7000
        region = f.region("并发县", level="county")
        authority = f.authority(region, name="并发县应急管理局", abbreviation="并")
        enterprise = f.enterprise(region, name="并发化工有限公司")
        manager = f.user("enterprise_manager", enterprise=enterprise)
        hazard = make_hazard(db.session, enterprise, 1)
        db.session.commit()
        ids = dict(region=region.id, authority=authority.id, enterprise=enterprise.id, manager=manager.id,
                   hazard=hazard.id)
    yield ids
    with app.app_context():
        doc_ids = select(Document.id).where(Document.enterprise_id == ids["enterprise"])
        db.session.execute(delete(document_hazards).where(document_hazards.c.document_id.in_(doc_ids)))
        db.session.execute(delete(Document).where(Document.enterprise_id == ids["enterprise"]))
        db.session.execute(delete(DocumentCounter).where(DocumentCounter.issuer == f"enterprise:{ids['enterprise']}"))
        db.session.execute(delete(Hazard).where(Hazard.enterprise_id == ids["enterprise"]))
        db.session.execute(delete(User).where(User.id == ids["manager"]))
        db.session.execute(delete(Enterprise).where(Enterprise.id == ids["enterprise"]))
        db.session.execute(delete(Authority).where(Authority.id == ids["authority"]))
        delete_region_chain(ids["region"])
        db.session.execute(delete(Industry).where(Industry.id.not_in(industries_before)))
        db.session.commit()


def test_concurrent_issuing_gives_gap_free_numbers(app, committed):
    from app.auth.models import User
    from app.documents import service
    from app.documents.models import Document
    from app.extensions import db
    from app.hazards.models import Hazard

    def issue(attempt: int):
        with app.test_request_context("/"):  # its own app context, session and connection
            user = db.session.get(User, committed["manager"])
            hazard = db.session.get(Hazard, committed["hazard"])
            # Any kind shares the counter code; a notice needs no inspection record per attempt.
            document = service.issue("rectification_notice", actor=user, hazards=[hazard],
                                     context={"recipient": "生产部"})
            seq = document.seq
            if attempt % 4 == 3:
                db.session.rollback()  # an issue that fails after numbering gives its number back
                return None
            db.session.commit()
            return seq

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(issue, range(ATTEMPTS)))
    committed_seqs = sorted(s for s in results if s is not None)

    with app.app_context():
        stored = db.session.execute(select(Document.seq, Document.number)
                                    .where(Document.enterprise_id == committed["enterprise"])
                                    .order_by(Document.seq)).all()
    expected = ATTEMPTS - ATTEMPTS // 4
    assert committed_seqs == list(range(1, expected + 1))
    assert [s for s, _n in stored] == list(range(1, expected + 1))
    assert len({n for _s, n in stored}) == expected
