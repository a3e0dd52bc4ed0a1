"""The fault matrix through the screens: the queue and the ticket screen over each backend, with the route they
read answered by each kind of failure. Each ends in rows or an error that stays; never an endless "loading…"."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_POLICY
from tests.ui.conftest import wait_for
from tests.ui.test_load_state import queue_position
from tests.waits import QUIET_LONG
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen
from tui_desk.ui.widgets.load_state import LoadState, Phase

KINDS = ("route404", "405", "html500", "502", "timeout", "malformed", "shape")
QUEUE_ROUTE = {"helpdeskpro": "GET /tickets", "happyfox": "GET /tickets/", "jitbit": "GET /Tickets"}
THREAD_ROUTE = {
    "helpdeskpro": "GET /tickets/{key}/comments",
    "happyfox": "GET /ticket/{tid}/",
    "jitbit": "GET /Comments",
}
SIZE = (80, 24)


def settled(state: LoadState) -> bool:
    """The load ended: an error or an empty-state line on screen, or nothing left to say (rows shown)."""
    return state.phase is not Phase.LOADING


def quick(app, kind: str) -> None:
    """Short timeouts and fast retries, so the "timeout" kind ends quickly.

    The timeout (and the 2 s deadline per exchange it gives) leaves the routes that answer room on a loaded 2-core
    machine: at 0.5 s (a 1 s deadline) a healthy ticket read was once cut off while six workers shared the cores.
    """
    app.simulator.faults.route_hang = 4.0  # longer than the deadline: a hang is always cut off
    service = app.service
    if service is not None:
        service.backend.http.policy = TEST_POLICY
        service.backend.http.client.timeout = 1.0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavour", ["helpdeskpro", "happyfox", "jitbit"])
async def test_the_queue_ends_in_rows_or_an_error_that_stays(make_app, flavour: str, kind: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows, 15)
        quick(app, kind)
        queue = app.screen
        app.simulator.faults.route_faults[QUEUE_ROUTE[flavour]] = kind
        await pilot.press("x")  # another view: its first page goes to the failing route
        state = queue.query_one("#queue-state", LoadState)
        await wait_for(pilot, lambda: settled(state) and not queue.query_one("StatusLine").busy, 30)
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: the end state stays
        rows = [t for t in queue.rows if t is not None]
        if rows:
            assert state.phase is not Phase.FAILED
        else:
            assert state.phase in (Phase.FAILED, Phase.EMPTY), state.phase
            assert state.display and state.text  # on screen, not only in a toast
            assert "loading" not in queue_position(queue)
        if state.phase is Phase.FAILED:
            assert "<html" not in state.text and "Traceback" not in state.text
        app.simulator.faults.route_faults.clear()
        if state.phase is Phase.FAILED:
            await pilot.press("R")  # the retry the error names brings the rows
            await wait_for(pilot, lambda: any(t is not None for t in queue.rows), 20)
            assert state.phase is not Phase.FAILED


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavour", ["helpdeskpro", "happyfox", "jitbit"])
async def test_the_ticket_screen_ends_in_a_ticket_or_an_error_that_stays(make_app, flavour: str, kind: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows, 15)
        quick(app, kind)
        app.simulator.faults.route_faults[THREAD_ROUTE[flavour]] = kind
        await pilot.press("j", "j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), 10)
        screen = app.screen
        ticket_state = screen.query_one("#ticket-state", LoadState)
        thread_state = screen.query_one("#thread-state", LoadState)
        thread = screen.query_one(ThreadView)
        await wait_for(
            pilot,
            lambda: settled(ticket_state) and (thread.comments is not None or settled(thread_state)),
            30,
        )
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: the end state stays
        if flavour == "happyfox":  # the thread is part of the ticket's own answer: one route, one outcome
            assert screen.ticket is not None or ticket_state.phase is Phase.FAILED
        else:  # a failed thread never hides the ticket that loaded
            assert screen.ticket is not None, ticket_state.text
        if thread.comments is None:
            failure = ticket_state if screen.ticket is None else thread_state
            assert failure.phase is Phase.FAILED and failure.display and failure.text
            assert "<html" not in failure.text and "Traceback" not in failure.text
