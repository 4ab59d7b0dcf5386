"""Two admins registering the same credit code at the same moment, on PostgreSQL with real
connections and real commits: exactly one enterprise exists afterwards; the other request gets a
clear refusal (422 if it saw the winner's row, 409 if both passed the checks together), never a 500."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from app.auth.models import ApiToken, User
from app.extensions import db
from app.organisations.credit_code import complete
from app.organisations.models import Enterprise, Industry
from tests.conftest import IS_POSTGRES, PASSWORD, Factory, delete_region_chain

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (two real connections)")]


@pytest.fixture
def committed(app):
    """An admin and a county, committed for real (no rollback fixture); removed afterwards."""
    with app.app_context():
        had_industries = db.session.scalar(select(func.count()).select_from(Industry)) > 0
        f = Factory()
        region = f.region("竞争县", level="county")
        admin = f.user("admin", username="race_admin")
        from app.organisations.seed import ensure_industries

        industry = ensure_industries()["machinery"]
        db.session.commit()
        ids = {"region": region.id, "admin": admin.id, "industry": industry.id}
    try:
        yield ids
    finally:
        with app.app_context():
            db.session.execute(delete(Enterprise).where(Enterprise.region_id == ids["region"]))
            db.session.execute(delete(ApiToken).where(ApiToken.user_id == ids["admin"]))
            db.session.execute(delete(User).where(User.id == ids["admin"]))
            delete_region_chain(ids["region"])
            if not had_industries:
                db.session.execute(delete(Industry))
            db.session.commit()


def test_same_credit_code_at_once_one_wins(app, committed):
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "race_admin", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    for round_no in range(5):
        code = complete(f"91980001MA{round_no:07d}")
        body = {"name": "竞争企业", "credit_code": code, "region_id": committed["region"],
                "industry_id": committed["industry"]}
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def register(body=body, barrier=barrier, statuses=statuses):
            barrier.wait()
            statuses.append(app.test_client().post("/api/v1/enterprises", json=body, headers=headers).status_code)

        threads = [threading.Thread(target=register) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(statuses) in ([201, 409], [201, 422]), statuses
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Enterprise)
                                     .where(Enterprise.credit_code == code)) == 1
