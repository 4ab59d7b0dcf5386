from __future__ import annotations

import pytest
from flask import g

from tests.conftest import ClosingClient


class FreshUserClient(ClosingClient):
    """The db_session fixture keeps one app context open, so Flask reuses it (and its ``g``) for every
    request; Flask-Login caches the user in ``g._login_user``. Forget it so that each request is
    authenticated by its own cookie or token, as in production."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    return FreshUserClient(app, app.response_class, use_cookies=True)
