"""Evidence files: checked when served, safe to serve, bounded to upload; the storage's edge cases
(concurrent writes, a full disk, missing and altered files) and ``shuangkong storage check``."""

from __future__ import annotations

import io
import logging
import os
import struct
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from app import storage
from app.extensions import db
from app.hazards.models import HazardAttachment
from tests.conftest import api_token, login
from tests.hazards.helpers import jpeg_bytes, make_hazard, pdf_bytes


def text(resp) -> str:
    return resp.get_data(as_text=True)


def _first_attachment(hazard) -> HazardAttachment:
    return db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id)
                              .order_by(HazardAttachment.id)).first()


def _upload(client, hazard, data: bytes, name: str = "photo.jpg", kind: str = "before"):
    return client.post(f"/hazards/{hazard.id}/attachments", data={
        "att-kind": kind, "att-photos": [(io.BytesIO(data), name)]}, content_type="multipart/form-data")


# --- serving: checked, stripped, safe headers ----------------------------------------------------

@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_missing_or_altered_file_is_refused_404_and_logged(client, world, damage, caplog):
    h = make_hazard(world)
    att = _first_attachment(h)
    path = storage.path_for(att.sha256)
    original = path.read_bytes()
    try:
        if damage == "missing":
            path.unlink()
        else:  # a photo altered on disk (one byte changed): it must never be served silently
            path.write_bytes(original[:-3] + b"\x00\x00\xd9")
        login(client, world.users.staff)
        with caplog.at_level(logging.ERROR, logger="shuangkong.integrity"):
            resp = client.get(f"/hazards/files/{att.id}")
            assert resp.status_code == 404
            assert "已记录完整性错误" in text(resp)
            api = client.get(f"/api/v1/hazards/{h.id}/attachments/{att.id}",
                             headers=api_token(client, world.users.staff))
        assert api.status_code == 404 and api.get_json()["error"]["code"] == "file_unavailable"
        logged = [r for r in caplog.records if r.name == "shuangkong.integrity" and r.levelno == logging.ERROR]
        assert logged and att.sha256 in logged[0].getMessage()
    finally:
        path.write_bytes(original)


def test_gps_is_stripped_for_enterprise_users_and_kept_for_government(client, world):
    from PIL import Image

    from app.clock import utcnow

    h = make_hazard(world)
    photo = jpeg_bytes(gps=(28.68, 115.89), taken_at=utcnow().replace(microsecond=0), size=(80, 60))
    login(client, world.users.staff)
    assert _upload(client, h, photo, "site.jpg").status_code == 302
    att = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)
                             .order_by(HazardAttachment.id.desc())).first()
    assert att.gps_lat is not None  # the original keeps the position (evidence)
    assert storage.path_for(att.sha256).read_bytes() == photo

    served = client.get(f"/hazards/files/{att.id}").get_data()
    with Image.open(io.BytesIO(served)) as img:
        exif = img.getexif()
        assert not exif.get_ifd(storage.GPS_IFD)
        assert exif.get(0x0132)  # the capture time stays
        assert img.size == (80, 60)
    api = client.get(f"/api/v1/hazards/{h.id}/attachments/{att.id}", headers=api_token(client, world.users.staff))
    assert not storage.has_location(api.get_data())

    login(client, world.users.inspector)
    assert client.get(f"/hazards/files/{att.id}").get_data() == photo


def test_file_routes_send_nosniff_and_a_safe_content_disposition(client, world):
    h = make_hazard(world)
    login(client, world.users.staff)
    nasty = 'a"b\r\nX-Evil: 1\u202egpj.<script>.pdf'
    assert _upload(client, h, pdf_bytes(), nasty, kind="document").status_code == 302
    att = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)
                             .order_by(HazardAttachment.id.desc())).first()
    assert "\r" not in att.filename and "\u202e" not in att.filename and '"' not in att.filename
    for resp in (client.get(f"/hazards/files/{att.id}"),
                 client.get(f"/api/v1/hazards/{h.id}/attachments/{att.id}",
                            headers=api_token(client, world.users.staff))):
        assert resp.status_code == 200
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        disposition = resp.headers["Content-Disposition"]
        assert disposition.startswith("inline; filename=\"")
        assert "X-Evil" not in resp.headers and "<script>" not in disposition
        assert disposition.count('"') == 2 and "filename*=UTF-8''" in disposition
    page = text(client.get(f"/hazards/{h.id}"))
    assert "<script>.pdf" not in page


# --- uploads: bounded ---------------------------------------------------------------------------

def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` (a decompression bomb's few hundred bytes)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def test_huge_pixel_dimensions_are_refused_before_decoding(client, world):
    h = make_hazard(world)
    login(client, world.users.staff)
    started = time.perf_counter()
    resp = _upload(client, h, _png_claiming(13_000, 13_000), "bomb.png")
    assert resp.status_code == 422
    assert "像素" in text(resp) and "40" in text(resp)
    assert time.perf_counter() - started < 5
    r = client.post(f"/api/v1/hazards/{h.id}/attachments", headers=api_token(client, world.users.staff),
                    data={"kind": "before", "file": (io.BytesIO(_png_claiming(20_000, 20_000)), "b.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]


def test_decodes_are_bounded_per_worker(app, world):
    """With every decode slot taken, the next photo waits, then is answered 503 (busy), not decoded."""
    saved = {k: app.config[k] for k in ("IMAGE_DECODE_CONCURRENCY", "IMAGE_DECODE_WAIT_SECONDS")}
    app.config.update(IMAGE_DECODE_CONCURRENCY=1, IMAGE_DECODE_WAIT_SECONDS=0.2)
    try:
        holding, release = threading.Event(), threading.Event()

        def hold():
            with app.app_context(), storage.decode_slot():
                holding.set()
                release.wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        holding.wait(5)
        try:
            with pytest.raises(storage.Busy) as exc:
                storage.check_upload(jpeg_bytes(), "x.jpg")
            assert exc.value.status == 503
        finally:
            release.set()
            thread.join()
        assert storage.check_upload(jpeg_bytes(), "x.jpg").mime == "image/jpeg"
    finally:
        app.config.update(saved)


def _pdf_with(kind: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if kind == "javascript":
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")})
    elif kind == "embedded":
        writer.add_attachment("payload.exe", b"MZ...")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["javascript", "embedded"])
def test_pdfs_with_active_content_are_refused(client, world, kind):
    h = make_hazard(world)
    login(client, world.users.staff)
    resp = _upload(client, h, _pdf_with(kind), "report.pdf", kind="document")
    assert resp.status_code == 422 and "活动内容" in text(resp)
    assert _upload(client, h, _pdf_with("plain"), "report.pdf", kind="document").status_code == 302


def test_uploads_are_rate_limited_per_user(app):
    from tests.auth.conftest import isolated_app
    from tests.conftest import Factory
    from tests.hazards.conftest import FreshUserClient

    with isolated_app({"RATELIMIT_ENABLED": True, "UPLOAD_RATE_LIMIT": "2 per minute",
                       "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}) as application:
        from app.extensions import limiter
        from app.hazards import service

        limiter.reset()
        f = Factory()
        county = f.region("限流县", level="county")
        enterprise = f.enterprise(county)
        staff = f.user("enterprise_staff", enterprise=enterprise, username="rl_staff")
        other = f.user("enterprise_staff", enterprise=enterprise, username="rl_other")
        hazard = service.create_hazard(staff, enterprise=enterprise, title="限流")
        db.session.commit()
        client = FreshUserClient(application, application.response_class, use_cookies=True)
        login(client, staff)
        codes = [_upload(client, hazard, jpeg_bytes((i, 0, 0))).status_code for i in range(3)]
        assert codes == [302, 302, 429]
        # A POST without a file is not an upload; another user has his own budget.
        assert client.post(f"/hazards/{hazard.id}/attachments", data={"att-kind": "before"}).status_code != 429
        login(client, other)
        assert _upload(client, hazard, jpeg_bytes((9, 9, 9))).status_code == 302


# --- storage edge cases -------------------------------------------------------------------------

def test_concurrent_saves_of_the_same_new_file_all_succeed(app):
    with app.app_context():
        for round_ in range(5):
            data = os.urandom(2_000_000) + bytes([round_])
            barrier = threading.Barrier(6)
            errors, digests = [], []

            def save(data=data, barrier=barrier, errors=errors, digests=digests):
                with app.app_context():
                    barrier.wait()
                    try:
                        digests.append(storage.save(data))
                    except Exception as exc:  # noqa: BLE001  what the race used to raise
                        errors.append(exc)

            threads = [threading.Thread(target=save) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == [] and len(set(digests)) == 1
            path = storage.path_for(digests[0])
            assert path.read_bytes() == data
            assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
            path.unlink()


@pytest.fixture
def full_disk(app, tmp_path):
    """A real, tiny file system (tmpfs of 64 KB) as the upload folder; skipped where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    saved = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(mount)
    try:
        yield mount
    finally:
        app.config["UPLOAD_FOLDER"] = saved
        subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_answers_507_with_a_message_and_leaves_no_debris(client, world, full_disk):
    h = make_hazard(world)  # its small photo fits on the tiny disk
    before = {p for p in Path(full_disk).rglob("*") if p.is_file()}
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(buf, "PNG")
    big = buf.getvalue()  # ~270 KB of noise: larger than the 64 KB disk
    login(client, world.users.staff)
    resp = _upload(client, h, big, "noise.png")
    assert resp.status_code == 507
    assert "存储空间已满" in text(resp)
    r = client.post(f"/api/v1/hazards/{h.id}/attachments", headers=api_token(client, world.users.staff),
                    data={"kind": "before", "file": (io.BytesIO(big), "noise.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 507 and r.get_json()["error"]["code"] == "insufficient_storage"
    assert {p for p in Path(full_disk).rglob("*") if p.is_file()} == before  # no .tmp debris
    assert len(db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)).all()) == 1


def test_storage_check_reports_missing_altered_orphaned_and_removes_debris(app, world, runner):
    h = make_hazard(world, "pending_review")
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    rows = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)
                              .order_by(HazardAttachment.id)).all()
    missing, altered = storage.path_for(rows[0].sha256), storage.path_for(rows[1].sha256)
    kept = {p: p.read_bytes() for p in (missing, altered)}
    orphan_digest = storage.save(b"nobody refers to me")
    orphan = storage.path_for(orphan_digest)
    debris = orphan.parent / ".abc.tmp"
    debris.write_bytes(b"half a file")
    old = time.time() - 7200
    for p in (orphan, debris):
        os.utime(p, (old, old))
    try:
        missing.unlink()
        altered.write_bytes(b"not the photo")
        result = runner.invoke(args=["storage", "check"])
        assert result.exit_code == 1
        assert f"MISSING {rows[0].sha256}" in result.output and "hazard_attachments" in result.output
        assert f"ALTERED {rows[1].sha256}" in result.output
        assert f"ORPHANED {orphan_digest}" in result.output
        assert not debris.exists() and "removed debris" in result.output
        result = runner.invoke(args=["storage", "check", "--remove-orphans"])
        assert not orphan.exists() and f"removed orphan {orphan_digest}" in result.output
    finally:
        for p, data in kept.items():
            p.write_bytes(data)
        orphan.unlink(missing_ok=True)
    assert runner.invoke(args=["storage", "check"]).exit_code == 0
