"""Snapshots of the new-ticket form and the command palette at 80x24 and 120x40 (fixed clock, UTC, no blink)."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Select
from textual.widgets._footer import FooterKey

from tests.ui.conftest import queue_loaded, refreshed, steady, wait_for
from tui_desk.ui.screens.new_ticket import NewTicketScreen
from tui_desk.ui.widgets.requester_lookup import RequesterLookup

SIZES = [(80, 24), (120, 40)]
FLAVOUR = "happyfox"


async def form_open(pilot) -> NewTicketScreen:
    app = pilot.app
    await queue_loaded(pilot)
    await pilot.press("N")
    await wait_for(pilot, lambda: isinstance(app.screen, NewTicketScreen))
    form = app.screen
    await wait_for(pilot, lambda: isinstance(form.query_one("#priority", Select).value, str))
    await wait_for(pilot, lambda: not form.query_one("StatusLine").busy)
    # The key bar is laid out and painted: a dialog opened next covers a finished form (Textual lays out only the
    # screen on top, so a bar still waiting for its layout would stay blank behind the palette).
    await wait_for(pilot, lambda: any(key.region.width for key in form.query(FooterKey)))
    await refreshed(pilot, form)
    steady(app)
    return form


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_empty_form(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await form_open(pilot)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_requester_matches_open(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        form = await form_open(pilot)
        lookup = form.query_one(RequesterLookup)
        await pilot.press(*"eriksen")
        await wait_for(pilot, lambda: lookup.results_open and len(lookup.matches) > 2)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_validation_errors(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        form = await form_open(pilot)
        await pilot.press("tab", *"Printer on fire")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(form.field_errors))
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_palette(snap_compare, make_app, size) -> None:
    """The whole list before typing, opened on the form (the queue keeps loading pages behind it)."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await form_open(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        palette = app.screen
        command_list = palette.query_one(CommandList)

        def settled() -> bool:
            gathering = any(w.node is palette and not w.is_finished for w in app.workers)
            return not gathering and command_list.option_count > 5 and palette.has_class("-ready")

        await wait_for(pilot, settled)
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)
