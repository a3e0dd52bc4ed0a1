"""A caller found by phone: `N` on their detail logs the new ticket on their behalf (pilot, 80x24 and 120x40)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from tests.conftest import FLAVOURS
from tests.ui.conftest import wait_for
from tui_desk.ui.screens.new_ticket import NewTicketScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.requester_lookup import RequesterLookup

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_n_on_a_callers_detail_prefills_the_requester(make_app, flavour: str, size: tuple[int, int]) -> None:
    """ux-review #41: the requester was not pre-filled from the user on screen."""
    app = make_app(flavour)
    data = app.simulator.dataset
    user = data.users[5]
    digits = user.phone.replace(" ", "")[2:]
    before = set(data.tickets)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.table.items)
        users = app.screen
        await pilot.press(*f"{digits[:3]} {digits[3:6]} {digits[6:]}", "enter")
        await wait_for(pilot, lambda: users.user is not None and users.user.id == str(user.id))
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen))
        form = app.screen
        lookup = form.query_one(RequesterLookup)
        assert lookup.requester is not None and lookup.requester.id == str(user.id)
        assert form.focused is form.query_one("#subject", Input)  # the requester is done: on to the subject
        assert not form.is_dirty()  # nothing typed yet: escape would not ask
        await pilot.press(*"Phone: screen flickers", "tab", *"Called at 9am.")
        if not app.service.capabilities.on_behalf:
            return
        await pilot.press("tab", "enter", "down", "enter")  # a category (Jitbit needs one): the first
        await wait_for(pilot, lambda: isinstance(form.query_one("#category", Select).value, str))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None, 10)
        created = set(data.tickets) - before
        assert len(created) == 1
        assert data.tickets[created.pop()].user_id == user.id
