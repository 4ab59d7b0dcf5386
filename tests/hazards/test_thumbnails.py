"""Light photos on the server (issue 20 item 3): the original is kept as uploaded; the hazard page shows a
thumbnail made from it, a tap opens a screen-sized copy; both are cached by content and carry no position."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image
from sqlalchemy import select

from app import storage, thumbnails
from app.extensions import db
from app.hazards import service
from app.hazards.models import HazardAttachment
from tests.conftest import login
from tests.hazards.helpers import jpeg_bytes, make_hazard, pdf_bytes

TAKEN = datetime(2026, 4, 1, 8, 15, 0)


def _photo(world, hazard, data, name="tank.jpg", kind="before"):
    row = service.add_attachment(hazard.id, world.users.manager, kind=kind, filename=name, data=data)
    db.session.commit()
    return row


def _image(resp):
    return Image.open(io.BytesIO(resp.get_data()))


def test_thumbnail_and_screen_copy_are_made_from_the_kept_original(client, world):
    hazard = make_hazard(world)
    original = jpeg_bytes(size=(3000, 2000), taken_at=TAKEN, gps=(28.45, 117.94))
    row = _photo(world, hazard, original)
    login(client, world.users.staff)

    thumb = client.get(f"/hazards/files/{row.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert _image(thumb).size == (320, 213)
    assert not _image(thumb).getexif()  # no metadata, so no position, whoever looks
    screen = client.get(f"/hazards/files/{row.id}/screen")
    assert _image(screen).size == (1280, 853)
    assert len(thumb.get_data()) < len(screen.get_data()) < len(original)

    # the original is kept as it was uploaded (the evidence, with its capture time)
    assert storage.load(row.sha256) == original
    # made once: the copy is cached under the original's digest, and a second request reads it
    cached = thumbnails._path(row.sha256, "thumb")
    assert cached.read_bytes() == thumb.get_data()
    cached.write_bytes(cached.read_bytes())  # (unchanged bytes; the point is that it is read, below)
    before = cached.stat().st_mtime_ns
    assert client.get(f"/hazards/files/{row.id}/thumb").get_data() == thumb.get_data()
    assert cached.stat().st_mtime_ns == before


def test_the_hazard_page_loads_thumbnails_only(client, world):
    hazard = make_hazard(world)
    row = _photo(world, hazard, jpeg_bytes(size=(1600, 1200)))
    login(client, world.users.staff)
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert f'src="/hazards/files/{row.id}/thumb"' in page
    assert f'href="/hazards/files/{row.id}/screen"' in page
    assert f'src="/hazards/files/{row.id}"' not in page


def test_a_document_has_no_thumbnail_and_a_foreign_user_gets_nothing(client, world):
    hazard = make_hazard(world)
    pdf = _photo(world, hazard, pdf_bytes(), name="report.pdf", kind="document")
    photo = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id,
                                                              HazardAttachment.mime == "image/jpeg")).first()
    login(client, world.users.staff)
    assert client.get(f"/hazards/files/{pdf.id}/thumb").status_code == 404
    assert client.get(f"/hazards/files/{photo.id}/large").status_code == 404
    login(client, world.users.staff_b)
    assert client.get(f"/hazards/files/{photo.id}/thumb").status_code == 404


def test_storage_check_ignores_the_cached_copies(client, world):
    hazard = make_hazard(world)
    row = _photo(world, hazard, jpeg_bytes(size=(800, 600)))
    login(client, world.users.staff)
    assert client.get(f"/hazards/files/{row.id}/screen").status_code == 200
    report = storage.check_files(grace_seconds=0)
    assert thumbnails._path(row.sha256, "screen").exists()
    assert not any("derived" in path for path in report.debris_removed)
    assert report.ok or all(storage.is_digest(d) for d in report.orphaned)  # copies are never "orphans"
