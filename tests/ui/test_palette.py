"""Pilot tests of the command palette (ctrl+p): every action, "Open ticket #N", views and profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import palette_settled, wait_for
from tui_desk.config.profile import SavedView
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.ui.app import DeskApp
from tui_desk.ui.commands import ticket_number
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.new_ticket import NewTicketScreen
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen


async def queue_ready(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
    return app.screen


async def palette(pilot, text: str = "") -> list[str]:
    """Open the palette, type ``text``, and return the offered commands (plain text), best first."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: CommandPalette.is_open(app))
    if text:
        await pilot.press(*text)
    command_list = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: command_list.option_count > 0 and app.screen.has_class("-ready"))
    await wait_for(pilot, lambda: palette_settled(app))
    return [str(command_list.get_option_at_index(i).prompt) for i in range(command_list.option_count)]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_typing_assign_finds_the_assign_command(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(100, 30)) as pilot:
        await queue_ready(pilot)
        offered = await palette(pilot, "assign")
        assert offered[0].startswith("Assign") and offered[0].rstrip().endswith("a")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_number_offers_to_open_that_ticket(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(100, 30)) as pilot:
        await queue_ready(pilot)
        # HelpDesk Pro shows (and is asked for) a ticket's uid, 100000 + its id in the simulator; the others its id.
        first, second = ("100042", "100142") if flavour == "helpdeskpro" else ("42", "142")
        offered = await palette(pilot, first)
        assert offered[0] == f"Open ticket #{first}"
        await pilot.press("enter")
        if flavour == "helpdeskpro":  # no ticket has uid 100042: said, and no id-42 lookup that could open another
            await wait_for(pilot, lambda: any("No ticket #100042" in str(n.message) for n in app._notifications))
            assert isinstance(app.screen, QueueScreen)
        else:
            await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
            assert app.screen.ticket_id == "42"
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        offered = await palette(pilot, f"#{second}")
        assert offered[0] == f"Open ticket #{second}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == "142"


async def test_a_view_switch_from_the_palette(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await queue_ready(pilot)
        offered = await palette(pilot, "view closed")
        assert offered[0] == "View: Closed  x"
        await pilot.press("enter")
        await wait_for(pilot, lambda: queue.view_key == "closed")
        await wait_for(pilot, lambda: queue.rows and all(t.status and t.status.closed for t in queue.rows[:5]))
        # From a ticket the view switch brings the queue back first.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await palette(pilot, "view unassigned")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is queue and queue.view_key == "unassigned")


async def test_the_list_shows_before_typing(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await queue_ready(pilot)
        offered = await palette(pilot)
        for expected in ("Go to tickets  1", "Go to assets  2", "Go to users  3", "New ticket  N"):
            assert expected in offered
        assert "Open the selected ticket  ⏎" in offered  # the screen's enter, though the table's enter hides it
        assert any(o.startswith("Quit  ") and o.endswith(" q") for o in offered)
        assert "Refresh  R / ^r" in offered
        assert "View: Mine  m" in offered
        assert not any(o.startswith("Focus Next") for o in offered)
        assert len(offered) == len(set(offered))
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"new ticket", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen))


async def test_palette_on_the_form_runs_the_form_s_own_actions(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await queue_ready(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen))
        form = app.screen
        offered = await palette(pilot, "create")
        assert offered[0] == "Create ticket  ^s"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form and form.field_errors)
        # With text typed, "Go to tickets" from the palette asks first, like the key 1 on the form.
        form.query_one("#subject").focus()
        await pilot.press(*"Typed")
        await palette(pilot, "go to tickets")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


def test_ticket_numbers() -> None:
    assert ticket_number("42") == "42"
    assert ticket_number(" #123 ") == "123"
    assert ticket_number("# 7") == "7"
    assert ticket_number("assign") is None
    assert ticket_number("4x") is None


async def test_profiles_and_saved_views_are_listed_literally(tmp_path: Path, monkeypatch) -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            'default_profile = "work"\n'
            f'[profiles.work]\nbackend = "jitbit"\nurl = "{server.base_url}"\nusername = "demo"\npassword = "demo"\n'
            f'[profiles."[b]odd[/b]"]\nbackend = "jitbit"\nurl = "{server.base_url}"\n'
            'username = "demo"\npassword = "demo"\n'
        )
        os.chmod(config, 0o600)
        monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
        views = {"team": SavedView(label="[red]Team[/red] queue", state="all")}
        profile = demo_profile("jitbit", server.base_url).model_copy(update={"views": views})
        app = DeskApp.for_profile("demo", profile)
        async with app.run_test(size=(100, 40)) as pilot:
            queue = await queue_ready(pilot)
            offered = await palette(pilot, "profile")
            assert "Switch profile [b]odd[/b]" in offered
            assert "Switch profile work" in offered
            await pilot.press("escape")
            offered = await palette(pilot, "team")
            assert offered[0] == "View: [red]Team[/red] queue"
            await pilot.press("enter")
            await wait_for(pilot, lambda: queue.view_key == "saved:team")
            offered = await palette(pilot, "switch profile work")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.profile_name == "work")
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen is not queue)
