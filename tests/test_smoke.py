def test_login_page_is_chinese(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert "登录" in resp.get_data(as_text=True)


def test_world_builds(world):
    assert world.users.inspector.authority.region.path.startswith(world.regions.city.path)
