def test_login_page_is_chinese(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert "登录" in resp.get_data(as_text=True)


def test_world_builds(world):
    assert world.users.inspector.authority.region.path.startswith(world.regions.city.path)


def test_every_page_has_our_icon_and_favicon_ico_is_no_404(client, world):
    """Browsers fetch /favicon.ico (and the page's icon link) on every page: no 404 in the log."""
    import re

    from tests.conftest import login

    resp = client.get("/favicon.ico")  # no login needed, as browsers ask before and after it
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert b"<svg" in resp.data and b"#e60012" in resp.data  # the four risk colours: our own mark
    for page in ("/login", "/"):
        if page == "/":
            login(client, world.users.admin)
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
        assert link, page
        assert client.get(link.group(1)).status_code == 200
