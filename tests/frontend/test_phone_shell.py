"""What the phone's offline work needs from the server (issue 20): a fresh form token for the queue,
the worker loading the kept-pages script and storing the queue's scripts with the shell, the forms
marked for the queue with their client ids, the position allowed to our own pages."""

from __future__ import annotations

import json
import re

from tests.conftest import login


def test_the_queue_gets_a_fresh_token_only_with_a_session(client, world):
    resp = client.get("/csrf-token")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login(client, world.users.staff)
    resp = client.get("/csrf-token")
    assert resp.status_code == 200 and resp.get_json()["token"]
    assert "no-store" in resp.headers["Cache-Control"]


def test_the_worker_keeps_the_queue_and_the_check_pages_script(client):
    body = client.get("/sw.js").get_data(as_text=True)
    config = json.loads(re.match(r"self\.SHK_CONFIG = (.*);\n", body).group(1))
    assert "/static/js/offline_pages_sw.js" in config["scripts"]
    for url in ("/static/js/offline_queue.js", "/static/vendor/idb/umd.js", "/static/css/phone.css"):
        assert url in config["shell"]
    for url in config["scripts"]:
        assert client.get(url).status_code == 200, url
    offline = client.get("/offline").get_data(as_text=True)
    assert 'id="offline-queue"' in offline and "/static/js/offline_queue.js" in offline


def test_forms_are_marked_for_the_queue_and_photos_for_resizing(client, world):
    login(client, world.users.staff)
    html = client.get("/hazards/new").get_data(as_text=True)
    assert re.search(r'<form [^>]*data-offline data-offline-fresh-id', html)
    assert re.search(r'name="client_id" type="hidden" value="[0-9a-f]{32}"', html)
    assert re.search(r'<input[^>]*capture="environment"[^>]*data-resize', html)
    assert 'data-geolocate' in html and 'class="upload-progress"' in html
    assert "geolocation=(self)" in client.get("/hazards/new").headers["Permissions-Policy"]
    home = client.get("/").get_data(as_text=True)
    assert 'class="quick-actions"' in home and 'href="/hazards/new"' in home
