"""Pilot tests of the queue and the ticket thread, against each simulator."""

from __future__ import annotations

import pytest

from tests.conftest import FLAVOURS
from tests.ui.conftest import wait_for
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen
from tui_desk.ui.widgets.ticket_table import TicketTable


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_open_a_ticket_and_read_the_thread(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        first = queue.rows[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        ticket_screen = app.screen
        assert ticket_screen.ticket.id == first.id
        record = app.simulator.dataset.tickets[int(first.id)]
        thread = ticket_screen.query_one(ThreadView)
        await wait_for(pilot, lambda: thread.comments is not None and len(thread.comments) == len(record.comments))
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: ticket_screen.ticket.id == queue.rows[1].id)
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_scrolling_loads_the_next_page(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        queue = app.screen
        first_count = len(queue.rows)
        queue.query_one(TicketTable).move_cursor(first_count - 1)
        await wait_for(pilot, lambda: len(queue.rows) > first_count)
        ids = [t.id for t in queue.rows]
        assert len(ids) == len(set(ids))


async def test_search_filters_the_queue(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        queue = app.screen
        await pilot.press("slash")
        await pilot.press(*"printer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: queue.rows and all("rint" in t.subject for t in queue.rows[:3]))
        assert queue.search_text == "printer"


async def test_refresh_interval_refetches_and_keeps_the_cursor(tmp_path) -> None:
    from tests.conftest import fresh_dataset
    from tui_desk.services.connect import demo_profile, simulator_class
    from tui_desk.simulators.core import SimServer
    from tui_desk.ui.app import DeskApp

    sim = simulator_class("helpdeskpro")(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile("helpdeskpro", server.base_url).model_copy(update={"refresh_interval": 0.5})
        app = DeskApp.for_profile("hdp", profile)
        app.refresh_floor = 0.5  # injected: the product's floor is 5 s
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            queue = app.screen
            await pilot.press("j", "j", "j")
            chosen = queue.highlighted().id
            record = sim.dataset.tickets[int(sim.dataset.ticket_list()[-1].id)]
            record.subject = "Changed on the server"
            before = sim.request_count
            await wait_for(pilot, lambda: sim.request_count > before, timeout=4)
            await wait_for(pilot, lambda: queue.rows and queue._restore_id is None)
            assert queue.highlighted().id == chosen


async def test_saved_view_from_config() -> None:
    from tests.conftest import fresh_dataset
    from tui_desk.config.profile import SavedView
    from tui_desk.services.connect import demo_profile, simulator_class
    from tui_desk.simulators.core import SimServer
    from tui_desk.ui.app import DeskApp

    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        views = {"hw": SavedView(label="My hardware", statuses=["waiting on customer"], categories=["Hardware"])}
        profile = demo_profile("jitbit", server.base_url).model_copy(update={"views": views})
        app = DeskApp.for_profile("jb", profile)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            queue = app.screen
            await pilot.press("v")
            await pilot.press("end", "enter")
            await wait_for(pilot, lambda: queue.view_key == "saved:hw" and queue.rows and queue.pager.exhausted)
            hardware = next(c for c, n in sim.dataset.categories if n == "Hardware")
            expected = {
                str(t.id) for t in sim.dataset.tickets.values() if t.status == "waiting" and t.category_id == hardware
            }
            assert {t.id for t in queue.rows} == expected


async def test_a_move_made_while_a_refresh_runs_is_kept() -> None:
    # CI (-n 6): a refresh restored the cursor to the ticket it started on, undoing a "g" pressed meanwhile.
    from tests.conftest import fresh_dataset
    from tui_desk.services.connect import demo_profile, simulator_class
    from tui_desk.simulators.core import SimServer
    from tui_desk.ui.app import DeskApp

    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        app = DeskApp.for_profile("jb", demo_profile("jitbit", server.base_url))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 5)
            queue = app.screen
            await wait_for(pilot, lambda: queue._loading_page is None)
            await pilot.press("j", "j", "j")
            sim.faults.latency = 0.5  # the refresh's first page takes half a second
            before = sim.request_count
            await pilot.press("R")
            await wait_for(pilot, lambda: sim.request_count > before)  # the refresh is under way
            await pilot.press("g")  # the agent goes to the top meanwhile
            top = queue.rows[0].id
            await wait_for(pilot, lambda: not queue._replacing and queue._loading_page is None, timeout=15)
            sim.faults.latency = 0.0
            assert queue.highlighted().id == top
