"""The reporter's identity (name, phone), encrypted at rest with a key kept outside the database.

Same arrangement as the hazard history's chain key (app/integrity.py, docs/operations.md), so that a
copy of the database (a backup, a dump handed to a contractor) does not name the whistle-blowers:

1. ``SHUANGKONG_REPORT_KEY`` (config ``REPORT_KEY``): ``<id>:<secret>[,<id>:<secret>...]``;
2. the file ``REPORT_KEY_FILE`` (default ``<instance>/report.key``), one ``<id>:<secret>`` a line,
   created with a random key (mode 0600) on first use when neither exists.

The first key encrypts; every listed key decrypts (rotation). A value is ``<key id>:<base64 of nonce +
AES-256-GCM ciphertext>``; the field name is the associated data, so a name cannot be swapped into the
phone column unnoticed. Decryption happens only for the handling authority's designated users
(``service.identity_for``); everything else reads the masked forms of workflows/masking.py.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from logging import getLogger
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from app.integrity import ChainKeyError, ChainKeys, parse_keys

log = getLogger("shuangkong.integrity")


def key_file(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("REPORT_KEY_FILE") or Path(app.instance_path) / "report.key")


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("# shuangkong report key: reporters' identities. Keep a copy apart from the database.\n"
                     f"r{secrets.token_hex(4)}:{secrets.token_hex(32)}\n")
        with contextlib.suppress(FileExistsError):  # another worker created it first: theirs is kept
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.warning("created the report key file %s; back it up apart from the database (docs/operations.md)", path)


def keys(app=None) -> ChainKeys:
    app = app or current_app
    cached = app.extensions.get("shuangkong_report_keys")
    if cached is not None:
        return cached
    text = app.config.get("REPORT_KEY")
    try:
        if text:
            found = parse_keys(str(text), "SHUANGKONG_REPORT_KEY")
        else:
            path = key_file(app)
            if not path.exists():
                _create(path)
            found = parse_keys(path.read_text(encoding="utf-8"), str(path))
    except ChainKeyError as exc:  # the same format as the chain key; say which key is wrong
        raise ChainKeyError(str(exc).replace("chain key", "report key")) from None
    app.extensions["shuangkong_report_keys"] = found
    return found


def _aes(secret: bytes) -> AESGCM:
    return AESGCM(hashlib.sha256(b"shuangkong-report-identity\0" + secret).digest())


def encrypt(value: str | None, field: str) -> str | None:
    if not value:
        return None
    k = keys()
    nonce = secrets.token_bytes(12)
    sealed = _aes(k.secrets[k.current_id]).encrypt(nonce, value.encode(), field.encode())
    return f"{k.current_id}:{base64.b64encode(nonce + sealed).decode()}"


class Undecryptable(RuntimeError):
    pass


def decrypt(value: str | None, field: str) -> str | None:
    if not value:
        return None
    key_id, _, body = value.partition(":")
    secret = keys().secrets.get(key_id)
    if secret is None:
        raise Undecryptable(f"encrypted with the report key {key_id!r}, which is not configured")
    raw = base64.b64decode(body)
    try:
        return _aes(secret).decrypt(raw[:12], raw[12:], field.encode()).decode()
    except InvalidTag:
        raise Undecryptable("the encrypted identity was altered") from None
