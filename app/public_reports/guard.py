"""The abuse guard of the public channel, without any outside service:

* **rate limits per client address**, counted like failed logins (app/auth/throttle.py): atomic
  increments in the limiter's storage (Redis when configured, so every worker sees them), fixed windows,
  a refusal is 429. ``PUBLIC_REPORT_LIMIT`` bounds the reports filed from one address;
  ``PUBLIC_REPORT_SECRET_FAILURE_LIMIT`` the wrong secrets tried from one address (and on one ticket),
  so a secret cannot be guessed by repeating;
* **a proof-of-work challenge** (ALTCHA, the ``altcha`` library): the page's script finds a number whose
  SHA-256 with the server's salt matches, which costs a browser a second and a flood real CPU time; the
  challenge is HMAC-signed (no state kept until it is used), expires, and is accepted once.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, timedelta

import altcha
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from app.clock import utcnow
from app.errors import Invalid, ServiceError
from app.extensions import limiter

log = logging.getLogger(__name__)
_fallback = FixedWindowRateLimiter(MemoryStorage())
_fallback_storage = _fallback.storage


class TooMany(ServiceError):
    status = 429
    code = "too_many_requests"
    default_message = _l("Too many attempts from your network. Please wait a while and try again.")


def _prefix() -> str:
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or "shuangkong"


def _hit(config_key: str, scope: str, who: str) -> None:
    if not limiter.enabled:
        return
    strategy = FixedWindowRateLimiter(limiter.storage)
    for item in parse_many(current_app.config[config_key]):
        ids = (_prefix(), scope, who)
        try:
            allowed = strategy.hit(item, *ids)
        except Exception:  # storage down: count in this process rather than answer 500 or let all in
            log.exception("Public report throttle storage failed; counting in process memory")
            allowed = _fallback.hit(item, *ids)
        if not allowed:
            raise TooMany()


def address() -> str:
    return request.remote_addr or "-"


def count_submission() -> None:
    _hit("PUBLIC_REPORT_LIMIT", "report-address", address())


def count_wrong_secret(ticket: str) -> None:
    """A wrong ticket or secret: counted on the address and on the ticket (a guess spread over many
    addresses still stops); over either budget the next look-up is refused whatever it holds."""
    _hit("PUBLIC_REPORT_SECRET_FAILURE_LIMIT", "report-secret-address", address())
    _hit("PUBLIC_REPORT_SECRET_FAILURE_LIMIT", "report-secret-ticket", (ticket or "-")[:32])


def check_lookup_budget(ticket: str) -> None:
    """Refuse a look-up at once while the address or the ticket is over its budget of wrong secrets."""
    if not limiter.enabled:
        return
    strategy = FixedWindowRateLimiter(limiter.storage)
    for scope, who in (("report-secret-address", address()), ("report-secret-ticket", (ticket or "-")[:32])):
        for item in parse_many(current_app.config["PUBLIC_REPORT_SECRET_FAILURE_LIMIT"]):
            try:
                ok = strategy.test(item, _prefix(), scope, who)
            except Exception:
                ok = _fallback.test(item, _prefix(), scope, who)
            if not ok:
                raise TooMany()


# --- the challenge ---------------------------------------------------------------------------------

def _hmac_key() -> str:
    return "public-report-challenge:" + str(current_app.config["SECRET_KEY"])


def challenge() -> dict:
    """A fresh challenge for the form's script (or an API client): algorithm, challenge, maxnumber,
    salt, signature."""
    expires = (utcnow() + timedelta(minutes=int(current_app.config["PUBLIC_REPORT_CHALLENGE_MINUTES"]))
               ).replace(tzinfo=UTC)
    made = altcha.create_challenge_v1(altcha.ChallengeOptionsV1(
        max_number=int(current_app.config["PUBLIC_REPORT_CHALLENGE_MAX_NUMBER"]), hmac_key=_hmac_key(),
        expires=expires))
    return {"algorithm": made.algorithm, "challenge": made.challenge, "maxnumber": made.max_number,
            "salt": made.salt, "signature": made.signature}


def _used_once(signature: str) -> bool:
    """True the first time this challenge is presented (a solved challenge is not a ticket to flood)."""
    key = f"{_prefix()}/report-challenge/{signature[:64]}"
    minutes = int(current_app.config["PUBLIC_REPORT_CHALLENGE_MINUTES"])
    try:
        storage = limiter.storage if limiter.enabled else _fallback_storage
        return storage.incr(key, minutes * 60) == 1
    except Exception:
        log.exception("Public report challenge storage failed; counting in process memory")
        return _fallback_storage.incr(key, minutes * 60) == 1


def check_solution(payload: str | None, field: str = "challenge") -> None:
    """Invalid naming ``field`` unless ``payload`` (base64 JSON: algorithm, challenge, number, salt,
    signature) solves a challenge this server issued, not expired, not used before."""
    if not current_app.config["PUBLIC_REPORT_CHALLENGE_REQUIRED"]:
        return
    if not payload or len(payload) > 2000:
        raise Invalid(fields={field: _failed()})
    try:
        ok, _error = altcha.verify_solution_v1(payload, _hmac_key(), check_expires=True)
        signature = json.loads(base64.b64decode(payload)).get("signature", "")
    except Exception:  # a malformed payload is a failed check, not a 500
        ok, signature = False, ""
    if not ok or not _used_once(str(signature)):
        raise Invalid(fields={field: _failed()})


def _failed() -> str:
    return _("The anti-robot check failed or expired. Please wait until the check finishes and submit again.")
