from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from marshmallow import Schema, fields

from app.api import Timestamp, api_blueprint
from app.auth import service
from app.errors import Unauthorized
from app.extensions import db, limiter

blp = api_blueprint("auth_api", __name__, "/auth", "Authentication")


class TokenRequest(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = Timestamp(required=True)


def _failed(response) -> bool:
    return response.status_code != 200


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.doc(security=[])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], deduct_when=_failed)
def issue_token(args):
    """Exchange a username and password for a bearer token."""
    user = service.authenticate(args["username"], args["password"])
    if user is None:
        raise Unauthorized(_("Wrong username or password."), code="invalid_credentials")
    row, token = service.issue_token(user)
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}
