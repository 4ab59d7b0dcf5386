"""Front-end foundations without a browser: the manifest and its icons, the service worker's answer,
the offline page, logout clearing the browser's data, chart specs and the chart on the region page."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

from app.frontend import charts
from tests.conftest import login
from tests.risks.conftest import make_point  # noqa: F401  (fixture)


def test_manifest_is_valid_json_with_reachable_icons(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    manifest = json.loads(resp.get_data(as_text=True))
    assert manifest["name"] == "双控" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#004e8c"
    purposes = set()
    for icon in manifest["icons"]:
        img = client.get(icon["src"])
        assert img.status_code == 200, icon["src"]
        assert img.mimetype == icon["type"]
        if icon["type"] == "image/png":
            w, h = Image.open(io.BytesIO(img.data)).size
            assert f"{w}x{h}" == icon["sizes"]
        purposes.add(icon["purpose"])
    assert {"any", "maskable"} <= purposes
    sizes = {i["sizes"] for i in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes


def test_pages_link_the_manifest_and_register_the_worker(client, world):
    login(client, world.users.manager)
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert 'data-sw="/sw.js"' in html


def test_service_worker_is_served_from_the_root_with_its_shell(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in resp.headers["Cache-Control"]
    body = resp.get_data(as_text=True)
    config = json.loads(re.match(r"self\.SHK_CONFIG = (.*);\n", body).group(1))
    assert re.fullmatch(r"shk-shell-[0-9][\w.+-]*-[0-9a-f]{12}", config["cache"])
    assert config["offline"] in config["shell"]
    for url in config["shell"]:  # the install step fails if one of them does not answer
        assert client.get(url).status_code == 200, url
    assert "eval(" not in body and "new Function" not in body


def test_offline_page_is_chinese_and_about_nobody(client, world):
    login(client, world.users.manager)
    html = client.get("/offline").get_data(as_text=True)
    assert "当前离线" in html and "重试" in html
    assert world.users.manager.display_name not in html and "csrf" not in html.lower()


def test_logout_tells_the_browser_to_clear_its_caches_and_storage(client, world):
    login(client, world.users.staff)
    resp = client.post("/logout")
    assert resp.status_code == 302
    directives = {d.strip() for d in resp.headers["Clear-Site-Data"].split(",")}
    assert directives == {'"cache"', '"storage"'}
    assert "Clear-Site-Data" not in client.get("/login").headers


def test_chart_spec_rejects_numbers_that_do_not_fit_its_categories():
    with pytest.raises(ValueError):
        charts.spec("bar", "t", ["a", "b"], [{"name": "s", "data": [1]}])
    with pytest.raises(ValueError):
        charts.spec("radar", "t", ["a"], [{"name": "s", "data": [1]}])
    spec = charts.spec("line", "12 周", ["W1", "W2"], [{"name": "上报", "data": [3, None]}])
    assert spec["series"][0]["data"] == [3, 0]
    assert charts.table_of(spec)["rows"] == [{"label": "W1", "link": "", "values": [3]},
                                             {"label": "W2", "link": "", "values": [0]}]


def _islands(html: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<figure class="chart" id="chart-([\w-]+)".*?<script type="application/json" class="chart-data">(.*?)</script>',
        html, re.S)}


def _table_numbers(html: str, chart_id: str) -> list[int]:
    figure = html[html.index(f'id="chart-{chart_id}"'):]
    figure = figure[:figure.index("</figure>")]
    return [int(n) for n in re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', figure)]


def test_region_page_charts_the_numbers_it_already_shows(client, world, make_point):  # noqa: F811
    make_point(name="a1", assess=("direct", {"rules": ["D1"]}))  # red
    make_point(name="a2", assess=("ls", {"L": 1, "S": 1}))  # blue
    make_point(enterprise=world.enterprises.b, name="b1", assess=("ls", {"L": 3, "S": 3}))  # yellow
    login(client, world.users.city_supervisor)
    html = client.get("/risks/region").get_data(as_text=True)
    islands = _islands(html)
    points = islands["risk-points-by-grade"]
    assert points["kind"] == "donut"
    assert points["categories"] == ["重大风险", "较大风险", "一般风险", "低风险"]
    assert points["colors"] == ["#e60012", "#f39800", "#ffe100", "#0068b7"]
    assert points["series"][0]["data"] == [1, 0, 1, 1] == _table_numbers(html, "risk-points-by-grade")
    enterprises = islands["enterprises-by-grade"]  # enterprises with a point of each grade: a counts twice
    assert enterprises["series"][0]["data"] == [1, 0, 1, 1] == _table_numbers(html, "enterprises-by-grade")
    assert enterprises["links"][0] == "/risks/region?grade=red"
    # the legend above still shows the same figures
    assert re.search(r"重大风险: 1\s", html) and re.search(r"一般风险: 1\s", html)
    assert "echarts.common.min.js" in html and "js/charts.js" in html
