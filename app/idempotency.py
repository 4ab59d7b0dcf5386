"""Retries that do not write twice: ``Idempotency-Key`` on the API's writes, client ids on phone forms.

A client that lost the answer to a POST (a dropped connection, a 503 while the database restarted)
sends the same request again with the same key; the first answer (status and body) is stored per user
and key *in the same transaction as the write*, so the retry gets it back instead of writing again.
A different request under a used key answers 422. Keys are kept ``IDEMPOTENCY_KEY_HOURS`` (24 h).

``@idempotent`` also fixes the order of an API write: the answer is rendered before the one commit,
so once the commit succeeds nothing can fail any more (a committed write is never reported as failed).
"""

from __future__ import annotations

import hashlib
import json
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.utils import deepupdate
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.errors import Invalid
from app.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))  # what was asked: a reused key must ask the same
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)  # the answer (JSON), or the page a form redirected to
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _cutoff() -> datetime:
    return utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])


def find(user_id: int, key: str) -> IdempotencyKey | None:
    """The stored answer for ``key``, unless it has expired."""
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                         IdempotencyKey.key == key))
    if row is not None and row.created_at < _cutoff():
        db.session.delete(row)
        db.session.flush()
        return None
    return row


def remember(user_id: int, key: str, request_hash: str, status: int, body: str) -> None:
    """Add the answer to the current transaction (committed with the write, or not at all)."""
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                    IdempotencyKey.created_at < _cutoff()))
    db.session.add(IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash, status=status, body=body))


def fingerprint() -> str:
    """The request's method, path and content (parsed, so a retry with a new multipart boundary or
    other key order is the same request)."""
    digest = hashlib.sha256(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    if request.is_json:
        content = request.get_json(silent=True)
        digest.update(json.dumps(content, sort_keys=True, ensure_ascii=False).encode())
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # (a part whose name did not parse comes as None: sorted as "")
        form = sorted((name or "", value or "") for name, value in request.form.items(multi=True))
        digest.update(json.dumps(form, ensure_ascii=False).encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0] or ""):
            data = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"\n{name}:{upload.filename}:{hashlib.sha256(data).hexdigest()}".encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _key_from_header() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise Invalid(fields={HEADER: _("Use 1 to 255 visible ASCII characters (e.g. a UUID).")})
    return key


def _replay(row: IdempotencyKey, request_hash: str) -> Response:
    if row.request_hash != request_hash:
        raise Invalid(_("This Idempotency-Key was already used for a different request."),
                      fields={HEADER: _("This Idempotency-Key was already used for a different request.")},
                      code="idempotency_key_reused")
    response = Response(row.body, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


HEADER_DOC = {"in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": 255},
              "description": "Any unique string (a UUID). A retry with the same key returns the first answer "
                             "instead of writing again; the same key with another request answers 422. Kept 24 h."}


def idempotent(view):
    """For an API write (below ``@blp.route``, above ``@blp.arguments``; the view does not commit):
    render the answer, store it under the caller's Idempotency-Key if any, commit once."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _key_from_header()
        request_hash = fingerprint() if key else ""
        if key:
            row = find(current_user.id, key)
            if row is not None:
                return _replay(row, request_hash)
        response = make_response(view(*args, **kwargs))
        if key and response.status_code < 300:
            remember(current_user.id, key, request_hash, response.status_code, response.get_data(as_text=True))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            row = find(current_user.id, key) if key else None
            if row is None:
                raise  # the write itself lost a race: 409 (app.errors)
            return _replay(row, request_hash)  # the same request, at the same moment, won
        return response



    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    deepupdate(manual, {"parameters": manual.get("parameters", []) + [HEADER_DOC]})
    return wrapper


def form_replay(user_id: int, client_id: str | None) -> str | None:
    """For a phone form submitted twice: where the first submission went, if it was saved."""
    if not client_id:
        return None
    row = find(user_id, f"form:{client_id}")
    return row.body if row is not None else None


def form_remember(user_id: int, client_id: str | None, location: str) -> None:
    if client_id:
        remember(user_id, f"form:{client_id}", "", 303, location)
