"""Pilot tests of the asset browser (key 2) against each simulator."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static

from tests.ui.conftest import wait_for
from tests.waits import QUIET
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.asset_detail import AssetDetail
from tui_desk.ui.widgets.field_card import FieldCard
from tui_desk.ui.widgets.record_table import RecordTable

WITH_ASSETS = ["happyfox", "jitbit"]
SIZE = (100, 30)


async def open_browser(pilot) -> AssetScreen:
    """Press 2 once the queue shows, and wait for the first rows of assets."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen) and app.screen.table.items)
    return app.screen


async def load_everything(pilot, screen: AssetScreen) -> None:
    """Move to the bottom until the listing is complete (each move near the end asks for the next page)."""
    for _ in range(40):
        if screen.table.complete:
            return
        await pilot.press("G")
        await wait_for(pilot, lambda: not screen.table.fetching)
    raise AssertionError("the asset listing never completed")


def detail_shown(app) -> bool:
    """True once an asset's detail is on screen."""
    screen = app.screen
    return isinstance(screen, AssetScreen) and any(d.asset is not None for d in screen.query(AssetDetail))


def shown_names(screen: AssetScreen) -> list[str]:
    return [a.name for a in screen.table.items]


@pytest.mark.parametrize("flavour", WITH_ASSETS)
async def test_browser_pages_through_every_asset(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        dataset = app.simulator.dataset
        first = len(screen.table.items)
        assert first < len(dataset.assets)  # one page at a time
        assert set(shown_names(screen)) <= {a.name for a in dataset.assets.values()}
        await load_everything(pilot, screen)
        assert len(screen.table.items) > first
        assert sorted(shown_names(screen)) == sorted(a.name for a in dataset.assets.values())
        types = {a.type.name for a in screen.table.items if a.type}
        assert types == {name for _, name in dataset.asset_types}
        position = str(screen.query_one("#assets-position", Static).render())
        assert f"of {len(dataset.assets)}" in position


@pytest.mark.parametrize("flavour", WITH_ASSETS)
async def test_slash_searches_assets_by_name(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        assets = app.simulator.dataset.assets.values()
        owners = [a.name.split("-")[0] + "-" for a in assets if a.name.isascii()]
        query = next(o for o in owners if 1 < owners.count(o) < 10).lower()  # several assets share an owner
        expected = sorted(a.name for a in assets if a.name.lower().startswith(query))
        await pilot.press("slash", *query, "enter")
        await wait_for(pilot, lambda: screen.search_text == query and screen.table.complete)
        assert sorted(shown_names(screen)) == expected
        await pilot.press("escape")  # clears the search
        await wait_for(pilot, lambda: screen.search_text is None and len(screen.table.items) > len(expected))


@pytest.mark.parametrize("flavour", WITH_ASSETS)
async def test_type_filter_lists_one_type(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        dataset = app.simulator.dataset
        type_list = screen.query_one("#asset-types", OptionList)
        await wait_for(pilot, lambda: type_list.option_count == len(dataset.asset_types) + 1)
        assert str(type_list.get_option_at_index(0).prompt) == "All types"
        monitor = next(
            i for i in range(type_list.option_count) if str(type_list.get_option_at_index(i).prompt) == "Monitor"
        )
        await pilot.press("t", "home", *["down"] * monitor, "enter")
        await wait_for(pilot, lambda: screen.type_id is not None and screen.table.items)
        await load_everything(pilot, screen)
        monitor_id = next(i for i, name in dataset.asset_types if name == "Monitor")
        expected = sorted(a.name for a in dataset.assets.values() if a.type_id == monitor_id)
        assert sorted(shown_names(screen)) == expected
        assert "Monitor" in str(screen.query_one("#assets-title", Static).render())


@pytest.mark.parametrize("flavour", WITH_ASSETS)
async def test_detail_shows_fields_and_opens_the_assigned_user(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        asset = screen.table.items[0]
        record = app.simulator.dataset.assets[int(asset.id)]
        assert record.user_ids
        await pilot.press("enter")
        detail = screen.query_one(AssetDetail)
        await wait_for(pilot, lambda: detail.asset is not None)
        card = dict(screen.query_one(FieldCard).fields)
        for name, value in record.fields.items():
            assert card[name] == value
        users = screen.query_one("#asset-users", RecordTable)
        assert users.keys() == [str(u) for u in record.user_ids]
        assert screen.focused is users
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.user is not None)
        person = app.simulator.dataset.user(record.user_ids[0])
        assert app.screen.user.name == person.name
        await pilot.press("escape")  # back to the asset
        assert app.screen is screen and screen.query_one(AssetDetail).asset is not None
        await pilot.press("escape")  # back to the list
        assert screen.query_one("#assets-table").display and screen.focused is screen.table
        await pilot.press("escape")  # back to the queue
        assert isinstance(app.screen, QueueScreen)


async def test_enter_on_a_linked_ticket_opens_it(make_app) -> None:
    app = make_app("jitbit")  # HappyFox does not list an asset's tickets
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        record = next(a for a in app.simulator.dataset.assets.values() if len(a.ticket_ids) >= 2 and a.user_ids)
        app.show_asset(str(record.id))
        await wait_for(pilot, lambda: detail_shown(app))
        screen = app.screen
        tickets = screen.query_one("#asset-tickets", RecordTable)
        assert tickets.keys() == [str(t) for t in record.ticket_ids]
        subject = app.simulator.dataset.tickets[record.ticket_ids[1]].subject
        assert str(tickets.get_row_at(1)[1]).rstrip("…") in subject
        await pilot.press("tab", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == str(record.ticket_ids[1])
        assert app.screen.queue_ids == [str(t) for t in record.ticket_ids]
        await pilot.press("escape", "escape")  # the ticket, then the asset opened directly
        assert isinstance(app.screen, QueueScreen)


async def test_helpdeskpro_says_it_has_no_assets(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen))
        await pilot.press("slash", "t", "enter")
        await wait_for(pilot, lambda: any(w.display for w in app.screen.query("#assets-unsupported")))
        message = str(app.screen.query_one("#assets-unsupported", Static).render())
        assert message.startswith("HelpDesk Pro has no asset API; ")
        assert app.screen.query_one("#assets-unsupported").display
        assert not any(n.severity == "error" for n in app._notifications)


async def test_a_on_a_ticket_opens_a_linked_asset(make_app) -> None:
    from tui_desk.ui.dialogs.asset_choice import AssetChoice

    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        ticket_screen = app.screen
        # Link two assets on the server: Jitbit lists them with Assets?assignedToTicketId=.
        dataset = app.simulator.dataset
        record = dataset.tickets[int(ticket_screen.ticket.id)]
        linked = [a for a in dataset.assets.values() if a.id not in record.asset_ids][:2]
        for asset in dataset.assets.values():
            if asset.id in record.asset_ids:
                asset.ticket_ids.remove(record.id)
        record.asset_ids[:] = [a.id for a in linked]
        for asset in linked:
            asset.ticket_ids.append(record.id)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetChoice))
        choice = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: linked[1].name in str(choice.get_option_at_index(1).prompt))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: detail_shown(app))
        assert app.screen.asset_id == str(linked[1].id)
        await pilot.press("escape")
        assert app.screen is ticket_screen


@pytest.mark.parametrize("width", [40, 62, 78, 118, 248])
def test_columns_fill_the_table_exactly(width: int) -> None:
    from tui_desk.ui.widgets.record_rows import ASSET_COLUMNS, PERSON_COLUMNS, TICKET_COLUMNS, USER_COLUMNS
    from tui_desk.ui.widgets.record_table import column_widths

    for columns in (ASSET_COLUMNS, USER_COLUMNS, TICKET_COLUMNS, PERSON_COLUMNS):
        widths = column_widths(columns, width)
        assert all(widths[c.key] >= c.min for c in columns if not c.fixed and width >= c.hide_below)
        if width >= 62:  # from 80 columns up, nothing is cut off at the right
            assert sum(widths.values()) == width


@pytest.mark.parametrize("status", [403, 404])
async def test_jitbit_assets_switched_off_say_so_and_stay(make_app, status: int) -> None:
    app = make_app("jitbit")
    app.simulator.assets_disabled = status
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen) and app.screen.failure is not None)
        line = app.screen.query_one("#assets-state", Static)
        assert line.display and "switched off" in str(line.render())
        await pilot.pause(QUIET)  # a bounded wait, not an await: the failure stays, nothing marks that
        assert app.screen.failure is not None  # it stays, it does not fall back to "loading…"
        assert "loading" not in str(app.screen.query_one("#assets-position", Static).render())
