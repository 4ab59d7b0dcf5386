"""Front-end foundations in Chromium: a chart drawn from its data island under the strict CSP with the
same numbers as its table (desktop, phone, scripts off), and the installable app: manifest and icons,
the service worker, the offline page on a navigation without network, logout clearing the user's data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, ROOT, screenshot, wait_for_service_worker

pytestmark = pytest.mark.e2e

ECHARTS = ROOT / "app" / "static" / "vendor" / "echarts" / "echarts.common.min.js"


@pytest.fixture(autouse=True)
def _vendor_files():
    assert ECHARTS.exists(), f"{ECHARTS} is missing: run `make assets` (npm ci + copy)"

GRADES = ["重大风险", "较大风险", "一般风险", "低风险"]
COLOURS = {"重大风险": (0xE6, 0x00, 0x12), "较大风险": (0xF3, 0x98, 0x00), "一般风险": (0xFF, 0xE1, 0x00),
           "低风险": (0x00, 0x68, 0xB7)}

# Counts the canvas' pixels that are drawn, and those close to each of the given colours.
PIXELS = """(canvas, colours) => {
  const ctx = canvas.getContext('2d');
  const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let drawn = 0; const near = colours.map(() => 0);
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    drawn++;
    colours.forEach((c, k) => {
      if (Math.abs(data[i] - c[0]) < 12 && Math.abs(data[i + 1] - c[1]) < 12 && Math.abs(data[i + 2] - c[2]) < 12) near[k]++;
    });
  }
  return {drawn, near, width: canvas.width, height: canvas.height};
}"""


def legend_numbers(page) -> dict[str, int]:
    text = page.locator(".legend").inner_text()
    return {g: int(re.search(re.escape(g) + r": (\d+)", text).group(1)) for g in GRADES}


def table_numbers(figure) -> dict[str, int]:
    rows = figure.locator("tbody tr")
    return {rows.nth(i).locator("th").text_content().strip(): int(rows.nth(i).locator("td").first.text_content())
            for i in range(rows.count())}


def chart_numbers(figure) -> dict[str, int]:
    """What ECharts was given to draw (its own option), by category."""
    option = figure.locator(".chart-canvas").evaluate(
        "box => { const o = echarts.getInstanceByDom(box).getOption(); "
        "return {cats: (o.xAxis && o.xAxis[0].data) || o.series[0].data.map(d => d.name), "
        "values: o.series[0].data.map(d => typeof d === 'object' ? d.value : d)}; }")
    return dict(zip(option["cats"], option["values"], strict=True))


def test_region_charts_draw_the_numbers_of_their_tables(browse):
    page = browse.login("sr_supervisor")
    page.goto("/risks/region")
    legend = legend_numbers(page)
    assert sum(legend.values()) > 0, "the demo city has graded risk points"

    donut = page.locator("#chart-risk-points-by-grade")
    expect(donut).to_have_class(re.compile(r"\bchart-ready\b"))
    canvas = donut.locator(".chart-canvas canvas")
    expect(canvas).to_have_count(1)
    page.wait_for_timeout(500)  # the 300 ms entry animation
    pixels = canvas.evaluate(PIXELS, [COLOURS[g] for g in GRADES])
    assert pixels["width"] > 200 and pixels["drawn"] > 5000, pixels
    for grade, near in zip(GRADES, pixels["near"], strict=True):  # each non-empty grade in its colour
        assert (near > 50) == (legend[grade] > 0), (grade, near, legend)

    assert table_numbers(donut) == legend == chart_numbers(donut)
    enterprises = page.locator("#chart-enterprises-by-grade")
    expect(enterprises.locator(".chart-canvas canvas")).to_have_count(1)
    assert table_numbers(enterprises) == chart_numbers(enterprises)
    assert sum(table_numbers(enterprises).values()) >= 1

    # The table is there for screen readers, and shown on request.
    table = donut.locator(".chart-table")
    assert table.bounding_box()["width"] <= 1
    toggle = donut.get_by_role("button", name="以数据表显示")
    toggle.click()
    assert table.bounding_box()["width"] > 100
    expect(donut.get_by_role("button", name="隐藏数据表")).to_have_attribute("aria-expanded", "true")
    screenshot(page.locator(".charts"), "region-charts")


def test_region_charts_on_a_phone_and_without_scripts(browse):
    phone = browse.login("sr_supervisor", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/risks/region")
    donut = phone.locator("#chart-risk-points-by-grade")
    canvas = donut.locator(".chart-canvas canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert 250 <= box["width"] <= PHONE["width"] and box["height"] >= 200
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.wait_for_timeout(500)
    assert canvas.evaluate(PIXELS, [])["drawn"] > 3000
    screenshot(donut, "region-chart-phone")

    plain = browse.login("sr_supervisor", java_script_enabled=False)
    plain.goto("/risks/region")
    figure = plain.locator("#chart-risk-points-by-grade")
    expect(figure.locator("table")).to_be_visible()
    assert figure.locator("table").bounding_box()["width"] > 100
    expect(figure.locator(".chart-canvas")).to_be_hidden()
    assert table_numbers(figure) == legend_numbers(plain)


# What the dashboards of issue 14 will draw: a 12-week trend and a ranking with long names.
ADD_CHARTS = """(specs) => {
  for (const [id, spec] of Object.entries(specs)) {
    const fig = document.createElement('figure');
    fig.className = 'chart'; fig.id = 'chart-' + id;
    const island = document.createElement('script');
    island.type = 'application/json'; island.className = 'chart-data'; island.textContent = JSON.stringify(spec);
    const box = document.createElement('div'); box.className = 'chart-canvas';
    fig.append(island, box);
    document.querySelector('main').append(fig);
  }
  window.shkCharts.drawAll();
}"""


def test_trend_and_ranking_charts_fit_a_phone(browse):
    phone = browse.login("sr_supervisor", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/risks/region")
    expect(phone.locator("#chart-risk-points-by-grade")).to_have_class(re.compile(r"\bchart-ready\b"))
    weeks = [f"2026-W{w}" for w in range(37, 49)]
    names = [f"上饶市第{i}化工有限责任公司" for i in range(1, 11)]
    phone.evaluate(ADD_CHARTS, {
        "trend": {"kind": "line", "title": "12 周趋势", "unit": "项", "categories": weeks, "stack": False,
                  "series": [{"name": "上报", "data": list(range(12))}, {"name": "销号", "data": [3] * 12}]},
        "ranking": {"kind": "hbar", "title": "逾期隐患排名", "unit": "项", "categories": names, "stack": False,
                    "series": [{"name": "逾期", "data": list(range(10, 0, -1))}], "colors": ["#e60012"]},
    })
    phone.wait_for_timeout(500)
    for chart_id in ("trend", "ranking"):
        canvas = phone.locator(f"#chart-{chart_id} canvas")
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box["width"] <= PHONE["width"] and box["height"] >= 200, (chart_id, box)
        assert canvas.evaluate(PIXELS, [])["drawn"] > 3000, chart_id
    ranking = phone.locator("#chart-ranking canvas").evaluate(PIXELS, [(0xE6, 0x00, 0x12)])
    assert ranking["near"][0] > 500  # the bars, in the colour given
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone.locator("#chart-ranking"), "ranking-chart-phone")


def test_installable_app_shell_and_offline_page(browse):
    page = browse.login("jiangfeng_staff", viewport=PHONE, is_mobile=True, has_touch=True)
    context = page.context

    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.ok and manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["name"] == "双控" and data["display"] == "standalone"
    for icon in data["icons"]:
        assert page.request.get(icon["src"]).ok, icon["src"]
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"

    # The worker registers, takes control, and stores the shell — nothing of the user.
    wait_for_service_worker(page)
    cached = page.evaluate("""async () => {
        const out = {};
        for (const name of await caches.keys()) {
          out[name] = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
        }
        return out;
    }""")
    (name, urls), = cached.items()
    assert name.startswith("shk-shell-")
    assert "/offline" in urls and "/static/css/app.css" in urls
    assert all(u.startswith("/static/") or u in ("/offline", "/manifest.webmanifest") for u in urls), urls

    # No network: a navigation gets the offline page (a page seen before is not served from a cache).
    context.set_offline(True)
    page.goto("/hazards/")
    expect(page.get_by_role("heading", name="当前离线")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("上饶员工")  # the user's name: no page of his was stored
    screenshot(page, "offline-page")
    # The network back: the offline page returns to the page asked for by itself (the "online" event,
    # offline_queue.js backOnline), without the user pressing 重试 (clicking it would race that reload).
    context.set_offline(False)
    expect(page.get_by_role("heading", name="当前离线")).to_have_count(0, timeout=20000)
    expect(page.locator(".userbox")).to_contain_text("上饶员工")
    assert page.url.endswith("/hazards/")


def test_logout_clears_the_users_offline_data(browse):
    page = browse.login("jiangfeng_staff")
    wait_for_service_worker(page)
    # What issue 20's offline queue will keep: a cache of the user's data and an IndexedDB database.
    page.evaluate("""async () => {
        await (await caches.open('shk-user-windows')).put('/static/x', new Response('my check windows'));
        await new Promise((resolve, reject) => {
          const req = indexedDB.open('shk-offline', 1);
          req.onupgradeneeded = () => req.result.createObjectStore('queue', {autoIncrement: true});
          req.onsuccess = () => { const tx = req.result.transaction('queue', 'readwrite');
            tx.objectStore('queue').add({title: '配电箱门未关'}); tx.oncomplete = () => { req.result.close(); resolve(); }; };
          req.onerror = reject;
        });
        localStorage.setItem('shk-draft', '配电箱门未关');
    }""")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已退出登录。")).to_be_visible()
    left = page.evaluate("""async () => ({
        caches: await caches.keys(),
        databases: (await indexedDB.databases()).map(d => d.name),
        draft: localStorage.getItem('shk-draft'),
    })""")
    assert "shk-user-windows" not in left["caches"], left
    assert "shk-offline" not in left["databases"], left
    assert left["draft"] is None, left
