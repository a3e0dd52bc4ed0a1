"""No silent failure: every list and detail ends in rows, an empty-state message, or an error that stays on screen."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, SelectionList, Static

from tests.conftest import FLAVOURS, TEST_POLICY, fresh_dataset
from tests.ui.conftest import wait_for
from tests.waits import QUIET, QUIET_LONG
from tui_desk.errors import FeatureUnavailable, Unavailable
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.agent_choice import AgentChoice
from tui_desk.ui.dialogs.canned_picker import CannedPicker
from tui_desk.ui.dialogs.filter_dialog import FilterDialog
from tui_desk.ui.dialogs.view_picker import ViewPicker
from tui_desk.ui.screens.assets import AssetScreen
from tui_desk.ui.screens.new_ticket import NewTicketScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen
from tui_desk.ui.screens.users import UserScreen
from tui_desk.ui.widgets.load_state import LoadState, Phase, failure_text
from tui_desk.ui.widgets.requester_lookup import RequesterLookup

SIZE = (100, 30)
USERS_ROUTE = {"happyfox": "GET /users/", "jitbit": "GET /Users", "helpdeskpro": "GET /contacts"}


def shown(widget: Static) -> str:
    """The plain text a Static shows (its content, rendered without styles)."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text().strip()


def queue_position(queue: QueueScreen) -> str:
    return shown(queue.query_one("#queue-position", Static))


# -- the widget -----------------------------------------------------------------------------------


def test_a_failure_names_what_failed_and_how_to_retry() -> None:
    text = failure_text(Unavailable("HTTP 503"), what="The users could not be loaded")
    assert text.startswith("The users could not be loaded: Helpdesk unavailable: HTTP 503")
    assert text.endswith("— press R to retry")


def test_a_feature_this_server_lacks_is_not_offered_a_retry() -> None:
    error = FeatureUnavailable("statuses", "This server has no statuses API", instead="open/closed come from tickets")
    text = failure_text(error)
    assert "press R" not in text and "open/closed come from tickets" in text


class _Holder(App[None]):
    def compose(self) -> ComposeResult:
        yield LoadState(id="state")


async def test_the_line_is_literal_and_hidden_only_when_ready() -> None:
    app = _Holder()
    async with app.run_test() as pilot:
        state = app.query_one(LoadState)
        assert not state.display  # ready until told otherwise
        state.failed(Unavailable("[bold red]boom[/] \x1b]52;c;aGk=\x07"))
        await pilot.pause()
        assert state.display and state.phase is Phase.FAILED
        rendered = state.content
        assert isinstance(rendered, Text)
        assert "[bold red]boom[/]" in rendered.plain  # shown as typed, never parsed as markup
        assert "\x1b" not in rendered.plain and "aGk=" not in rendered.plain  # the OSC sequence is dropped whole
        assert state.failure is not None
        state.loading("Loading users…")
        assert state.failure is None and state.display
        state.empty("No users.")
        assert state.phase is Phase.EMPTY and shown(state) == "No users."
        state.ready()
        assert not state.display and state.failure is None


# -- the queue ------------------------------------------------------------------------------------


async def test_helpdeskpro_without_statuses_shows_rows_or_an_error_never_loading(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.missing_routes = {"GET /statuses"}
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, QueueScreen)
                and app.screen.load_state.phase is not Phase.LOADING
                and bool(app.screen.rows or app.screen.failure)
            ),
            timeout=5.0,
        )
        queue = app.screen
        await pilot.pause(max(0.0, 5.0 - (time.monotonic() - started)))  # the window measured: never back to loading
        assert "loading" not in queue_position(queue)
        assert queue.rows, f"the Open view shows no rows: {queue.failure}"
        assert queue.load_state.phase is Phase.READY


async def test_helpdeskpro_without_priorities_still_lists_tickets(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.missing_routes = {"GET /priorities"}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and (app.screen.rows or app.screen.failure))
        queue = app.screen
        assert queue.rows, f"no rows: {queue.failure}"
        await pilot.press("A")  # the All view too
        await wait_for(pilot, lambda: queue.view_key == "all" and queue.rows and queue.load_state.phase is Phase.READY)
        assert "loading" not in queue_position(queue)


async def test_a_queue_that_cannot_load_keeps_saying_why(make_app) -> None:
    app = make_app("jitbit")
    app.simulator.faults.route_faults["GET /Tickets"] = "route404"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.failure is not None)
        queue = app.screen
        await pilot.pause(6.0)  # longer than a toast lives
        state = queue.query_one("#queue-state", LoadState)
        assert (
            state.display and "The tickets could not be loaded" in shown(state) and "press R to retry" in shown(state)
        )
        assert queue_position(queue).strip() == "not loaded"
        served = app.simulator.request_count
        await pilot.press("R")  # the next attempt, which fails the same way
        await wait_for(pilot, lambda: app.simulator.request_count > served and queue.failure is not None)
        assert queue_position(queue).strip() == "not loaded"


async def test_a_queue_the_server_did_not_filter_says_filtered_here_and_shows_no_total() -> None:
    sim = simulator_class("helpdeskpro")(fresh_dataset(), strict=True)  # no statuses route, filters ignored
    with SimServer(sim) as server:
        app = DeskApp.for_profile("strict", demo_profile("helpdeskpro", server.base_url))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
            queue = app.screen
            assert all(not (t.status and t.status.closed) for t in queue.rows if t is not None)  # Open, filtered here
            await wait_for(pilot, lambda: "filtered here" in shown(queue.query_one("#queue-title", Static)))
            assert str(len(sim.dataset.tickets)) not in queue_position(queue).replace(",", "")
            await pilot.press("A")  # the All view needs no filter: the server's total is right
            await wait_for(
                pilot, lambda: queue.view_key == "all" and queue.rows and queue.load_state.phase is Phase.READY
            )
            await wait_for(pilot, lambda: "filtered here" not in shown(queue.query_one("#queue-title", Static)))
            assert queue_position(queue).replace(",", "").strip().endswith(f"of {len(sim.dataset.tickets)}")


class _NoClosedWordSimulator(HelpDeskProSimulator):
    """A HelpDesk Pro whose closed status is named "Finished": nothing says which status is closed."""

    @staticmethod
    def _status(key: str) -> dict[str, Any]:
        status = HelpDeskProSimulator._status(key)
        return {**status, "name": "Finished", "slug": "finished"} if key == "closed" else status


async def test_a_view_this_server_cannot_list_says_why_and_how_to_switch_without_retrying() -> None:
    sim = _NoClosedWordSimulator(fresh_dataset())
    with SimServer(sim) as server:
        app = DeskApp.for_profile("no-closed", demo_profile("helpdeskpro", server.base_url))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
            queue = app.screen
            await pilot.press("x")
            await wait_for(pilot, lambda: queue.view_key == "closed" and queue.failure is not None)
            text = shown(queue.query_one("#queue-state", LoadState))
            assert text.startswith("The Closed view is not available on this server:")
            assert "press v to pick another view (A: all)" in text and "press R" not in text
            assert queue_position(queue).strip() == "not loaded"
            served = sim.request_count
            await pilot.pause(2.5)  # a bounded wait over the retry window, not an await: nothing is sent
            assert sim.request_count == served  # no retry loop
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, ViewPicker) and app.screen.query(OptionList))
            picker = app.screen.query_one(OptionList)
            closed = picker.get_option("closed").prompt
            assert "not available here" in str(closed)
            await pilot.press("escape", "A")
            await wait_for(pilot, lambda: queue.view_key == "all" and queue.rows and queue.failure is None)


# -- the ticket -----------------------------------------------------------------------------------


async def open_first_ticket(app: DeskApp, pilot) -> TicketScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
    return app.screen


async def test_helpdeskpro_without_a_comments_route_shows_the_ticket_and_says_the_thread_is_unavailable(
    make_app,
) -> None:
    app = make_app("helpdeskpro")
    app.simulator.missing_routes = {"GET /tickets/{key}/comments"}
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_ticket(app, pilot)
        thread_state = screen.query_one("#thread-state", LoadState)
        await wait_for(pilot, lambda: screen.ticket is not None and thread_state.failure is not None)
        header = screen.query_one("#ticket-header", Static)
        assert header.display and screen.ticket.subject[:20] in shown(header)
        assert not screen.query_one("#ticket-state", LoadState).display
        assert shown(thread_state).startswith("Thread unavailable on this server:")
        assert not screen.query_one(ThreadView).display


async def test_a_thread_that_fails_to_load_says_so_under_the_ticket_and_r_retries(make_app) -> None:
    app = make_app("jitbit")
    app.simulator.faults.route_faults["GET /Comments"] = "html500"
    async with app.run_test(size=SIZE) as pilot:
        app.service.backend.http.policy = TEST_POLICY
        screen = await open_first_ticket(app, pilot)
        thread_state = screen.query_one("#thread-state", LoadState)
        await wait_for(pilot, lambda: screen.ticket is not None and thread_state.failure is not None, timeout=20)
        assert screen.ticket.subject[:20] in shown(screen.query_one("#ticket-header", Static))
        assert shown(thread_state).startswith("The thread could not be loaded:") and "R retries" in shown(thread_state)
        del app.simulator.faults.route_faults["GET /Comments"]
        await pilot.press("R")
        await wait_for(pilot, lambda: screen.query_one(ThreadView).comments is not None, timeout=20)
        assert thread_state.failure is None and not thread_state.display


async def test_a_missing_ticket_reads_as_not_found_in_the_header_area(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        await pilot.press("colon", *"987654321", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        state = app.screen.query_one("#ticket-state", LoadState)
        await wait_for(pilot, lambda: state.failure is not None)
        assert "Ticket 987654321 not found" in shown(state) and "R retries" in shown(state)
        assert not app.screen.query_one("#ticket-header", Static).display


# -- users, the filter dialog, the jump ---------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_failed_user_list_stays_on_screen_and_the_position_never_says_loading(make_app, flavour: str) -> None:
    app = make_app(flavour)
    app.simulator.faults.route_faults[USERS_ROUTE[flavour]] = "html500"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.service.backend.http.policy = TEST_POLICY
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, UserScreen) and app.screen.failure is not None, timeout=20)
        screen = app.screen
        await pilot.pause(2 * QUIET_LONG)  # a bounded wait, not an await: the failure stays on screen
        state = screen.query_one("#users-state", LoadState)
        assert state.display and "The users could not be loaded" in shown(state) and "press R to retry" in shown(state)
        assert shown(screen.query_one("#users-position", Static)).strip() == "not loaded"
        del app.simulator.faults.route_faults[USERS_ROUTE[flavour]]
        await pilot.press("R")
        await wait_for(pilot, lambda: screen.table.items and not state.display, timeout=20)
        assert screen.failure is None


async def open_filters(app: DeskApp, pilot) -> FilterDialog:
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    app.service.backend.http.policy = TEST_POLICY
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(app.screen, FilterDialog))
    return app.screen


async def test_the_filter_dialog_says_which_list_this_server_lacks(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.missing_routes = {"GET /categories"}
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_filters(app, pilot)
        category = dialog.query_one("#filter-category-state", LoadState)
        await wait_for(pilot, lambda: "Categories" in shown(category))
        assert "not available on this server" in shown(category)
        assert dialog.query_one("#filter-status", SelectionList).option_count > 0
        assert dialog.query_one("#filter-priority", SelectionList).option_count > 0


async def test_a_filter_list_that_fails_says_why_and_the_others_still_work(make_app) -> None:
    app = make_app("happyfox")
    app.simulator.faults.route_faults["GET /categories/"] = "html500"
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_filters(app, pilot)
        category = dialog.query_one("#filter-category-state", LoadState)
        await wait_for(pilot, lambda: category.failure is not None, timeout=20)
        assert "Categories could not be loaded" in shown(category) and "R retries" in shown(category)
        assert not dialog.query_one("#filter-category", SelectionList).display
        assert dialog.query_one("#filter-status", SelectionList).option_count > 0
        assert dialog.query_one("#filter-priority", SelectionList).option_count > 0
        del app.simulator.faults.route_faults["GET /categories/"]
        await pilot.press("R")
        await wait_for(pilot, lambda: dialog.query_one("#filter-category", SelectionList).option_count > 0)
        assert not category.display


async def test_jumping_to_a_helpdeskpro_number_opens_that_ticket(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 3)
        row = app.screen.rows[3]
        assert row.number != row.id  # HelpDesk Pro shows the uid, its API reads the id
        await pilot.press("colon", *row.number, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == row.id


async def test_the_canned_picker_says_why_it_is_empty_and_ctrl_r_retries(make_app) -> None:
    app = make_app("jitbit")
    app.simulator.faults.route_faults["GET /CommentTemplates"] = "html500"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.service.backend.http.policy = TEST_POLICY
        app.push_screen(CannedPicker(load=app.service.canned_responses))
        await wait_for(pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.query(LoadState))
        state = app.screen.query_one(LoadState)
        await wait_for(pilot, lambda: state.failure is not None, timeout=20)
        assert "Canned responses could not be loaded" in shown(state) and "ctrl+r retries" in shown(state)
        del app.simulator.faults.route_faults["GET /CommentTemplates"]
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.query_one(OptionList).option_count > 0 and not state.display)


async def test_the_agent_choice_says_why_the_agents_are_missing_and_r_retries() -> None:
    sim = simulator_class("happyfox")(fresh_dataset())
    sim.faults.route_faults["GET /staff/"] = "html500"
    with SimServer(sim) as server:
        profile = demo_profile("happyfox", server.base_url).model_copy(update={"staff_id": None})
        service = open_service(profile, "hf")
        service.backend.http.policy = TEST_POLICY
        app = DeskApp(lambda: service, "hf")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, AgentChoice) and app.screen.query(LoadState))
            state = app.screen.query_one(LoadState)
            await wait_for(pilot, lambda: state.failure is not None, timeout=20)
            assert "The agents could not be loaded" in shown(state) and "R retries" in shown(state)
            del sim.faults.route_faults["GET /staff/"]
            await pilot.press("R")
            await wait_for(pilot, lambda: app.screen.query_one(OptionList).option_count == len(sim.dataset.agents))
            assert not state.display


async def test_a_failed_requester_search_stays_until_the_next_search(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.service.backend.http.policy = TEST_POLICY
        app.simulator.faults.route_faults["GET /users/"] = "html500"
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen) and app.screen.query(RequesterLookup))
        lookup = app.screen.query_one(RequesterLookup)
        await wait_for(pilot, lambda: isinstance(app.screen.focused, Input))
        await pilot.press(*"eriksen")
        state = lookup.query_one("#requester-state", LoadState)
        await wait_for(pilot, lambda: state.failure is not None, timeout=20)
        assert "The search failed" in shown(state) and "enter retries" in shown(state)
        await pilot.pause(QUIET_LONG)  # a bounded wait, not an await: the failure stays
        assert state.failure is not None  # it stays
        del app.simulator.faults.route_faults["GET /users/"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: lookup.results_open and lookup.matches and not state.display, timeout=20)


async def test_a_user_or_asset_that_cannot_be_read_says_so_in_its_place_until_r(make_app) -> None:
    app = make_app("happyfox")
    faults = app.simulator.faults.route_faults
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.service.backend.http.policy = TEST_POLICY
        faults["GET /user/{uid}/"] = faults["GET /asset/{aid}/"] = "html500"
        for key, detail, noun in (("3", "#user-state", "user"), ("2", "#asset-state", "asset")):
            await pilot.press(key)
            screen_type = UserScreen if key == "3" else AssetScreen
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t) and app.screen.table.items)
            screen = app.screen
            screen.table.focus()
            await pilot.press("enter")
            state = screen.query_one(detail, LoadState)
            await wait_for(pilot, lambda s=state: s.failure is not None, timeout=20)
            assert f"The {noun} could not be loaded" in shown(state) and "press R to retry" in shown(state)
            await pilot.pause(QUIET)  # a bounded wait, not an await: the failure stays
            assert state.failure is not None
        faults.clear()
        await pilot.press("R")  # the asset detail, on screen now
        await wait_for(pilot, lambda: not app.screen.query_one("#asset-state", LoadState).display, timeout=20)
        assert app.screen.query_one("#asset-card").display
