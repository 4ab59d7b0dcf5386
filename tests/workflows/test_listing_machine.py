"""The listing machine speaks the hazard machine's idiom: named guards, the same exception types."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workflows import hazard, listing_states
from workflows.listing_states import ListingState


def test_dismiss_without_reason_names_the_guard_and_field():
    listing = SimpleNamespace(state=ListingState.proposed)
    with pytest.raises(hazard.GuardFailed) as exc:
        listing_states.fire(listing, "dismiss", reason="  ")
    assert exc.value.failures == {"has_reason": "reason"}
    assert listing.state == ListingState.proposed
    assert listing_states.fire(listing, "dismiss", reason="重复") == ListingState.dismissed


def test_a_decided_listing_refuses_with_the_hazard_machines_exception():
    listing = SimpleNamespace(state=ListingState.dismissed)
    with pytest.raises(hazard.InvalidTrigger):
        listing_states.fire(listing, "list")
    assert listing_states.triggers_from(ListingState.proposed) == ["list", "dismiss"]
    assert listing_states.triggers_from(ListingState.listed) == ["delist"]
    assert listing_states.fire(SimpleNamespace(state=ListingState.listed), "delist") == ListingState.delisted
