"""Tenancy in the browser: another enterprise's manager, or an inspector of another district, who opens
a hazard's address (or its photo's) gets the not-found page and nothing of the hazard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.e2e


def a_jiangfeng_hazard_with_photo(live) -> dict:
    def find():
        from app.extensions import db
        from app.hazards.models import Hazard, HazardAttachment
        from app.organisations.models import Enterprise

        row = db.session.execute(
            select(Hazard.id, Hazard.title, HazardAttachment.id)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .join(HazardAttachment, HazardAttachment.hazard_id == Hazard.id)
            .where(Enterprise.name == "上饶市江丰化工有限公司").limit(1)).first()
        assert row is not None, "the demo data has a hazard with a photo at 江丰化工"
        return {"url": f"/hazards/{row[0]}", "title": row[1], "file": f"/hazards/files/{row[2]}"}

    return live.run(find)


@pytest.mark.parametrize("username", ["hengli_manager", "xz_inspector"])
def test_a_foreign_hazard_is_not_found(browse, live, username):
    hazard = a_jiangfeng_hazard_with_photo(live)

    owner = browse.login("jiangfeng_manager")
    owner.goto(hazard["url"])
    expect(owner.get_by_role("heading", level=1)).to_contain_text(hazard["title"])

    stranger = browse.login(username)
    response = stranger.goto(hazard["url"])
    assert response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("404")
    expect(stranger.locator("main")).to_contain_text(re.compile("未找到|不存在"))  # said in Chinese
    expect(stranger.get_by_role("link", name="返回首页")).to_be_visible()
    expect(stranger.locator("main")).not_to_contain_text(hazard["title"])
    assert stranger.goto(hazard["file"]).status == 404
