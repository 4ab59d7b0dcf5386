"""The register on a phone (issue 20 item 1): a post employee opening it sees his own hazards first
(assigned to him or reported by him); one choice shows everybody's; a manager sees all by default."""

from __future__ import annotations

from tests.conftest import login
from tests.hazards.helpers import make_hazard


def test_a_post_employee_sees_his_own_hazards_by_default(client, world):
    mine = make_hazard(world, title="我上报的：配电箱门未关", reporter=world.users.staff)
    other = make_hazard(world, title="别人上报的：消防通道堵塞", reporter=world.users.manager)
    login(client, world.users.staff)
    page = client.get("/hazards/").get_data(as_text=True)
    assert mine.title in page and other.title not in page
    assert '<option value="1" selected>' in page  # the "mine" choice shows as chosen
    everybody = client.get("/hazards/?mine=0").get_data(as_text=True)
    assert mine.title in everybody and other.title in everybody
    # another filter chosen without "mine": the whole register, as before
    assert other.title in client.get("/hazards/?state=reported").get_data(as_text=True)


def test_a_manager_sees_the_whole_register_by_default(client, world):
    other = make_hazard(world, title="别人上报的：消防通道堵塞", reporter=world.users.staff)
    login(client, world.users.manager)
    assert other.title in client.get("/hazards/").get_data(as_text=True)
    assert other.title not in client.get("/hazards/?mine=1").get_data(as_text=True)
