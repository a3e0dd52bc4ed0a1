"""The app under network faults: rows stay, the status line says offline, and the queue recovers by itself."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.conftest import FLAVOURS, TEST_POLICY, fresh_dataset
from tests.ui.conftest import queue_loaded, wait_for
from tests.waits import QUIET
from tui_desk.config.profile import Profile
from tui_desk.http import LinkState
from tui_desk.services.connect import simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens import queue_loading as queue_module
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.widgets.status_line import StatusLine
from tui_desk.ui.widgets.ticket_table import TicketTable


def status_text(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def loaded_queue(app, pilot) -> QueueScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 0)
    app.service.backend.http.policy = TEST_POLICY  # short retry waits; the same policy otherwise
    return app.screen


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_refresh_while_offline_keeps_rows_then_recovers_without_a_key(
    make_app, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_module, "OFFLINE_RETRY", (0.3, 1.0))
    app = make_app(flavour)
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await loaded_queue(app, pilot)
        before = [t.id for t in queue.rows]
        sim = app.simulator
        sim.faults.fail_every = 1  # every request fails: 503 with an HTML page
        sim.faults.html_errors = True
        await pilot.press("R")
        await wait_for(pilot, lambda: app.link.state is LinkState.OFFLINE)
        # Read the line while it is offline: the queue's own retry (0.3 s here) soon shows "retrying" instead.
        assert "offline" in status_text(app) and "retrying" in status_text(app)
        await pilot.pause(QUIET)  # a bounded wait, not an await: the rows stay
        assert [t.id for t in queue.rows] == before  # the data stays on screen
        assert queue.query_one(TicketTable).row_count == len(before)
        assert app.is_running
        # The server changes and comes back: the queue refetches and the indicator clears, no key pressed.
        newest = sim.dataset.ticket_list()[0]
        newest.subject = "Changed while offline"
        served = sim.request_count
        sim.faults.fail_every = 0
        await wait_for(pilot, lambda: app.link.state is LinkState.ONLINE, timeout=15)
        await wait_for(pilot, lambda: any(t.subject == "Changed while offline" for t in queue.rows), timeout=15)
        assert sim.request_count > served
        assert "offline" not in status_text(app)


@pytest.mark.parametrize("flavour", [f for f in FLAVOURS if f != "jitbit"])  # Jitbit: a minute's pause, below
async def test_queue_loads_and_stays_responsive_when_every_third_request_is_throttled(make_app, flavour: str) -> None:
    app = make_app(flavour)
    app.simulator.faults.throttle_every = 3
    if flavour == "happyfox":
        app.simulator.retry_seconds = 0.2  # its 503 says how long to wait; keep the test short
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 5, timeout=30)
        queue = app.screen
        table = queue.query_one(TicketTable)
        await pilot.press("j", "j", "j")
        assert table.cursor_row == 3
        assert queue.highlighted().id == queue.rows[3].id
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not queue and getattr(app.screen, "ticket", None), timeout=30)
        assert app.is_running
        assert app.simulator.throttled_count >= 1  # some answers were throttling, and were waited out
        assert app.link.state is not LinkState.OFFLINE


async def test_a_jitbit_429_pauses_every_request_and_counts_down(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await loaded_queue(app, pilot)
        await queue_loaded(pilot)
        before = [t.id for t in queue.rows if t is not None]
        sim = app.simulator
        sim.faults.throttle_storm = 1  # the next request is answered 429, with no wait named (as Jitbit does)
        await pilot.press("R")
        await wait_for(pilot, lambda: app.link.state is LinkState.WAITING)
        await wait_for(pilot, lambda: "rate limited: paused, resuming in" in status_text(app))
        assert "rate limited: paused, resuming in" in status_text(app)
        assert app.service.paused_for() > 50
        served = sim.request_count
        await pilot.press("R")  # a refresh during the pause sends nothing
        await pilot.pause(QUIET)  # a bounded wait, not an await: nothing may be sent
        assert sim.request_count == served
        assert [t.id for t in queue.rows if t is not None][: len(before)] == before  # the rows stay
        assert app.is_running


async def test_a_wrong_password_stays_on_screen_and_is_not_sent_again() -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        app = DeskApp.for_profile("bad", Profile(backend="jitbit", url=server.base_url, username="demo", password="no"))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.failure is not None)
            queue = app.screen
            line = queue.query_one("#queue-state", Static)
            assert line.display and "Authentication failed" in str(line.render())
            assert "fix the profile" in str(line.render()) and "press R" not in str(line.render())  # R cannot help
            assert "not loaded" in str(queue.query_one("#queue-position", Static).render())
            await pilot.pause(QUIET)  # a bounded wait, not an await: nothing more may be sent
            sent = sim.request_count
            assert sent == 1  # Jitbit: the first page waits for the sign-in verdict; only the sign-in left
            await pilot.press("R")
            await pilot.pause(QUIET)  # a bounded wait, not an await: nothing may be sent
            assert sim.request_count == sent  # the rejected password is not sent again
            assert "not sent again" in str(line.render())
