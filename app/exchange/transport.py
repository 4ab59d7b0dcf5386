"""The wire: the payload's encryption, one batch sent, the receipt read (docs/exchange.md).

JSON transport: ``POST <endpoint>`` with ``{"companyCode": ..., "datas": base64(cipher(JSON list))}``
(national-model.md §5: ``{"datas": AES(json-list)}``, 20 rows a call); form transport: one
``application/x-www-form-urlencoded`` POST per row with the enterprise's ``pwd``. The receipt, both ways:
``{"code": "200", "msg": ..., "data": {"accepted": [ids], "rejected": [{"id", "errors", "msg"}]}}``.
"""

from __future__ import annotations

import base64
import json
import urllib.parse

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.notifications.channels import DeliveryError, post_json


class TransportError(Exception):
    """The batch did not reach the receiver, or its answer was not a receipt: nothing was acknowledged."""


class KeyError_(ValueError):
    """The enterprise's key is missing or of the wrong length."""


def _cipher(name: str, secret: str):
    """``secret`` is ``key`` or ``key|iv`` (UTF-8 text of the algorithm's key length, or ``hex:...``)."""
    algorithm, mode = name.split("/")
    key_text, _, iv_text = secret.partition("|")

    def raw(text: str) -> bytes:
        return bytes.fromhex(text[4:]) if text.startswith("hex:") else text.encode()

    key = raw(key_text)
    try:
        algo = algorithms.AES(key) if algorithm == "AES" else algorithms.SM4(key)
    except ValueError as exc:
        raise KeyError_(f"{algorithm} 密钥长度不正确") from exc
    if mode == "ECB":
        return Cipher(algo, modes.ECB()), algo.block_size  # noqa: S305 - the provinces' uploaders use ECB
    iv = raw(iv_text)
    if len(iv) * 8 != algo.block_size:
        raise KeyError_(f"{algorithm}/CBC 需要{algo.block_size // 8}字节的向量（密钥|向量）")
    return Cipher(algo, modes.CBC(iv)), algo.block_size


def encrypt(cipher_name: str, secret: str | None, text: str) -> str:
    if cipher_name == "none":
        return text
    if not secret:
        raise KeyError_("未配置企业密钥")
    cipher, block = _cipher(cipher_name, secret)
    padder = padding.PKCS7(block).padder()
    data = padder.update(text.encode()) + padder.finalize()
    encryptor = cipher.encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decrypt(cipher_name: str, secret: str | None, token: str) -> str:
    """The plain text, or ValueError (wrong key, damaged payload)."""
    if cipher_name == "none":
        return token
    if not secret:
        raise ValueError("no key")
    cipher, block = _cipher(cipher_name, secret)
    decryptor = cipher.decryptor()
    data = decryptor.update(base64.b64decode(token, validate=True)) + decryptor.finalize()
    unpadder = padding.PKCS7(block).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


def receipt(accepted: list[str], rejected: list[dict], msg: str = "成功") -> dict:
    return {"code": "200", "msg": msg, "data": {"accepted": accepted, "rejected": rejected}}


def refusal(code: int, msg: str) -> dict:
    return {"code": str(code), "msg": msg, "data": None}


def _read_receipt(raw: bytes) -> tuple[set[str], dict[str, str]]:
    try:
        body = json.loads(raw.decode())
        data = body["data"] if str(body.get("code")) == "200" else None
        accepted = {str(i) for i in data["accepted"]}
        rejected = {str(r["id"]): str(r.get("msg") or r.get("errors")) for r in data["rejected"]}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TransportError(f"平台的回执无法识别：{raw[:200]!r}") from exc
    return accepted, rejected


def send_json(url: str, company_code: str, cipher_name: str, secret: str | None, rows: list[dict],
              timeout: float) -> tuple[set[str], dict[str, str]]:
    """One batch; (accepted ids, {refused id: the receiver's message})."""
    datas = encrypt(cipher_name, secret, json.dumps(rows, ensure_ascii=False))
    body = json.dumps({"companyCode": company_code, "datas": datas}).encode()
    try:
        raw = post_json(url, body, timeout)
    except DeliveryError as exc:
        raise TransportError(f"无法送达省级平台（{exc}）") from exc
    return _read_receipt(raw)


def send_form(url: str, company_code: str, secret: str | None, rows: list[dict],
              timeout: float) -> tuple[set[str], dict[str, str]]:
    """One form POST per row, with the enterprise's ``pwd``; the receipts merged."""
    if not secret:
        raise KeyError_("未配置企业密钥")
    accepted: set[str] = set()
    rejected: dict[str, str] = {}
    for row in rows:
        fields = {k: "" if v is None else str(v) for k, v in row.items()}
        body = urllib.parse.urlencode({**fields, "companyCode": company_code, "pwd": secret}).encode()
        try:
            raw = post_json(url, body, timeout, {"Content-Type": "application/x-www-form-urlencoded"})
        except DeliveryError as exc:
            raise TransportError(f"无法送达省级平台（{exc}）") from exc
        ok, bad = _read_receipt(raw)
        accepted |= ok
        rejected.update(bad)
    return accepted, rejected
