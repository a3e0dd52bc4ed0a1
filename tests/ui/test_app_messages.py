"""Screens reach the app through typed messages (``tui_desk.ui.messages``): each one posted on a screen does its job."""

from __future__ import annotations

from tests.ui.conftest import wait_for
from tui_desk.errors import NotFound
from tui_desk.ui.app import DeskApp
from tui_desk.ui.messages import DeskHost, OpenTicket, ShowAsset, ShowError, ShowUser, host_of
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.asset_detail import AssetDetail

TICKET, ASSET = "112", "5079"


async def test_messages_posted_on_a_screen_reach_the_app(make_app) -> None:
    app = make_app("jitbit")
    user_id = next(iter(app.simulator.dataset.users))
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app, DeskHost) and host_of(app) is app
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.screen.post_message(OpenTicket(TICKET, [TICKET]))
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket_id == TICKET and app.screen.queue_ids == [TICKET]

        app.screen.post_message(ShowError(NotFound("Ticket 999 was not found.")))
        await wait_for(pilot, lambda: any("999" in str(n.message) for n in app._notifications))
        assert any(n.severity == "error" for n in app._notifications)

        app.screen.post_message(ShowUser(str(user_id)))
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen))
        assert app.screen.user_id == str(user_id)

        app.screen.post_message(ShowAsset(ASSET))
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, AssetScreen)
                and any(d.asset is not None and d.asset.id == ASSET for d in app.screen.query(AssetDetail))
            ),
        )


async def test_a_bare_app_is_no_desk_host() -> None:
    from textual.app import App

    assert host_of(App()) is None
    assert isinstance(DeskApp.first_run(), DeskHost)
