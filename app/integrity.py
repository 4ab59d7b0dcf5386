"""The keys of the hazard history's chain, and the integrity log.

The chain (``app.hazards.history``) is keyed: each event's hash is an HMAC-SHA256 with a secret kept
outside the database, so someone who can write to the database but does not hold the key cannot
re-hash a rewritten history. Each event records the id of the key that signed it, so keys can be
rotated (docs/operations.md): the first key signs, every listed key verifies.

Where the keys come from, first match wins:

1. ``SHUANGKONG_CHAIN_KEY`` (config ``CHAIN_KEY``): ``<id>:<secret>[,<id>:<secret>...]``;
2. the file ``CHAIN_KEY_FILE`` (default ``<instance>/chain.key``), one ``<id>:<secret>`` a line;
   when neither exists, that file is created with a random key on first use (mode 0600).

Problems found (a rewritten history, a missing or altered file) are logged at ERROR on the
``shuangkong.integrity`` logger, so that monitoring can alert on them.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from logging import getLogger
from pathlib import Path

from flask import current_app

log = getLogger("shuangkong.integrity")

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MIN_SECRET = 32


class ChainKeyError(RuntimeError):
    """The chain key configuration is unusable (the message says how to fix it)."""


@dataclass(frozen=True)
class ChainKeys:
    current_id: str
    secrets: dict[str, bytes]


def parse_keys(text: str, source: str) -> ChainKeys:
    entries: list[tuple[str, bytes]] = []
    for raw in re.split(r"[,\n]", text):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        key_id, sep, secret = raw.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not KEY_ID.match(key_id) or len(secret) < MIN_SECRET:
            raise ChainKeyError(
                f"{source}: each chain key is '<id>:<secret>' with an id of letters, digits, '-' or '_' "
                f"and a secret of at least {MIN_SECRET} characters "
                '(python -c "import secrets; print(secrets.token_hex(32))").')
        if any(existing == key_id for existing, _ in entries):
            raise ChainKeyError(f"{source}: the chain key id {key_id!r} is listed twice.")
        entries.append((key_id, secret.encode()))
    if not entries:
        raise ChainKeyError(f"{source}: no chain key found.")
    return ChainKeys(current_id=entries[0][0], secrets=dict(entries))


def key_file(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("CHAIN_KEY_FILE") or Path(app.instance_path) / "chain.key")


def _create_key_file(path: Path) -> None:
    """A fresh random key, written atomically: of several workers starting at once, one wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = "k" + secrets.token_hex(4)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(f"# shuangkong chain key: keep a copy apart from the database backups.\n"
                     f"{key_id}:{secrets.token_hex(32)}\n")
        with contextlib.suppress(FileExistsError):  # another process created it first: theirs is kept
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.warning("created the chain key file %s; back it up apart from the database (docs/operations.md)",
                path)


def chain_keys(app=None) -> ChainKeys:
    """The configured keys (read once per application)."""
    app = app or current_app
    cached = app.extensions.get("shuangkong_chain_keys")
    if cached is not None:
        return cached
    text = app.config.get("CHAIN_KEY")
    if text:
        keys = parse_keys(str(text), "SHUANGKONG_CHAIN_KEY")
    else:
        path = key_file(app)
        if not path.exists():
            _create_key_file(path)
        keys = parse_keys(path.read_text(encoding="utf-8"), str(path))
    app.extensions["shuangkong_chain_keys"] = keys
    return keys
