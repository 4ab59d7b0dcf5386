"""The phone (issue 20) at 360 × 740 and 390 × 844 in Chromium: every list a phone user opens fits the
screen as cards (no sideways scrolling); a hazard report with a photo made with the network cut, the page
reloaded offline, then online again gives exactly one hazard with its photo on the server; a check record
likewise; a 4000 × 3000 photo reaches the server under 600 KB with its capture time."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, wait_for_service_worker
from tests.e2e.test_phone_checks import MEASURE_A, MEASURE_B, _daily_tasks, _records

pytestmark = pytest.mark.e2e

SMALL = {"width": 360, "height": 740}
TAKEN = datetime(2026, 5, 4, 9, 30, 15)  # the capture time written into the test photo's EXIF
TOUCH = {"is_mobile": True, "has_touch": True}


def _camera_photo(path):
    """A 4000 × 3000 JPEG as a phone camera makes it (about 3 MB: detail everywhere), with EXIF
    DateTimeOriginal."""
    import random

    from PIL import ExifTags, Image, ImageDraw

    rnd = random.Random(20)
    img = Image.new("RGB", (4000, 3000), (120, 130, 125))
    draw = ImageDraw.Draw(img)
    for _ in range(6000):  # a busy scene: pipes, valves, shadows
        x, y = rnd.randrange(4000), rnd.randrange(3000)
        draw.rectangle((x, y, x + rnd.randrange(10, 240), y + rnd.randrange(10, 160)),
                       fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "E2E"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = TAKEN.strftime("%Y:%m:%d %H:%M:%S")
    img.save(path, format="JPEG", quality=92, exif=exif)
    return path


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("viewport", [SMALL, PHONE], ids=["360", "390"])
def test_every_list_a_phone_user_opens_fits_as_cards(browse, viewport):
    staff = browse.login("jiangfeng_staff", viewport=viewport, **TOUCH)
    # the home page: one tap to report, one to the tasks; the menu has both
    quick = staff.locator(".quick-actions")
    expect(quick.get_by_role("link", name="上报隐患")).to_be_visible()
    assert quick.get_by_role("link", name="上报隐患").bounding_box()["height"] >= 44
    expect(staff.locator(".mainnav a[href='/hazards/new']")).to_have_count(1)
    expect(staff.locator(".mainnav a[href='/checks/']")).to_have_count(1)
    _no_sideways_scroll(staff, viewport["width"])

    # the register: "mine" by default for a post employee, filters folded behind one button, cards
    staff.goto("/hazards/")
    expect(staff.locator("#f-mine")).to_have_value("1")
    fold = staff.locator("details.filters-fold")
    expect(fold).to_have_count(1)
    expect(staff.locator("#f-state")).to_be_hidden()
    card = staff.locator("table.cards tbody tr").first
    for column in ("状态", "期限"):
        expect(card.locator(f"td[data-label*='{column}']")).to_be_visible()
    _no_sideways_scroll(staff, viewport["width"])
    if viewport is PHONE:
        screenshot(staff, "hazards-phone")
    for url in ("/checks/", "/todos", "/notifications/", "/hazards/new"):
        staff.goto(url)
        _no_sideways_scroll(staff, viewport["width"])

    manager = browse.login("jiangfeng_manager", viewport=viewport, **TOUCH)
    for url in ("/hazards/", "/checks/register", "/checks/missed", "/todos", "/notifications/", "/risks/"):
        manager.goto(url)
        _no_sideways_scroll(manager, viewport["width"])

    inspector = browse.login("sr_inspector", viewport=viewport, **TOUCH)
    inspector.goto("/hazards/")
    # a government user's card names the enterprise of each hazard
    expect(inspector.locator("table.cards tbody tr").first.locator(".row-enterprise")).to_be_visible()
    for url in ("/hazards/", "/supervision/listings", "/supervision/queue", "/todos", "/notifications/"):
        inspector.goto(url)
        _no_sideways_scroll(inspector, viewport["width"])


def _hazards_titled(live, title):
    def find():
        from sqlalchemy import select

        from app import storage
        from app.extensions import db
        from app.hazards.models import Hazard, HazardAttachment

        out = []
        for hazard in db.session.scalars(select(Hazard).where(Hazard.title == title)):
            photos = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id)).all()
            out.append([(len(storage.load(p.sha256)), p.taken_at, p.mime) for p in photos])
        return out

    return live.run(find)


def _wait_for_worker(page):
    wait_for_service_worker(page)


def test_a_report_made_offline_is_sent_once_when_the_network_returns(browse, live, tmp_path):
    title = "离线上报：泵房地面油污（E2E）"
    page = browse.login("jiangfeng_staff", viewport=PHONE, **TOUCH)
    page.goto("/hazards/new")
    _wait_for_worker(page)
    photo_input = page.locator("input[type=file][name=photos]")
    assert photo_input.get_attribute("capture") == "environment"
    for box in page.locator("main input:visible, main select:visible, main button:visible").all():
        assert box.bounding_box()["height"] >= 44  # touch targets

    page.context.set_offline(True)
    page.get_by_label("隐患简述").fill(title)
    photo_input.set_input_files(_camera_photo(tmp_path / "camera.jpg"))
    page.get_by_role("button", name="上报", exact=True).click()
    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("待同步 1")
    expect(page.locator(".queued-note")).to_be_visible()
    sent = page.evaluate("""async () => {
        const db = await idb.openDB('shk-offline', 1);
        const [item] = await db.getAll('queue');
        const photo = item.fields.find(f => f.name === 'photos');
        return {client_id: item.client_id, bytes: photo.bytes.byteLength};
    }""")
    assert sent["client_id"] and sent["bytes"] < 600_000  # resized on the phone before it was queued
    screenshot(page, "report-queued-offline-phone")

    page.reload()  # still offline: the report form the service worker kept, and what waits
    expect(page.get_by_role("heading", name="上报隐患")).to_be_visible()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    page.goto("/hazards/")  # a page not kept: the offline page, which shows the count too
    expect(page.get_by_role("heading", name="当前离线")).to_be_visible()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    assert _hazards_titled(live, title) == []

    page.context.set_offline(False)  # the offline page reloads; the real page sends the queue
    expect(page.locator("#offline-queue .queue-sent")).to_contain_text("已同步")
    expect(page.locator("#offline-queue")).not_to_contain_text("待同步")
    page.reload()  # the register loaded again: nothing sent twice
    (photos,) = _hazards_titled(live, title)
    ((size, taken_at, mime),) = photos
    assert mime == "image/jpeg" and size < 600_000
    assert taken_at == TAKEN  # the capture time survived the resizing

    # the hazard's page loads the thumbnail only
    hazard_id = live.run(lambda: _hazard_id(title))
    with page.expect_response(lambda r: "/thumb" in r.url) as thumb:
        page.goto(f"/hazards/{hazard_id}")
    assert thumb.value.ok and len(thumb.value.body()) < 60_000
    images = page.evaluate("Array.from(document.images).map(i => new URL(i.src).pathname)")
    assert any(src.endswith("/thumb") for src in images) and not any("/files/" in s and not s.endswith("/thumb")
                                                                        for s in images)


def _hazard_id(title):
    from sqlalchemy import select

    from app.extensions import db
    from app.hazards.models import Hazard

    return db.session.scalar(select(Hazard.id).where(Hazard.title == title))


def test_a_check_recorded_offline_is_recorded_once(browse, live):
    point_id, tasks = _daily_tasks(live)
    page = browse.login("jiangfeng_operator", viewport=SMALL, **TOUCH)
    page.goto(f"/checks/units/{point_id}")
    _wait_for_worker(page)
    _no_sideways_scroll(page, SMALL["width"])

    page.context.set_offline(True)
    normal = page.locator(f"form[action='/checks/tasks/{tasks[MEASURE_B]}/normal'] button")
    expect(normal).to_have_text("正常")
    normal.click()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    normal.click(force=True)  # a second tap: still one
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")

    page.reload()  # offline: the copy of the unit's page kept by the service worker, and the queue
    expect(page.locator(".measure").filter(has_text=MEASURE_B)).to_be_visible()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    assert _records(live, tasks[MEASURE_B]) == []

    page.context.set_offline(False)
    expect(page.locator("#offline-queue .queue-sent")).to_be_visible()
    assert _records(live, tasks[MEASURE_B]) == [("normal", False, True, False)]
    page.reload()
    assert _records(live, tasks[MEASURE_B]) == [("normal", False, True, False)]

    # A conflict: offline again, measure A recorded here while another phone of his records it on the
    # server; back online, the queue shows the server's outcome instead of recording twice.
    form = page.locator(f"form[action='/checks/tasks/{tasks[MEASURE_A]}/normal']")
    window_start = form.locator("input[name=window_start]").input_value()
    page.context.set_offline(True)
    form.locator("button").click()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    live.run(lambda: _record_elsewhere(tasks[MEASURE_A], window_start))
    page.context.set_offline(False)
    conflict = page.locator("#offline-queue .queue-conflict")
    expect(conflict).to_contain_text("服务器未接受")
    expect(conflict).to_contain_text("已有排查记录")
    expect(page.locator("#offline-queue")).not_to_contain_text("待同步")
    assert len(_records(live, tasks[MEASURE_A])) == 1
    screenshot(page, "offline-conflict-phone")
    conflict.get_by_role("button", name="知道了").click()
    expect(page.locator("#offline-queue")).to_be_hidden()


def _record_elsewhere(task_id, window_start):
    from sqlalchemy import select

    from app.auth.models import User
    from app.checks import service
    from app.extensions import db

    operator = db.session.scalar(select(User).where(User.username == "jiangfeng_operator"))
    service.record_check(operator, task_id, window_start=window_start, result="normal", note="",
                         client_id="another-phone")
    db.session.commit()


def test_a_report_on_a_dead_connection_is_kept_and_sent_once(browse, live, tmp_path):
    """The phone says it is online but the plant's signal is dead (the common case): the report is not
    lost to the browser's error page; it waits as 待同步 and is sent once when the network is back. Online,
    the server's answer is shown as a native submit shows it."""
    page = browse.login("jiangfeng_staff", viewport=PHONE, **TOUCH)
    page.goto("/hazards/new")
    _wait_for_worker(page)

    # online, a validation error: the form again with the Chinese message and what was typed
    page.get_by_label("位置").fill("二号泵房东侧")
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator("#field-title .error")).to_contain_text("此项为必填项")
    expect(page.get_by_label("位置")).to_have_value("二号泵房东侧")
    assert page.url.endswith("/hazards/new")

    # the connection dead while navigator.onLine stays true
    title = "弱信号上报：阀门渗漏（E2E）"
    page.route("**/hazards/new", lambda route: route.abort("internetdisconnected")
               if route.request.method == "POST" else route.continue_())
    page.get_by_label("隐患简述").fill(title)
    page.locator("input[type=file][name=photos]").set_input_files(_camera_photo(tmp_path / "camera.jpg"))
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    expect(page.locator(".queued-note")).to_be_visible()
    tried = page.locator("input[name=client_id]").input_value()
    kept = page.evaluate("""async () => {
        const db = await idb.openDB('shk-offline', 1);
        return (await db.getAll('queue')).map(i => i.client_id);
    }""")
    assert kept == [tried]  # the id of the sending that failed: had it arrived, the resend is not doubled
    assert _hazards_titled(live, title) == []

    page.unroute("**/hazards/new")
    page.reload()
    expect(page.locator("#offline-queue .queue-sent")).to_contain_text("已同步")
    expect(page.locator("#offline-queue")).not_to_contain_text("待同步")
    page.reload()
    (photos,) = _hazards_titled(live, title)
    ((size, taken_at, _mime),) = photos
    assert size < 600_000 and taken_at == TAKEN

    # online and answered: the hazard's page with its flash message, at its address; Back: the form
    title = "在线上报：法兰垫片老化（E2E）"
    page.goto("/hazards/new")
    page.get_by_label("隐患简述").fill(title)
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("已上报")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert page.url.endswith(f"/hazards/{live.run(lambda: _hazard_id(title))}")
    page.go_back()
    expect(page.get_by_role("heading", name="上报隐患")).to_be_visible()
    assert page.url.endswith("/hazards/new")
    assert len(_hazards_titled(live, title)) == 1

    # a gateway answering for a server it cannot reach (503) is no verdict either: kept, then sent by
    # itself (every few seconds while something waits) once the server answers again
    title = "网关无响应时上报：围堰破损（E2E）"
    page.goto("/hazards/new")
    page.route("**/hazards/new", lambda route: route.fulfill(status=503, body="Service Unavailable")
               if route.request.method == "POST" else route.continue_())
    page.get_by_label("隐患简述").fill(title)
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator("#offline-queue")).to_contain_text("待同步 1")
    assert _hazards_titled(live, title) == []
    page.unroute("**/hazards/new")
    expect(page.locator("#offline-queue .queue-sent")).to_contain_text("已同步")
    assert len(_hazards_titled(live, title)) == 1
