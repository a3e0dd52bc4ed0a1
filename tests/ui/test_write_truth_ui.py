"""What the agent is told after a write, through the app over loopback: sent is sent, ignored is said, never both."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from tests.conftest import FLAVOURS, TEST_POLICY
from tests.ui.conftest import wait_for
from tests.ui.test_compose import comments, open_composer, open_ticket, write
from tests.ui.test_new_ticket import fill_text, open_form, pick_requester
from tests.ui.test_triage import SIZE, mark_three, open_picker, open_queue, plain, record, triage_idle
from tui_desk.services.results import NOTE_PUBLIC, NOTES_UNCONFIRMED, REQUESTER_IGNORED, THREAD_NOT_REFRESHED
from tui_desk.ui.dialogs.bulk_progress import BulkProgress, Outcome
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Choice, Picker
from tui_desk.ui.screens.new_ticket import NewTicketScreen
from tui_desk.ui.screens.ticket import TicketScreen

TEXT = "We swapped the dock and the second screen works again"
THREAD_ROUTE = {
    "helpdeskpro": "GET /tickets/{key}/comments",
    "happyfox": "GET /ticket/{tid}/",
    "jitbit": "GET /Comments",
}


def toasts(app) -> list[tuple[str, str]]:
    """(severity, text) of every notification shown so far."""
    return [(n.severity, str(n.message)) for n in app._notifications]


def said(app, text: str) -> list[tuple[str, str]]:
    """The notifications whose text holds ``text``."""
    return [(severity, message) for severity, message in toasts(app) if text in message]


async def toast(pilot, text: str) -> list[tuple[str, str]]:
    """Wait until a notification holding ``text`` is shown (notify posts a message), then return those."""
    await wait_for(pilot, lambda: bool(said(pilot.app, text)))
    return said(pilot.app, text)


async def send_from_composer(pilot, app, key: str, text: str) -> ConfirmDialog:
    """Open the composer with ``key``, write ``text``, ask to send; returns the confirmation (still open)."""
    dialog = await open_composer(pilot, app, key)
    await write(pilot, dialog, text)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    confirm = app.screen
    assert isinstance(confirm, ConfirmDialog)
    return confirm


# -- the composer -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_reply_accepted_then_reread_failed_says_sent(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, app)
        tid = screen.ticket.id
        before = len(comments(app, tid))
        await send_from_composer(pilot, app, "r", TEXT)
        app.simulator.faults.route_faults[THREAD_ROUTE[flavour]] = "html500"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), timeout=15)
        assert len(comments(app, tid)) == before + 1  # exactly one copy on the server
        assert await toast(pilot, "Reply sent to")
        warnings = await toast(pilot, THREAD_NOT_REFRESHED)
        assert warnings and all(severity == "warning" for severity, _ in warnings)
        assert not said(app, "Not sent")
        assert app.drafts.unsent() == []  # sent: the draft is gone, nothing invites a resend


async def test_note_on_an_unproven_server_asks_plainly_first(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, app)
        before = len(comments(app, screen.ticket.id))
        assert not app.service.notes_confirmed
        confirm = await send_from_composer(pilot, app, "n", TEXT)
        assert NOTES_UNCONFIRMED in confirm.detail
        assert "Only agents will see" not in confirm.detail
        await pilot.press("n")  # the agent decides not to risk it
        await pilot.pause()
        assert len(comments(app, screen.ticket.id)) == before


async def test_note_stored_public_is_never_called_internal(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.ignored_fields = {"is_internal"}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, app)
        await send_from_composer(pilot, app, "n", TEXT)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert [c.kind for c in comments(app, screen.ticket.id) if TEXT in c.body] == ["reply"]
        warnings = await toast(pilot, NOTE_PUBLIC)
        assert warnings and warnings[0][0] == "warning"
        assert not said(app, "Internal note added")


async def test_note_kept_internal_is_confirmed_for_the_next_one(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app)
        confirm = await send_from_composer(pilot, app, "n", TEXT)
        assert NOTES_UNCONFIRMED in confirm.detail
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert await toast(pilot, "Internal note added")
        confirm = await send_from_composer(pilot, app, "n", "A second note")
        assert "Only agents will see this note." in confirm.detail
        await pilot.press("n")


# -- triage -----------------------------------------------------------------------------------------------


def other_agent(app, ticket_id: str):
    """An agent the ticket is not assigned to."""
    current = record(app, ticket_id).assignee_id
    return next(a for a in app.simulator.dataset.agents if a.id != current)


async def test_assignment_the_server_ignored_is_an_error_not_a_success(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        ticket = queue.highlighted()
        before = record(app, ticket.id).assignee_id
        target = other_agent(app, ticket.id)
        app.simulator.ignored_fields = {"assigned_to"}
        picker = await open_picker(pilot, "a")
        await pilot.press(*target.name.split()[0].lower(), "enter")
        await wait_for(pilot, lambda: app.screen is not picker and triage_idle(app))
        assert record(app, ticket.id).assignee_id == before
        errors = await toast(pilot, "Not applied")
        assert errors and errors[0][0] == "error" and "assignee" in errors[0][1]
        assert not said(app, "Assigned #")


async def test_assignment_applied_but_not_reread_says_so(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        app.service.backend.http.policy = TEST_POLICY
        ticket = queue.highlighted()
        target = other_agent(app, ticket.id)
        app.simulator.faults.route_faults["GET /tickets/{key}"] = "html500"
        picker = await open_picker(pilot, "a")
        await pilot.press(*target.name.split()[0].lower(), "enter")
        await wait_for(pilot, lambda: app.screen is not picker and triage_idle(app))
        assert record(app, ticket.id).assignee_id == target.id
        warnings = await toast(pilot, "; the ticket could not be refreshed (R)")
        assert warnings and warnings[0][0] == "warning" and warnings[0][1].startswith(f"Assigned #{ticket.number}")


async def test_bulk_results_separate_ignored_from_not_refreshed(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        app.service.backend.http.policy = TEST_POLICY
        ids = await mark_three(pilot, queue)
        app.simulator.ignored_fields = {"assigned_to"}
        picker = await open_picker(pilot, "a")
        target = next(a for a in app.simulator.dataset.agents if all(record(app, i).assignee_id != a.id for i in ids))
        await pilot.press(*target.name.split()[0].lower(), "enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        await wait_for(pilot, lambda: isinstance(app.screen, BulkProgress) and not app.screen.running)
        progress = app.screen
        assert [r.outcome for r in progress.results] == [Outcome.IGNORED] * 3
        assert all("assignee" in r.message for r in progress.results)
        assert queue.marked == set(ids)  # not done: still marked
        assert "ignored by the server" in plain(progress.query_one("#bulk-count", Static).content)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is queue)
        # Now the server takes it but the tickets cannot be re-read: sent, not refreshed; not "failed".
        app.simulator.ignored_fields = set()
        app.simulator.faults.route_faults["GET /tickets/{key}"] = "html500"
        picker = await open_picker(pilot, "a")
        await pilot.press(*target.name.split()[0].lower(), "enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        await wait_for(pilot, lambda: isinstance(app.screen, BulkProgress) and not app.screen.running)
        progress = app.screen
        assert [r.outcome for r in progress.results] == [Outcome.NOT_REFRESHED] * 3
        assert all(record(app, i).assignee_id == target.id for i in ids)
        assert queue.marked == set(ids)  # sent; marks stay until cleared (U)
        assert progress.failed_count == 0


# -- pickers never fail silently ----------------------------------------------------------------------------


async def test_assignee_picker_without_the_agent_list_offers_me_and_unassigned(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(pilot)
        app.service.backend.http.policy = TEST_POLICY
        app.simulator.faults.route_faults["GET /TechsForCategory"] = "html500"
        picker = await open_picker(pilot, "a")
        assert "agent list" in picker.notice.casefold()
        assert "agent list" in plain(picker.query_one("#picker-notice", Static).content).casefold()
        me = app.service.identity.agent
        assert {"Unassigned", me.name} <= {c.label for c in picker.choices}
        await pilot.press("m", "e")
        assert picker.highlighted_choice() is not None and picker.highlighted_choice().id == me.id
        await pilot.press("escape")
        assert queue.is_current


async def test_typing_me_finds_the_signed_in_agent(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        picker = await open_picker(pilot, "a")
        assert picker.notice == ""
        await pilot.press("m", "e")
        choice = picker.highlighted_choice()
        assert choice is not None and choice.id == app.service.identity.agent.id
        await pilot.press("escape")


class PickerApp(App[None]):
    """A bare app that shows one picker."""

    def __init__(self, picker: Picker) -> None:
        super().__init__()
        self.picker = picker

    def compose(self) -> ComposeResult:
        yield Static("behind")

    def on_mount(self) -> None:
        self.push_screen(self.picker)


async def test_an_empty_picker_says_why_and_picks_nothing() -> None:
    notice = "Status list unavailable on this server: nothing to pick."
    picker = Picker("Set status of #12", [], notice=notice, empty="No statuses to choose from.")
    app = PickerApp(picker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen is picker and picker.is_mounted)
        assert plain(picker.query_one("#picker-notice", Static).content).strip() == notice
        options = picker.query_one("#picker-options", OptionList)
        assert options.option_count == 1 and "No statuses to choose from." in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker  # nothing to pick: stays open, escape closes
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not picker)


async def test_keyword_match_comes_before_label_matches() -> None:
    from tui_desk.ui.dialogs.picker import filter_choices

    choices = [Choice("1", "Mei Jones"), Choice("2", "Dana Agent", "you", keywords="me"), Choice("3", "James")]
    assert [c.id for c in filter_choices(choices, "me")] == ["2", "1", "3"]


# -- new ticket ---------------------------------------------------------------------------------------------


async def test_new_ticket_without_a_categories_api_still_creates(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.faults.route_faults["GET /categories"] = "route404"
    data = app.simulator.dataset
    before = set(data.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        message = plain(form.query_one("#form-message", Static).content)
        assert "Categories: not available on this server" in message  # said where the list is, and it stays
        assert form.unavailable_lists == {"category": "not available on this server"}
        await pick_requester(pilot, form)
        await fill_text(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert len(set(data.tickets) - before) == 1


async def test_new_ticket_whose_requester_was_not_taken_warns(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.ignored_fields = {"contact_id"}
    data = app.simulator.dataset
    before = set(data.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pick_requester(pilot, form)
        await fill_text(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewTicketScreen))
        assert len(set(data.tickets) - before) == 1
        warnings = await toast(pilot, REQUESTER_IGNORED)
        assert warnings and warnings[0][0] == "warning"
