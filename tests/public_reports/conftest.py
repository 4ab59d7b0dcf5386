"""Helpers of the public report tests: a solved anti-robot challenge, a report filed through the API."""

from __future__ import annotations

import base64
import io
import json

import altcha
import pytest
from PIL import Image

NAME, PHONE = "欧阳娜娜", "13912345678"


@pytest.fixture(autouse=True)
def easy_challenge(app, monkeypatch):
    # A small search space: the proof of work is the same, only cheaper for the suite.
    monkeypatch.setitem(app.config, "PUBLIC_REPORT_CHALLENGE_MAX_NUMBER", 500)


def solved(client) -> str:
    c = client.get("/api/v1/public/challenge").get_json()
    solution = altcha.solve_challenge_v1(c["challenge"], c["salt"], c["algorithm"], c["maxnumber"])
    return base64.b64encode(json.dumps({"algorithm": c["algorithm"], "challenge": c["challenge"],
                                        "number": solution.number, "salt": c["salt"],
                                        "signature": c["signature"]}).encode()).decode()


def png(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def file_report(client, *, photos=(), challenge=True, **fields):
    data = {"category": "major_hazard", "description": "储罐区报警器关闭", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    if photos:
        data["photos"] = [(io.BytesIO(p), f"p{i}.png") for i, p in enumerate(photos)]
    headers = {"X-Challenge": solved(client)} if challenge else {}
    return client.post("/api/v1/public/reports", data=data, headers=headers, content_type="multipart/form-data")


def follow(client, ticket, secret):
    return client.get(f"/api/v1/public/reports/{ticket}", headers={"X-Report-Secret": secret})
