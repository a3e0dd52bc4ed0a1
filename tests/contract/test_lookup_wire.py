"""Lookups over loopback HTTP: assets by serial, tag, model and owner; users by phone; a ticket's linked assets.

The simulators search what the vendor documents say the servers search (Jitbit: asset names by prefix; HappyFox:
no asset search, contacts by ``q=phone:``; HelpDesk Pro: no asset API); the service does the rest here.
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Desk
from tui_desk.simulators.dataset import DAsset, Dataset

WITH_ASSETS = ["happyfox", "jitbit"]


def linked_asset(dataset: Dataset) -> DAsset:
    """An asset linked to a ticket, with an owner (the review's EOBRIEN14-LIC079 and #112 are one such pair)."""
    return dataset.assets[5079]


async def search(desk: Desk, text: str) -> tuple[list[str], str]:
    await desk.service.connect()
    found = desk.service.asset_search(None, text)
    items = await found.pager.all_items()
    return [a.name for a in items], found.describe()


@pytest.mark.parametrize("desk", WITH_ASSETS, indirect=True)
async def test_a_serial_finds_its_asset(desk: Desk) -> None:
    asset = linked_asset(desk.sim.dataset)
    assert asset.name == "EOBRIEN14-LIC079"
    names, note = await search(desk, asset.serial.lower())
    assert names == [asset.name]
    assert f"all {len(desk.sim.dataset.assets)} assets" in note


@pytest.mark.parametrize("desk", WITH_ASSETS, indirect=True)
async def test_a_model_and_an_owner_find_assets(desk: Desk) -> None:
    dataset = desk.sim.dataset
    asset = linked_asset(dataset)
    owner = dataset.user(asset.user_ids[0])
    assert owner is not None
    names, _ = await search(desk, owner.email)
    assert names and asset.name in names
    assert set(names) == {a.name for a in dataset.assets.values() if owner.id in a.user_ids}
    model = "S27A600"
    names, _ = await search(desk, model)
    assert sorted(names) == sorted(a.name for a in dataset.assets.values() if model in a.model)
    assert len(names) > 1


@pytest.mark.parametrize("desk", ["happyfox"], indirect=True)
async def test_happyfox_finds_an_asset_by_its_tag_and_says_it_searched_here(desk: Desk) -> None:
    names, note = await search(desk, "ast-0080")
    assert names == ["EOBRIEN14-LIC079"]
    assert note.startswith("HappyFox cannot search assets: name, asset tag, serial")


@pytest.mark.parametrize("desk", ["jitbit"], indirect=True)
async def test_jitbit_searches_names_on_the_server_and_the_rest_here(desk: Desk) -> None:
    asset = linked_asset(desk.sim.dataset)
    # The simulator follows jitbit.txt: nameprefix filters names only, so a serial is not found by the server.
    with httpx.Client(base_url=desk.server.base_url, auth=("demo", "demo")) as client:
        assert client.get("/api/Assets", params={"nameprefix": asset.serial}).json() == []
        by_name = client.get("/api/Assets", params={"nameprefix": "EOBRIEN14-LIC0"}).json()
    assert {a["ModelName"] for a in by_name} == {"EOBRIEN14-LIC075", "EOBRIEN14-LIC079"}
    names, note = await search(desk, "eobrien14-lic0")
    assert sorted(names) == ["EOBRIEN14-LIC075", "EOBRIEN14-LIC079"]
    assert note.startswith("Names searched on the server; serial, model, type and owner matched here")


@pytest.mark.parametrize("desk", WITH_ASSETS, indirect=True)
async def test_both_sides_of_a_link_agree(desk: Desk) -> None:
    """#112 and EOBRIEN14-LIC079: Jitbit shows the link from both sides; HappyFox's API shows it from neither."""
    await desk.service.connect()
    asset = await desk.service.asset("5079")
    from_ticket = await desk.service.ticket_assets("112")
    if desk.flavour == "jitbit":
        assert asset.ticket_ids == ("112",)
        assert from_ticket == ["5079"]
    else:
        assert asset.ticket_ids == ()
        assert from_ticket is None  # cannot tell, not "none"
        assert not desk.service.capabilities.asset_tickets


@pytest.mark.parametrize("desk", ["jitbit"], indirect=True)
async def test_a_ticket_without_assets_has_none_on_jitbit(desk: Desk) -> None:
    await desk.service.connect()
    ticket = next(t for t in desk.sim.dataset.tickets.values() if not t.asset_ids)
    assert await desk.service.ticket_assets(str(ticket.id)) == []


@pytest.mark.parametrize("desk", ["helpdeskpro"], indirect=True)
async def test_helpdeskpro_cannot_tell(desk: Desk) -> None:
    await desk.service.connect()
    assert await desk.service.ticket_assets("112") is None


async def test_a_phone_number_finds_its_user_on_every_backend(desk: Desk) -> None:
    await desk.service.connect()
    user = desk.sim.dataset.users[5]
    digits = user.phone.replace(" ", "")  # "+15556846054"
    typed = f"({digits[2:5]}) {digits[5:8]}-"  # "(555) 684-", as a caller reads it out
    phone_search = desk.service.user_phone_search(typed)
    if desk.flavour == "happyfox":
        assert phone_search is None  # users/?q=phone:<digits> (KB1092)
        found = await desk.service.user_pager(typed).all_items()
    else:
        assert phone_search is not None
        found = await phone_search.pager.all_items()
        note = phone_search.describe(desk.service.backend_title)
        assert note.startswith(f"{desk.service.backend_title} cannot search phone numbers")
        assert f"in all {phone_search.scan.scanned} users" in note
    expected = {u.id for u in desk.sim.dataset.users if digits[2:8] in u.phone.replace(" ", "")}
    assert user.id in expected
    assert {u.id for u in found} >= {str(i) for i in expected}
    assert all(digits[2:8] in "".join(c for c in (u.phone or "") if c.isdigit()) for u in found)
