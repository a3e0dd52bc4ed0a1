"""Send and set status (ctrl+g in the composer): the reply is stored once, then the status changes, and not before."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.conftest import FLAVOURS, TEST_POLICY, fresh_dataset
from tests.ui.conftest import wait_for
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimResponse, SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

TEXT = "We have reset your password; please try again and tell us if it works."
SIZES = [(80, 24), (120, 40)]
# The route that changes a ticket's status, per simulator (a refusal there leaves the reply alone).
STATUS_ROUTES = {
    "jitbit": ["POST /UpdateTicket"],
    "helpdeskpro": ["PATCH /tickets/{key}", "PUT /tickets/{key}"],
}


def messages(app: DeskApp) -> list[str]:
    """The text of every notification shown so far."""
    return [str(n.message) for n in app._notifications]


def stored(app: DeskApp, ticket_id: str):
    """The simulator's own record of the ticket."""
    return app.simulator.dataset.tickets[int(ticket_id)]


def copies(app: DeskApp, ticket_id: str) -> int:
    """How many comments on the server hold TEXT."""
    return sum(TEXT in (c.body or "") for c in stored(app, ticket_id).comments)


async def open_ticket(pilot, app: DeskApp) -> TicketScreen:
    """The queue's second ticket, with its thread loaded."""
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 3)
    app.service.backend.http.policy = TEST_POLICY
    await pilot.press("j", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    screen = app.screen
    await wait_for(pilot, lambda: screen.query_one(ThreadView).comments is not None)
    return screen


async def compose_and_pick(pilot, app: DeskApp, status: str) -> ComposeDialog:
    """r, type TEXT, ctrl+g, pick ``status`` in the picker; returns the composer (the confirmation is up)."""
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
    dialog = app.screen
    await pilot.press(*TEXT[:4])
    dialog.text_area.insert(TEXT[4:])
    await pilot.pause()
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
    await pilot.pause()
    await pilot.press(*status, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    return dialog


def header(screen: TicketScreen) -> str:
    """The ticket header as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(screen.query_one("#ticket-header", Static).content)
    return console.export_text()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_send_then_set_status(make_app, flavour: str, size: tuple[int, int]) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        screen = await open_ticket(pilot, app)
        tid = screen.ticket.id
        assert stored(app, tid).status != "waiting"
        await compose_and_pick(pilot, app, "waiting")
        confirm = app.screen
        assert confirm.question.startswith("Reply to customer ")
        assert confirm.question.endswith(", then set status Waiting on customer?")
        assert "only after it is sent" in confirm.detail
        assert copies(app, tid) == 0 and stored(app, tid).status != "waiting"  # nothing before y
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, timeout=15)
        assert copies(app, tid) == 1  # the reply stored once
        assert stored(app, tid).status == "waiting"  # then the status changed
        assert any(m.startswith("Reply sent to ") for m in messages(app))
        assert any("set to Waiting on customer" in m for m in messages(app))
        await wait_for(pilot, lambda: screen.ticket.status.name == "Waiting on customer")
        assert "Waiting on customer" in header(screen)
        assert app.drafts.unsent() == []


@pytest.mark.parametrize("flavour", sorted(STATUS_ROUTES))
async def test_status_refused_after_the_reply_says_exactly_that(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_ticket(pilot, app)
        tid = screen.ticket.id
        before = stored(app, tid).status
        await compose_and_pick(pilot, app, "hold")
        for route in STATUS_ROUTES[flavour]:
            app.simulator.faults.route_faults[route] = "405"
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, timeout=15)
        assert copies(app, tid) == 1  # the reply went out, once
        assert stored(app, tid).status == before  # the status did not change
        said = messages(app)
        assert any(m.startswith("Reply sent to ") for m in said)
        refused = [m for m in said if "status not changed" in m]
        assert refused and refused[0].startswith(f"#{screen.ticket.number}: sent; status not changed:")
        assert not any("set to On hold" in m for m in said)
        assert screen.ticket.status.name != "On hold"
        assert app.drafts.unsent() == []  # sent: no draft comes back


async def test_ignored_status_change_is_not_called_done(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.ignored_fields = {"status_id"}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, app)
        tid = screen.ticket.id
        before = stored(app, tid).status
        await compose_and_pick(pilot, app, "hold")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, timeout=15)
        assert copies(app, tid) == 1 and stored(app, tid).status == before
        assert any("status not changed" in m for m in messages(app))
        assert not any("set to On hold" in m for m in messages(app))


async def test_escape_in_the_status_picker_sends_nothing(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, app)
        tid = screen.ticket.id
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        dialog = app.screen
        dialog.text_area.insert(TEXT)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dialog and not dialog.sending)
        assert "Not sent. Your draft is kept." in str(dialog.query_one("#compose-message").render())
        assert copies(app, tid) == 0 and dialog.text == TEXT


def lost_reply_app(flavour: str) -> tuple[DeskApp, SimServer, list[int]]:
    """An app whose first comment POST gets no answer in time and is not stored (the outcome stays unknown)."""
    sim = simulator_class(flavour)(fresh_dataset())
    original = sim.handle
    posts: list[int] = []

    def handle(request):
        path = request.path.lower()
        if request.method == "POST" and "/comment" in path:
            posts.append(1)
            if len(posts) == 1:
                time.sleep(1.2)  # the client gave up after 0.5 s
                return SimResponse.json({"error": "lost"}, 500)
        return original(request)

    sim.handle = handle  # type: ignore[method-assign]
    server = SimServer(sim).start()
    profile = demo_profile(flavour, server.base_url).model_copy(update={"timeout": 0.5})
    app = DeskApp.for_profile(f"test-{flavour}", profile)
    app.clock = lambda: REFERENCE_NOW
    app.simulator = sim  # type: ignore[attr-defined]
    return app, server, posts


async def test_unknown_reply_outcome_never_goes_on_to_the_status() -> None:
    app, server, posts = lost_reply_app("jitbit")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_ticket(pilot, app)
            tid = screen.ticket.id
            before = stored(app, tid).status
            updates = sum(method == "POST" and "UpdateTicket" in path for method, path in app.simulator.log)
            dialog = await compose_and_pick(pilot, app, "hold")
            await pilot.press("y")
            await wait_for(pilot, lambda: app.screen is dialog and not dialog.sending, timeout=15)
            assert len(posts) == 1  # never resent
            assert copies(app, tid) == 0 and stored(app, tid).status == before
            assert sum(method == "POST" and "UpdateTicket" in path for method, path in app.simulator.log) == updates
            message = str(dialog.query_one("#compose-message").render())
            assert "Outcome unknown" in message and "The status was not changed." in message
            assert dialog.text == TEXT  # the draft is kept
    finally:
        server.stop()


async def test_reply_on_a_closed_ticket_says_it_is_closed(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 3)
        queue = app.screen
        await pilot.press("x")  # the closed view
        await wait_for(pilot, lambda: queue.rows and all(t is None or t.status.closed for t in queue.rows))
        await wait_for(pilot, lambda: not queue.query_one("StatusLine").busy)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        number = app.screen.ticket.number
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        await pilot.pause()
        dialog = app.screen
        message = str(dialog.query_one("#compose-message").render())
        assert f"#{number} is closed" in message and "does not change its status" in message
        dialog.text_area.insert(TEXT)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "The ticket is closed; sending does not change its status." in app.screen.detail
        await pilot.press("n")
