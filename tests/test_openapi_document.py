"""The OpenAPI document is written when first read, not when the app is built (a process start, cron's
``shuangkong scan`` included, no longer pays for it), and it is whole: every API blueprint's paths,
whichever thread reads it first."""

from __future__ import annotations

import threading

from app.extensions import api
from tests.conftest import make_app


def test_the_document_waits_for_its_first_reader_and_is_whole(app):
    # An app of its own: the suite's app may have had its document read by an earlier test.
    built = make_app()
    assert api._doc_pending, "building the app wrote the document"
    answers = []

    def read():
        answers.append(built.test_client().get("/api/v1/openapi.json").get_json())

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(30)
    assert not api._doc_pending and len(answers) == 4
    paths = answers[0]["paths"]
    assert all(answer["paths"] == paths for answer in answers)  # one document, written once
    for path in ("/api/v1/hazards", "/api/v1/users", "/api/v1/listings", "/api/v1/exchange/status"):
        assert any(p.startswith(path) for p in paths), path
    tags = [tag["name"] for tag in answers[0]["tags"]]
    assert len(tags) == len(set(tags)) > 20
