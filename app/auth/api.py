from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields

from app.api import Timestamp, api_blueprint
from app.auth import service, throttle
from app.errors import Unauthorized
from app.extensions import db

blp = api_blueprint("auth_api", __name__, "/auth", "Authentication")


class TokenRequest(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = Timestamp(required=True)


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.doc(security=[])
def issue_token(args):
    """Exchange a username and password for a bearer token.

    Failed attempts count against the account and the client address (shared with the login form);
    beyond the limit the answer is 429. A user holds at most API_TOKENS_PER_USER tokens: a new one
    revokes the oldest. Tokens expire after API_TOKEN_HOURS and die when the password changes.
    """
    attempt = throttle.attempt(args["username"])
    user = service.authenticate(args["username"], args["password"])
    if user is None:
        raise Unauthorized(_("Wrong username or password."), code="invalid_credentials")
    attempt.succeeded()
    row, token = service.issue_token(user)
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}


class PasswordChange(Schema):
    current = fields.String(required=True, load_only=True)
    password = fields.String(required=True, load_only=True, metadata={
        "description": "The new password: 8 to 128 characters, not the username, not the current one"})


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChange)
@blp.response(204)
def change_password(args):
    """Change the caller's own password (the current one asked again). Required first when an
    administrator set it: every other call answers 403 ``password_change_required`` until then.
    Every token and session issued before stops working, this request's token included."""
    if not current_user.is_authenticated:
        raise Unauthorized()
    service.change_own_password(current_user._get_current_object(), args["current"], args["password"])
    db.session.commit()


@blp.route("/token", methods=["DELETE"])
@blp.response(204)
def revoke_token():
    """Revoke the bearer token this request was made with (logout of an API client)."""
    token_id = g.get("api_token_id") if current_user.is_authenticated else None
    if token_id is None:
        raise Unauthorized()
    service.revoke_token(token_id)
    db.session.commit()
