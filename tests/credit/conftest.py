"""Fixtures of credit tests: a listed major hazard, rule sets configured for the test province."""

from __future__ import annotations

import pytest

from app.clock import today
from app.extensions import db


def configure(world, family: str, payload: dict, title: str = "测试省规则"):
    """A version of ``family`` for the test province, active from today (the real rulesets use cases)."""
    from app.rulesets import service

    row = service.create(world.users.admin, family=family, region=world.regions.province, title=title,
                         payload=payload)
    service.activate(world.users.admin, row, effective_from=today())
    db.session.commit()
    return row


@pytest.fixture
def principal_named(world, db_session):
    world.enterprises.a.principal_name = "张三丰"
    db_session.commit()
    return world.enterprises.a


@pytest.fixture
def listed_hazard(world, db_session, principal_named):
    """A red major hazard of enterprise a, listed by the city; its deadline is 30 days ahead."""
    from app.supervision import service
    from app.supervision.models import ProposalSource
    from tests.supervision.conftest import stored_hazard

    hazard = stored_hazard(world.enterprises.a, level="major", grade="red")
    (listing,) = service.propose(hazard, ProposalSource.confirm)
    service.decide(listing.id, world.users.city_supervisor, "list",
                   supervising_person="李四", responsible_unit="甲化工有限公司")
    listing.responsible_person = "王小明"
    db_session.commit()
    return hazard
