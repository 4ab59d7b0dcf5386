"""Login throttling: failed logins counted per account and per client address, in shared storage.

Both the login form and ``POST /api/v1/auth/token`` go through :func:`attempt`, so they share one
budget per account (``LOGIN_FAILURE_LIMIT``, from any address: password guessing against one user)
and one per address (``LOGIN_ADDRESS_FAILURE_LIMIT``, any username: spraying one password over many
users). Only failures are kept: a successful login gives its hits back.

The counters live in the limiter's storage (Redis with ``SHUANGKONG_REDIS_URL``), so every worker
process sees the same numbers. A hit is an atomic increment made *before* the password is checked
(never test-then-count), so concurrent attempts cannot slip through between a check and a count:
of N simultaneous guesses, exactly the limit get a password check.

The per-address limit is higher than the per-account one: an office behind one NAT address shares
it, and an attacker spraying random usernames from that address locks only that address, only for
the window, only after that many failures (README "Production").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from app.errors import ServiceError
from app.extensions import limiter

log = logging.getLogger(__name__)
_fallback = FixedWindowRateLimiter(MemoryStorage())


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_requests"
    default_message = _l("Too many attempts. Please wait a few minutes and try again.")


@dataclass
class Attempt:
    strategy: FixedWindowRateLimiter | None = None
    hits: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: this attempt is not a failure, give its hits back."""
        for item, ids in self.hits:
            _hit(self, item, ids, cost=-1)
        self.hits.clear()


def _strategy() -> FixedWindowRateLimiter:
    # Fixed windows whatever RATELIMIT_STRATEGY says: hits are atomic INCRs, and giving one back is a
    # negative increment of the same key.
    return FixedWindowRateLimiter(limiter.storage)


def _hit(attempt: Attempt, item: RateLimitItem, ids: tuple[str, ...], cost: int = 1) -> bool:
    try:
        return attempt.strategy.hit(item, *ids, cost=cost)
    except Exception:  # storage down: keep counting in this process rather than answer 500 or let all in
        log.exception("Login throttle storage failed; counting in process memory")
        attempt.strategy = _fallback
        return _fallback.hit(item, *ids, cost=cost)


def attempt(username: str) -> Attempt:
    """Count a login attempt for ``username`` from this request's address; TooManyAttempts if over."""
    result = Attempt()
    if not limiter.enabled:
        return result
    result.strategy = _strategy()
    cfg = current_app.config
    prefix = cfg.get("RATELIMIT_KEY_PREFIX") or "shuangkong"
    budgets = (
        ("LOGIN_FAILURE_LIMIT", "login-account", (username or "").strip().lower()[:64]),
        ("LOGIN_ADDRESS_FAILURE_LIMIT", "login-address", request.remote_addr or "-"),
    )
    for config_key, scope, who in budgets:
        for item in parse_many(cfg[config_key]):
            ids = (prefix, scope, who)
            if not _hit(result, item, ids):
                result.succeeded()  # the budgets already hit by this refused attempt are given back
                raise TooManyAttempts()
            result.hits.append((item, ids))
    return result
