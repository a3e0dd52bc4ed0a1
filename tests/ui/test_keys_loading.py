"""Keys pressed while a screen loads (300 ms+ latency) wait for it and run in order; escape drops them, saying so."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.ui.conftest import queue_loaded, wait_for
from tui_desk.registry import BACKENDS
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.status_line import StatusLine

FLAVOURS = list(BACKENDS)  # the one list of backends


async def open_first_ticket(pilot) -> TicketScreen:
    """The queue's first ticket, shown."""
    app = pilot.app
    await queue_loaded(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    return app.screen


def held_line(screen) -> str:
    return screen.query_one(StatusLine).held


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_status_pressed_during_next_waits_and_the_letters_filter_the_picker(make_app, flavour: str) -> None:
    """ux-review #26: `]` then `s` at once, then `wait`: the s was dropped and `a` opened the assignee picker."""
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_ticket(pilot)
        second = screen.queue_ids[1]
        app.simulator.faults.latency = 0.3
        await pilot.press("right_square_bracket", "s", *"wait")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker), timeout=15)
        picker = app.screen
        assert "status" in picker.title_text.casefold()
        await wait_for(pilot, lambda: [box.value for box in picker.query(Input)] == ["wait"])
        assert screen.ticket is not None and screen.ticket.id == second
        app.simulator.faults.latency = 0.0
        assert held_line(screen) == ""


async def test_held_keys_show_on_the_status_line_until_the_ticket_shows(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_ticket(pilot)
        app.simulator.faults.latency = 2.0
        await pilot.press("right_square_bracket", "G", "j")
        assert screen.ticket is None
        assert "G j" in held_line(screen)
        assert "esc drops" in held_line(screen)
        await wait_for(pilot, lambda: screen.ticket is not None, timeout=15)
        await wait_for(pilot, lambda: held_line(screen) == "")
        app.simulator.faults.latency = 0.0


async def test_escape_drops_the_held_keys_visibly_and_goes_back(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_ticket(pilot)
        app.simulator.faults.latency = 2.0
        await pilot.press("right_square_bracket", "s")
        assert "s" in held_line(screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.pause(2.5)  # the ticket has arrived by now: nothing runs
        assert isinstance(app.screen, QueueScreen)
        dropped = [n for n in app._notifications if n.title == "Keys dropped"]
        assert dropped and "s" in str(dropped[0].message)
        app.simulator.faults.latency = 0.0


async def test_prev_and_next_still_act_at_once_while_a_ticket_loads(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_ticket(pilot)
        third = screen.queue_ids[2]
        app.simulator.faults.latency = 0.3
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.ticket_id == third  # both steps ran before the first ticket came
        await wait_for(pilot, lambda: screen.ticket is not None and screen.ticket.id == third, timeout=15)
        app.simulator.faults.latency = 0.0


async def test_keys_pressed_before_the_first_rows_run_once_they_show(make_app) -> None:
    app = make_app("jitbit")
    app.simulator.faults.latency = 3.0  # sign-in and the first page both take this long (keys go in well before)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = app.screen
        assert not queue.rows
        await pilot.press("j", "j", "enter")
        assert not queue.rows
        assert "j j" in held_line(queue)
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), timeout=15)
        assert app.screen.ticket_id == queue.rows[2].id
        app.simulator.faults.latency = 0.0


async def test_keys_held_for_a_ticket_that_fails_to_load_are_dropped_with_a_warning(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_ticket(pilot)
        app.simulator.faults.latency = 2.0
        app.simulator.faults.fail_every = 1
        app.simulator.faults.fail_status = 404
        await pilot.press("right_square_bracket", "s")
        assert "s" in held_line(screen)
        await wait_for(pilot, lambda: screen.query_one("#ticket-state").failure is not None, timeout=15)
        await wait_for(pilot, lambda: any(n.title == "Keys dropped" for n in app._notifications))
        dropped = next(n for n in app._notifications if n.title == "Keys dropped")
        assert "Not run: s" in str(dropped.message) and "did not show" in str(dropped.message)
        assert held_line(screen) == ""
        assert app.screen is screen  # no picker opened over the error
        app.simulator.faults.fail_every = 0
        app.simulator.faults.latency = 0.0
