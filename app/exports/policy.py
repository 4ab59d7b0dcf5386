"""Who sees which exports: each user his own (another's answers 404)."""

from __future__ import annotations

from app.exports.models import Export


def _own(user):
    return Export.user_id == user.id


SCOPES = {Export: _own}
