"""Pilot tests of user lookup (key 3) against each simulator: typeahead, stale results, the detail."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Static

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import wait_for
from tests.waits import QUIET_LONG
from tui_desk.config.profile import Profile
from tui_desk.services.connect import simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import Dataset, DUser
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.field_card import FieldCard
from tui_desk.ui.widgets.record_table import RecordTable

SIZE = (100, 30)


def customer(dataset: Dataset) -> DUser:
    """A customer with a plain-ASCII email, several tickets and some assets."""
    return next(
        u
        for u in dataset.users
        if u.email.isascii()
        and sum(t.user_id == u.id for t in dataset.tickets.values()) >= 3
        and any(u.id in a.user_ids for a in dataset.assets.values())
    )


async def open_lookup(pilot) -> UserScreen:
    """Press 3 once the queue shows; the search box has the focus."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.table.items)
    screen = app.screen
    assert isinstance(screen.focused, Input)
    return screen


def settled(screen: UserScreen, query: str) -> bool:
    """True once the results of ``query`` are shown."""
    return screen.listed_for == query and not screen.table.fetching and screen.table.pager is not None


async def search(pilot, screen: UserScreen, query: str) -> list[str]:
    await pilot.press(*query)
    await wait_for(pilot, lambda: settled(screen, query))
    return [u.id for u in screen.table.items]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("field", ["name", "email", "username"])
async def test_typing_finds_a_user(make_app, flavour: str, field: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lookup(pilot)
        target = customer(app.simulator.dataset)
        query = getattr(target, field)
        asked: list[str | None] = []
        users = app.service.users

        async def counting(text: str | None, number: int = 1, refresh: bool = False):
            asked.append(text)
            return await users(text, number, refresh)

        app.service.users = counting
        found = await search(pilot, screen, query)
        assert str(target.id) in found
        assert asked[-1] == query
        position = screen.query_one("#users-position", Static)
        await wait_for(pilot, lambda: str(position.render()).startswith("1 of "))  # the title follows the rows


async def test_quick_typing_asks_the_server_once(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lookup(pilot)
        query = customer(app.simulator.dataset).email
        asked: list[str | None] = []
        users = app.service.users

        async def counting(text: str | None, number: int = 1, refresh: bool = False):
            asked.append(text)
            return await users(text, number, refresh)

        app.service.users = counting
        box = screen.query_one("#users-search", Input)
        # Keystrokes 30 ms apart. The pause that counts as the end of typing is made longer than the app's own, so
        # that a busy machine (the suite runs ten workers on two cores) stretching one gap does not end the typing.
        screen.debounce = 1.0
        for end in range(1, len(query) + 1):
            box.value = query[:end]
            await asyncio.sleep(0.03)
        await wait_for(pilot, lambda: settled(screen, query))
        assert asked == [query]


async def test_stale_results_never_replace_newer_ones(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lookup(pilot)
        target = customer(app.simulator.dataset)
        prefix, full = target.email[:1], target.email
        assert sum(prefix in u.email for u in app.simulator.dataset.users) > 10  # the older query finds many
        users = app.service.users
        asked, answer_prefix = asyncio.Event(), asyncio.Event()

        async def prefix_answers_last(text: str | None, number: int = 1, refresh: bool = False):
            if text == prefix:
                asked.set()
                await answer_prefix.wait()
            return await users(text, number, refresh)

        app.service.users = prefix_answers_last
        await pilot.press(*prefix)
        await wait_for(pilot, asked.is_set)  # the prefix's request is under way
        await pilot.press(*full[len(prefix) :])
        await wait_for(pilot, lambda: settled(screen, full))
        assert [u.id for u in screen.table.items] == [str(target.id)]
        answer_prefix.set()  # the older query answers now, after the newer one
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: the stale answer must change nothing
        assert [u.id for u in screen.table.items] == [str(target.id)]
        assert "1 of 1" in str(screen.query_one("#users-position", Static).render())


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_detail_shows_contact_fields_and_tickets(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lookup(pilot)
        dataset = app.simulator.dataset
        target = customer(dataset)
        found = await search(pilot, screen, target.email)
        assert found == [str(target.id)]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen.user is not None)
        card = dict(screen.query_one(FieldCard).fields)
        assert card["Email"] == target.email
        assert card["Phone"] == target.phone
        assert card["Company"] == target.company
        assert card["Location"] == target.location
        assert str(screen.query_one(FieldCard).title) == target.name
        tickets = screen.query_one("#user-tickets", RecordTable)
        expected = sorted(dataset.tickets.values(), key=lambda t: t.updated, reverse=True)
        assert tickets.keys() == [str(t.id) for t in expected if t.user_id == target.id]
        assets_title = str(screen.query_one("#user-assets-title", Static).render())
        if flavour == "helpdeskpro":
            assert assets_title == "Assets: HelpDesk Pro has no asset API"
        if flavour == "happyfox":  # assets/ has no contact filter: say so rather than "none"
            assert assets_title == "Assets: HappyFox's API cannot list a person's assets"
        if flavour == "jitbit":
            owned = [str(a.id) for a in dataset.assets.values() if target.id in a.user_ids]
            assert screen.query_one("#user-assets", RecordTable).keys() == owned
        assert screen.focused is tickets
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == tickets.keys()[1]
        assert app.screen.queue_ids == tickets.keys()
        await pilot.press("escape")
        assert app.screen is screen and screen.user is not None
        await pilot.press("escape")  # back to the results, as they were
        assert screen.table.display and [u.id for u in screen.table.items] == [str(target.id)]
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_enter_on_an_asset_of_the_user_opens_it(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        target = customer(app.simulator.dataset)
        app.show_user(str(target.id))
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.user is not None)
        screen = app.screen
        assets = screen.query_one("#user-assets", RecordTable)
        await wait_for(pilot, lambda: assets.row_count > 0)
        assets.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetScreen) and app.screen.asset_id == assets.keys()[0])


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_u_on_a_ticket_opens_its_requester(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        first = app.screen.rows[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.user is not None)
        record = app.simulator.dataset.tickets[int(first.id)]
        assert app.screen.user.name == app.simulator.dataset.user(record.user_id).name


async def test_slash_in_the_empty_box_is_not_part_of_the_query(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lookup(pilot)
        box = screen.query_one("#users-search", Input)
        await pilot.press("slash", *"ab/c")  # "/" out of habit first; a "/" inside the text stays
        await pilot.pause()
        assert box.value == "ab/c"


async def test_a_jitbit_technician_sees_why_the_list_is_empty_and_finds_users_exactly() -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        profile = Profile(backend="jitbit", url=server.base_url, username="tech", password="tech")
        app = DeskApp.for_profile("tech", profile)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            await pilot.press("3")
            await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.failure is not None)
            screen = app.screen
            shown = str(screen.query_one("#users-state").render())
            assert "needs a Jitbit administrator" in shown and "exact email address or username" in shown
            target = customer(sim.dataset)
            found = await search(pilot, screen, target.username)
            assert found == [str(target.id)]
            # The rows are in; the state line hides on the next refresh of the screen.
            await wait_for(pilot, lambda: screen.failure is None and not screen.query_one("#users-state").display)
            assert not any(path.lower().endswith("/users") for _, path in sim.log)  # the admin-only list never sent
