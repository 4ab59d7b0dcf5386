"""Proposals: the rules applied to real hazards, the listing authority, idempotence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.clock import today
from app.extensions import db
from app.supervision import service
from app.supervision.models import Listing, ListingState, ProposalSource
from tests.supervision.conftest import stored_hazard


def listings_of(hazard):
    return list(db.session.scalars(select(Listing).where(Listing.hazard_id == hazard.id).order_by(Listing.id)))


def test_red_major_is_proposed_to_the_city_authority(world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", grade="yellow")  # major makes it red
    (listing,) = service.propose(hazard, ProposalSource.confirm)
    assert listing.state == ListingState.proposed
    assert listing.rule == "red_major_confirmed"
    assert listing.authority_id == world.authorities.city.id
    assert listing.level.value == "city"
    assert listing.grade == "red"
    assert listing.source == ProposalSource.confirm


def test_orange_overdue_goes_to_the_county_of_the_enterprise(world, db_session):
    on_b = stored_hazard(world.enterprises.b, grade="orange", overdue_by=16)
    (listing,) = service.propose(on_b, ProposalSource.overdue)
    assert listing.authority_id == world.authorities.county_b.id
    assert listing.rule == "orange_overdue_15"


def test_boundaries_on_real_hazards(world, db_session):
    ent = world.enterprises.a
    assert service.propose(stored_hazard(ent, grade="orange", overdue_by=15), ProposalSource.scan) == []
    assert len(service.propose(stored_hazard(ent, grade="orange", overdue_by=16), ProposalSource.scan)) == 1
    assert service.propose(stored_hazard(ent, grade="yellow", overdue_by=30), ProposalSource.scan) == []
    assert len(service.propose(stored_hazard(ent, grade="yellow", overdue_by=31), ProposalSource.scan)) == 1
    assert service.propose(stored_hazard(ent, grade="red", overdue_by=0), ProposalSource.scan) == []
    assert len(service.propose(stored_hazard(ent, grade="red", overdue_by=1), ProposalSource.scan)) == 1
    assert service.propose(stored_hazard(ent, grade="blue", overdue_by=400), ProposalSource.scan) == []
    assert service.propose(stored_hazard(ent, overdue_by=400), ProposalSource.scan) == []  # ungraded


def test_unconfirmed_and_closed_hazards_are_not_proposed(world, db_session):
    ent = world.enterprises.a
    assert service.propose(stored_hazard(ent, level="major", grade="red", state="reported"),
                           ProposalSource.scan) == []
    assert service.propose(stored_hazard(ent, grade="orange", overdue_by=40, state="closed"),
                           ProposalSource.scan) == []


def test_the_same_item_is_never_proposed_twice_for_the_same_rule(world, db_session):
    hazard = stored_hazard(world.enterprises.a, grade="orange", overdue_by=20)
    assert len(service.propose(hazard, ProposalSource.overdue)) == 1
    assert service.propose(hazard, ProposalSource.scan) == []
    assert service.propose(hazard, ProposalSource.regrade) == []
    # Even once dismissed, the same rule does not propose it again.
    listing = listings_of(hazard)[0]
    service.decide(listing.id, world.users.supervisor, "dismiss", reason="企业已停产整顿")
    assert service.propose(hazard, ProposalSource.scan) == []
    assert len(listings_of(hazard)) == 1


def test_the_database_refuses_a_duplicate_proposal(world, db_session):
    hazard = stored_hazard(world.enterprises.a, grade="orange", overdue_by=20)
    (listing,) = service.propose(hazard, ProposalSource.overdue)
    db_session.commit()
    twin = Listing(hazard_id=hazard.id, enterprise_id=hazard.enterprise_id, rule=listing.rule,
                   source=ProposalSource.scan, authority_id=listing.authority_id, level=listing.level,
                   grade="orange")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_higher_level_rule_still_fires_after_a_county_proposal(world, db_session):
    """An orange general hazard proposed to the county, then regraded major: the city is proposed too."""
    hazard = stored_hazard(world.enterprises.a, grade="orange", overdue_by=20)
    (county,) = service.propose(hazard, ProposalSource.overdue)
    hazard.level = hazard.level.__class__("major")
    db.session.flush()
    (city,) = service.propose(hazard, ProposalSource.regrade)
    assert (county.level.value, city.level.value) == ("county", "city")
    # The reverse does not happen: an active city proposal covers the county rules.
    other = stored_hazard(world.enterprises.a, level="major", grade="red", overdue_by=40)
    assert [x.rule for x in service.propose(other, ProposalSource.scan)] == ["red_major_confirmed"]


def test_scan_proposes_once_and_reports_counts(world, db_session, runner):
    ent = world.enterprises.a
    stored_hazard(ent, grade="orange", overdue_by=16)
    stored_hazard(ent, grade="orange", overdue_by=3)
    stored_hazard(ent, level="major", grade="red")
    db_session.commit()
    first = runner.invoke(args=["scan"])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    # The overdue step runs first (its signal proposes the overdue orange one), then the rules (then the
    # reminders, app/handoffs).
    steps = [line.split(":")[0] for line in lines]
    assert steps.index("hazards.overdue") + 1 == steps.index("listing rules")
    # Checked: the hazards some rule could still fire for (the overdue orange one was proposed already).
    assert "listing rules: checked=1, proposed=1" in first.output
    second = runner.invoke(args=["scan"])
    assert "listing rules: checked=0, proposed=0" in second.output
    assert db.session.scalar(select(db.func.count()).select_from(Listing)) == 2


def test_scan_on_a_later_day_catches_hazards_that_became_overdue(world, db_session):
    hazard = stored_hazard(world.enterprises.a, grade="yellow", overdue_by=0)
    assert service.scan()["proposed"] == 0
    later = today() + timedelta(days=31)
    assert service.scan(on=later)["proposed"] == 1
    assert listings_of(hazard)[0].rule == "yellow_overdue_30"


def test_no_authority_of_the_level_means_no_proposal(world, db_session, factory):
    lonely = factory.region("孤县", level="county", parent=world.regions.province)
    enterprise = factory.enterprise(lonely)
    hazard = stored_hazard(enterprise, grade="orange", overdue_by=20)
    assert service.propose(hazard, ProposalSource.scan) == []


def test_region_rule_sets_come_from_configuration(app, world, db_session):
    code = world.regions.city.code
    app.config["LISTING_RULE_SETS"] = {code: [
        {"code": "orange_overdue_5", "grade": "orange", "authority_level": "county", "overdue_days_over": 5}]}
    try:
        hazard = stored_hazard(world.enterprises.a, grade="orange", overdue_by=6)
        assert [x.rule for x in service.propose(hazard, ProposalSource.scan)] == ["orange_overdue_5"]
        major = stored_hazard(world.enterprises.a, level="major", grade="red")
        assert service.propose(major, ProposalSource.scan) == []
    finally:
        app.config.pop("LISTING_RULE_SETS")


def test_overdue_days_use_the_local_date(world, db_session):
    hazard = stored_hazard(world.enterprises.a, grade="orange", overdue_by=16)
    assert service.facts_for(hazard).overdue_days == 16
    assert service.facts_for(hazard, on=date.fromordinal(today().toordinal() - 1)).overdue_days == 15
