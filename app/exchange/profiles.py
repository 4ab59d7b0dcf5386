"""Per-province profiles and the enterprises that report, from the configuration; secrets from outside it.

``EXCHANGE_PROFILES``: ``{name: {endpoints | base_url, transport, cipher, batch_size, schedule_hour, timeout}}``;
``EXCHANGE_ENTERPRISES``: ``{credit code: {"profile": name, "company_code": 9 digits}}`` (the enterprises
configured to report; the 9-digit code of the 危化品登记 platform); ``EXCHANGE_SENDERS``: what this project
accepts as a receiving platform, ``{company code: {"cipher": ..., "credit_code": ...}}``. Each
enterprise's key (the AES/SM4 key, or the form transport's ``pwd``) is never in the database: the
environment variable ``SHUANGKONG_EXCHANGE_KEY_<company code>``, else the file
``<instance>/exchange/<company code>.key`` (docs/exchange.md, like the chain key in docs/operations.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from workflows.exchange import ORDER

TRANSPORTS = ("json", "form")
CIPHERS = ("AES/ECB", "AES/CBC", "SM4/ECB", "SM4/CBC", "none")


class ProfileError(ValueError):
    """A profile or an enrolment the configuration gets wrong (stops the push with a clear message)."""


@dataclass(frozen=True)
class Profile:
    name: str
    endpoints: dict[str, str]
    transport: str = "json"
    cipher: str = "AES/ECB"
    batch_size: int = 20
    schedule_hour: int = 2  # the daily push is due from this local hour on
    timeout: float = 10.0


@dataclass(frozen=True)
class Enrolment:
    credit_code: str
    company_code: str
    profile: Profile


def profile(name: str) -> Profile:
    raw = (current_app.config.get("EXCHANGE_PROFILES") or {}).get(name)
    if raw is None:
        raise ProfileError(f"未配置上报方案 {name}")
    endpoints = dict(raw.get("endpoints") or {})
    base = (raw.get("base_url") or "").rstrip("/")
    for dataset in ORDER:
        if dataset not in endpoints:
            if not base:
                raise ProfileError(f"上报方案 {name} 缺少 {dataset} 的地址")
            endpoints[dataset] = f"{base}/{dataset}"
    transport, cipher = raw.get("transport", "json"), raw.get("cipher", "AES/ECB")
    if transport not in TRANSPORTS:
        raise ProfileError(f"上报方案 {name} 的传输方式 {transport} 无效")
    if cipher not in CIPHERS:
        raise ProfileError(f"上报方案 {name} 的加密方式 {cipher} 无效")
    return Profile(name, endpoints, transport, cipher, int(raw.get("batch_size", 20)),
                   int(raw.get("schedule_hour", 2)), float(raw.get("timeout", 10.0)))


def enrolments() -> dict[str, dict]:
    return dict(current_app.config.get("EXCHANGE_ENTERPRISES") or {})


def enrolment_of(credit_code: str) -> Enrolment | None:
    raw = enrolments().get(credit_code)
    if raw is None:
        return None
    code = str(raw.get("company_code") or "")
    if not (len(code) == 9 and code.isdigit()):
        raise ProfileError("企业的危化品登记编码应为9位数字")
    return Enrolment(credit_code, code, profile(raw.get("profile", "")))


def sender(company_code: str) -> dict | None:
    """How this project, as receiving platform, accepts ``company_code`` (None: not a known sender)."""
    return (current_app.config.get("EXCHANGE_SENDERS") or {}).get(company_code)


def secret(company_code: str) -> str | None:
    """The enterprise's key: environment first, then the instance file; None when neither has it."""
    value = os.environ.get(f"SHUANGKONG_EXCHANGE_KEY_{company_code}")
    if value:
        return value.strip()
    folder = current_app.config.get("EXCHANGE_KEY_FOLDER") or str(Path(current_app.instance_path) / "exchange")
    path = Path(folder) / f"{company_code}.key"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None
