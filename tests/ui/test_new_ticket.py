"""Pilot tests of the new-ticket form (key N) against each simulator over loopback HTTP."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import wait_for
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.new_ticket import NewTicketScreen, default_priority
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.requester_lookup import RequesterLookup

TARGET_USER = 1023  # the second "Uma Eriksen" (ueriksen23@mail.example): third match for "eriksen"


async def open_form(pilot) -> NewTicketScreen:
    """From the loaded queue, press N and wait until categories and priorities are in."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    await pilot.press("N")
    await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen))
    form = app.screen
    await wait_for(pilot, lambda: isinstance(form.query_one("#priority", Select).value, str))
    return form


async def pick_requester(pilot, form: NewTicketScreen, text: str = "eriksen", downs: int = 2) -> None:
    """Type part of a name, wait for the matches, move down and pick with enter."""
    lookup = form.query_one(RequesterLookup)
    assert form.focused is lookup.query_one(Input)
    await pilot.press(*text)
    await wait_for(pilot, lambda: lookup.results_open and len(lookup.matches) >= downs + 1)
    await pilot.press(*["down"] * downs, "enter")
    await wait_for(pilot, lambda: lookup.requester is not None)


async def fill_text(pilot, subject: str = "Printer on fire", body: str = "Smoke from tray 2.") -> None:
    """A requester was just picked, so the subject has the focus: type it, tab to the body and type that."""
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, Input) and pilot.app.focused.id == "subject")
    await pilot.press(*subject, "tab", *body)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_create_a_ticket_on_behalf_of_a_requester(make_app, flavour: str) -> None:
    app = make_app(flavour)
    data = app.simulator.dataset
    before = set(data.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        assert isinstance(form, NewTicketScreen)
        await pick_requester(pilot, form)
        lookup = form.query_one(RequesterLookup)
        assert lookup.requester is not None and lookup.requester.id == str(TARGET_USER)
        assert "ueriksen23@mail.example" in str(lookup.query_one("#requester-chosen").render())
        await fill_text(pilot)
        assert form.query_one("#body", TextArea).text == "Smoke from tray 2."
        # Category: open the list, go down to the third category (Network), pick it.
        await pilot.press("tab", "enter", "down", "down", "down", "enter")
        network = str(data.categories[2][0])
        await wait_for(pilot, lambda: form.query_one("#category", Select).value == network)
        # Priority: the list runs most urgent first; Normal is preselected, up is High.
        await pilot.press("tab", "enter", "up", "enter")
        high = next(p for p in await app.service.priorities() if p.name == "High")
        await wait_for(pilot, lambda: form.query_one("#priority", Select).value == high.id)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        created = set(data.tickets) - before
        assert len(created) == 1
        record = data.tickets[created.pop()]
        assert record.subject == "Printer on fire"
        assert record.body.strip() == "Smoke from tray 2."
        assert record.user_id == TARGET_USER
        assert record.category_id == data.categories[2][0]
        assert record.priority == 1  # the dataset's levels: -1 low, 0 normal, 1 high, 2 critical
        assert app.screen.ticket.id == str(record.id)
        detail = app.screen
        await wait_for(pilot, lambda: not detail.query_one("StatusLine").busy)
        await pilot.press("p")  # triage on the new ticket shows in its queue row too
        await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
        await pilot.pause()
        await pilot.press(*"crit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail.ticket.priority is not None and detail.ticket.priority.name == "Critical")
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.rows[0].id == str(record.id)
        assert app.screen.rows[0].priority is not None and app.screen.rows[0].priority.name == "Critical"
        await wait_for(pilot, lambda: len(app.screen.rows) > 5)
        assert app.screen.rows[0].id == str(record.id)
        assert [r.id for r in app.screen.rows].count(str(record.id)) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_validation_errors_show_and_nothing_is_created(make_app, flavour: str) -> None:
    app = make_app(flavour)
    count = len(app.simulator.dataset.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewTicketScreen)
        assert set(form.field_errors) >= {"subject", "body"}
        assert form.query_one("#subject-error").display
        assert ("requester" in form.field_errors) == (flavour == "happyfox")
        assert ("category" in form.field_errors) == (flavour == "jitbit")
        assert form.focused is form.query_one(RequesterLookup).query_one(Input) or flavour != "happyfox"
        # Typing a subject clears its message; a typed but unpicked requester is an error everywhere.
        form.query_one("#subject", Input).focus()
        await pilot.press(*"Hello")
        assert "subject" not in form.field_errors
        form.query_one(RequesterLookup).focus_search()
        await pilot.press(*"zz")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Pick the requester" in form.field_errors["requester"]
        assert len(app.simulator.dataset.tickets) == count


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_double_ctrl_s_creates_one_ticket(make_app, flavour: str) -> None:
    app = make_app(flavour)
    data = app.simulator.dataset
    count = len(data.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pick_requester(pilot, form)
        await fill_text(pilot)
        if flavour == "jitbit":
            form.query_one("#category", Select).value = str(data.categories[0][0])
        app.simulator.faults.latency = 0.3  # the first request is still in flight at the second press
        await pilot.press("ctrl+s", "ctrl+s")
        assert form.submitting
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        app.simulator.faults.latency = 0.0
        assert len(data.tickets) == count + 1


async def test_escape_with_text_asks_before_discarding(make_app) -> None:
    app = make_app("helpdeskpro")
    count = len(app.simulator.dataset.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pilot.press("tab", *"Half-typed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#subject", Input).value == "Half-typed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert len(app.simulator.dataset.tickets) == count


async def test_escape_on_an_empty_form_closes_it_at_once(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_form(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_leaving_by_an_app_key_asks_when_something_was_typed(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pilot.press("tab", *"Something")
        await pilot.press("tab", "tab")  # out of the text fields, onto the category list
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        await pilot.press("N")  # already on the form: no second form
        await pilot.pause()
        assert app.screen is form
        assert sum(isinstance(s, NewTicketScreen) for s in app.screen_stack) == 1


async def test_escape_closes_the_matches_before_the_form(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        lookup = form.query_one(RequesterLookup)
        await pilot.press(*"eriksen")
        await wait_for(pilot, lambda: lookup.results_open)
        await pilot.press("escape")
        assert not lookup.results_open and app.screen is form
        assert lookup.text == "eriksen"


async def test_stale_searches_are_cancelled(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        lookup = form.query_one(RequesterLookup)
        log = app.simulator.log
        before = sum(1 for _, path in log if "contacts" in path)
        await pilot.press(*"nakamura")  # typed faster than the debounce: one search, for the whole text
        await wait_for(pilot, lambda: lookup.results_open)
        assert sum(1 for _, path in log if "contacts" in path) - before == 1
        assert all("Nakamura" in u.name for u in lookup.matches)


async def test_unknown_outcome_keeps_the_form_and_does_not_resend(make_app) -> None:
    app = make_app("happyfox")
    data = app.simulator.dataset
    count = len(data.tickets)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pick_requester(pilot, form)
        await fill_text(pilot)
        form.query_one("#category", Select).value = str(data.categories[0][0])  # so the POST is the only request
        app.simulator.faults.reset_mid_body = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form.maybe_created and not form.submitting, timeout=20)
        app.simulator.faults.reset_mid_body = False
        assert app.screen is form
        message = str(form.query_one("#form-message").render())
        assert "Outcome unknown — it may still arrive. Check the ticket before sending again." in message
        assert "in the queue" in message
        assert form.query_one("#subject", Input).value == "Printer on fire"
        assert len(data.tickets) == count + 1  # the server did create it; nothing was sent twice
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await pilot.pause()
        assert len(data.tickets) == count + 1


async def test_read_only_profile_keeps_the_form() -> None:
    sim = simulator_class("helpdeskpro")(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile("helpdeskpro", server.base_url).model_copy(update={"read_only": True})
        app = DeskApp.for_profile("ro", profile)
        count = len(sim.dataset.tickets)
        async with app.run_test(size=(100, 30)) as pilot:
            form = await open_form(pilot)
            assert "Read-only" in str(form.query_one("#form-message").render())
            await pilot.press("tab", *"Subject", "tab", *"Body")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "nothing was sent" in str(form.query_one("#form-message").render()))
            assert app.screen is form
            assert form.query_one("#subject", Input).value == "Subject"
            assert len(sim.dataset.tickets) == count


def test_default_priority_is_the_normal_one() -> None:
    from tui_desk.models import Priority

    levels = [Priority(id="1", name="Low", rank=0), Priority(id="2", name="Medium", rank=1)]
    assert default_priority(levels).id == "2"
    odd = [Priority(id=str(i), name=f"P{i}", rank=i) for i in range(5)]
    assert default_priority(odd).id == "2"
    assert default_priority([]) is None


async def test_jump_and_quit_ask_before_discarding_a_filled_form(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pilot.press("tab", *"Half-typed", "tab", "tab")  # onto the category list, out of the text fields
        await pilot.press(":")  # the jump prompt: ":tickets" would pop the form
        await pilot.press(*"tickets", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#subject", Input).value == "Half-typed"
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "unfinished new ticket" in app.screen.question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert app.is_running


async def test_a_pick_names_the_requester_and_editing_the_name_drops_it(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot)
        await pick_requester(pilot, form)
        lookup = form.query_one(RequesterLookup)
        picked = lookup.requester
        assert picked is not None and lookup.text == picked.name
        await wait_for(pilot, lambda: app.focused is form.query_one("#subject", Input))
        await pilot.press("shift+tab", "backspace")  # back in the box, and the name is edited
        await wait_for(pilot, lambda: lookup.requester is None)
        assert "Requester:" not in str(lookup.query_one("#requester-chosen").render())
