"""ux-review #25: a ticket's `A` and an asset's linked tickets tell the same story (ticket #112 and asset
EOBRIEN14-LIC079 in the demo data), or both say the server cannot tell (pilot at 80x24 and 120x40)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.ui.conftest import wait_for
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.asset_detail import AssetDetail
from tui_desk.ui.widgets.record_table import RecordTable

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
TICKET, ASSET = "112", "5079"


def asset_shown(app, asset_id: str) -> bool:
    screen = app.screen
    return isinstance(screen, AssetScreen) and any(
        d.asset is not None and d.asset.id == asset_id for d in screen.query(AssetDetail)
    )


def ticket_shown(app, ticket_id: str) -> bool:
    return isinstance(app.screen, TicketScreen) and app.screen.ticket is not None and app.screen.ticket.id == ticket_id


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_jitbit_shows_the_link_from_both_sides(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.open_ticket(TICKET)
        await wait_for(pilot, lambda: ticket_shown(app, TICKET))
        await pilot.press("A")  # was "No assets are linked to this ticket."
        await wait_for(pilot, lambda: asset_shown(app, ASSET))
        tickets = app.screen.query_one("#asset-tickets", RecordTable)
        assert tickets.keys() == [TICKET]
        assert "Linked tickets (1)" in str(app.screen.query_one("#asset-tickets-title", Static).render())
        tickets.focus()
        await pilot.press("enter")  # and back the other way
        await wait_for(pilot, lambda: ticket_shown(app, TICKET) and app.screen.queue_ids == [TICKET])
        assert not any("No assets" in m for m in messages(app))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_jitbit_says_none_for_a_ticket_without_assets(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    bare = next(t for t in app.simulator.dataset.tickets.values() if not t.asset_ids)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.open_ticket(str(bare.id))
        await wait_for(pilot, lambda: ticket_shown(app, str(bare.id)))
        await pilot.press("A")
        await wait_for(pilot, lambda: "No assets are linked to this ticket." in messages(app))
        assert isinstance(app.screen, TicketScreen)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_happyfox_says_it_cannot_tell_from_either_side(make_app, size: tuple[int, int]) -> None:
    """HappyFox's API documents no link between tickets and assets: neither side claims "none"."""
    app = make_app("happyfox")
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.open_ticket(TICKET)
        await wait_for(pilot, lambda: ticket_shown(app, TICKET))
        await pilot.press("A")
        await wait_for(pilot, lambda: any(m.startswith("Cannot tell from this server") for m in messages(app)))
        assert not any("No assets are linked" in m for m in messages(app))
        app.show_asset(ASSET)
        await wait_for(pilot, lambda: asset_shown(app, ASSET))
        title = str(app.screen.query_one("#asset-tickets-title", Static).render())
        assert title == "Linked tickets: HappyFox's API does not say which tickets involve an asset"
