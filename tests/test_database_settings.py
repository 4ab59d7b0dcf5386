"""PostgreSQL connections of the application run without the JIT compiler (docs/operations.md): the
scan's listing query was compiled for 1.7 s to run in 0.8 s."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.config import _without_jit
from app.extensions import db
from tests.conftest import IS_POSTGRES


@pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL's setting")
def test_the_application_connects_without_jit(app):
    with app.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"


def test_options_given_by_the_operator_are_kept():
    options = {"pool_size": 8, "connect_args": {"options": "-c statement_timeout=5000", "prepare_threshold": None}}
    _without_jit(options)
    assert options == {"pool_size": 8, "connect_args": {
        "options": "-c statement_timeout=5000 -c jit=off", "prepare_threshold": None}}
    chosen = {"connect_args": {"options": "-c jit=on"}}
    _without_jit(chosen)
    assert chosen == {"connect_args": {"options": "-c jit=on"}}  # the operator's own choice stands
