"""公示: the public page of an authority, read logged out, with natural persons' names masked, exportable,
showing what the region's configuration publishes."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.credit.conftest import configure
from tests.credit.test_dishonesty import _listed


def _logged_out(app):
    return app.test_client()


def test_public_page_read_logged_out_with_names_masked(app, world, client, listed_hazard):
    entry = _listed(client, world, subject="principal")
    county, city = world.authorities.county_a.id, world.authorities.city.id
    anonymous = _logged_out(app)

    page = anonymous.get(f"/public/credit/{county}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "甲化工有限公司（主要负责人 张**）" in html and "张三丰" not in html
    assert entry["decision_no"] in html

    listings = anonymous.get(f"/public/credit/{city}").get_data(as_text=True)
    assert listed_hazard.code in listings and "王**" in listings and "王小明" not in listings

    export = anonymous.get(f"/public/credit/{county}?format=xlsx")
    assert export.status_code == 200
    rows = [[c for c in row if c is not None] for row in load_workbook(io.BytesIO(export.data)).active.iter_rows(
        values_only=True)]
    flat = " ".join(str(c) for row in rows for c in row)
    assert "严重失信主体名单" in flat and "张**" in flat and "张三丰" not in flat

    assert anonymous.get("/public/credit/999999").status_code == 404
    assert anonymous.get(f"/public/credit/{county}?format=pdf&from=x&to=2").status_code == 200  # bad input: defaults


def test_what_is_published_follows_the_configuration(app, world, client, listed_hazard):
    configure(world, "dishonesty", {"publication": {"supervision": False, "dishonesty": True}})
    html = _logged_out(app).get(f"/public/credit/{world.authorities.city.id}").get_data(as_text=True)
    assert listed_hazard.code not in html and 'id="dishonesty"' in html and 'id="supervision"' not in html


def test_removed_entries_are_no_longer_published(app, world, client, principal_named):
    from app.credit.models import DishonestyEntry, ListingState
    from app.extensions import db

    entry = _listed(client, world)
    row = db.session.get(DishonestyEntry, entry["id"])
    row.state = ListingState.expired  # as the scan leaves it (tested in test_dishonesty)
    db.session.commit()
    html = _logged_out(app).get(f"/public/credit/{world.authorities.county_a.id}").get_data(as_text=True)
    assert entry["decision_no"] not in html
