"""The hazard's photos go with its row as the national model says (``attachments1/2/3``: Base64 of a PNG or
JPEG of at most 5 MB: hazard photo, rectification photo, other), and a receiver checks them."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from app import clock
from app.exchange import service
from app.exchange.models import ExchangeRow
from app.extensions import db
from app.hazards import service as hazards
from app.hazards.demo import photo
from tests.exchange.conftest import NOV_MONDAY
from workflows import exchange as x

LATER = NOV_MONDAY + timedelta(hours=2)


def _push(world, at):
    with clock.moved_to(at):
        result = service.push(world.enterprises.a.id)
        db.session.commit()
    return result


def _webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (10, 120, 200)).save(out, "WEBP")
    return out.getvalue()


def test_the_hazard_s_photos_are_sent_as_base64_and_a_new_one_sends_the_hazard_again(world, plant, province):
    before = photo(1)
    hazards.add_attachment(plant.hazard.id, world.users.manager, kind="before", filename="IMG_0001.jpg",
                           data=before)
    hazards.add_attachment(plant.hazard.id, world.users.manager, kind="document", filename="铭牌.webp",
                           data=_webp())
    db.session.commit()
    assert "error" not in _push(world, LATER)

    (row,) = province.rows_of(x.HAZARD)
    assert base64.b64decode(row["attachments1"]) == before  # the photo itself, capture time kept
    other = base64.b64decode(row["attachments3"])  # WEBP is not in the model: its JPEG screen copy
    assert other.startswith(b"\xff\xd8\xff") and Image.open(io.BytesIO(other)).size == (200, 100)
    assert row.get("attachments2") is None
    ledger = db.session.scalar(select(ExchangeRow).where(ExchangeRow.dataset == x.HAZARD))
    assert ledger.payload["attachments1"].startswith("sha256:")  # the ledger keeps no megabytes

    after = photo(2, after=True)
    hazards.add_attachment(plant.hazard.id, world.users.manager, kind="after", filename="IMG_0002.jpg",
                           data=after)
    db.session.commit()
    result = _push(world, LATER + timedelta(hours=1))
    assert result["accepted"] == 1 and province.times[(x.HAZARD, row["id"])] == 2
    (row,) = province.rows_of(x.HAZARD)
    assert base64.b64decode(row["attachments2"]) == after and base64.b64decode(row["attachments1"]) == before


def test_a_receiver_refuses_a_photo_that_is_not_a_png_or_jpeg_of_at_most_5_mb():
    row = {"id": "h", "companyCode": "123456789", "deleted": "1", "createDate": "20261102083000",
           "updateDate": "20261102083000"}
    jpeg = base64.b64encode(photo(3)).decode()
    assert x.row_errors(x.HAZARD, {**row, "deleted": "0", "attachments1": jpeg}).get("attachments1") is None
    for bad in ("不是图片", base64.b64encode(b"GIF89a....").decode(),
                base64.b64encode(b"\xff\xd8\xff" + bytes(x.IMAGE_MAX_BYTES)).decode(), "sha256:" + "0" * 64):
        errors = x.row_errors(x.HAZARD, {**row, "deleted": "0", "attachments1": bad})
        assert errors["attachments1"] == "bad_image"
    assert "应为Base64编码的PNG或JPEG图片" in x.describe(x.HAZARD, {"attachments1": "bad_image"})
    assert "attachments1" not in x.row_errors(x.HAZARD, {**row, "deleted": "0", "attachments1": "sha256:" + "0" * 64},
                                              stored_images=True)


def test_a_batch_of_hazards_is_cut_when_its_photos_pass_the_byte_budget(app):
    from types import SimpleNamespace

    entries = [SimpleNamespace(payload={"id": str(i), "attachments1": "A" * 10}) for i in range(3)]
    cuts = [[e.payload["id"] for e in batch] for batch, _rows in service._batches(x.HAZARD, entries, 20, 25)]
    assert cuts == [["0", "1"], ["2"]]
    assert [len(b) for b, _ in service._batches(x.TASK, entries, 2, 1)] == [2, 1]  # no photos: by count only
