from __future__ import annotations

import pytest

from tests.hazards.conftest import FreshUserClient


@pytest.fixture
def client(app, db_session):
    return FreshUserClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def tokens(client, world):
    from tests.conftest import api_token

    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = api_token(client, getattr(world.users, name))
        return cache[name]
    return get
