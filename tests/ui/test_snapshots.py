"""Deterministic snapshots of every screen and dialog at 80x24 and 120x40 (fixed clock, UTC, no blink)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import queue_loaded, steady, wait_for
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

SIZES = [(80, 24), (120, 40)]
FLAVOUR = "happyfox"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queue(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        steady(pilot.app)

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket_detail(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        app = pilot.app
        # The first row below the top two whose ticket has a thread (HappyFox's order follows replies only).
        tickets = app.simulator.dataset.tickets
        rows = app.screen.rows
        index = next(i for i in range(2, len(rows)) if len(tickets[int(rows[i].id)].comments) >= 2)
        await pilot.press(*["j"] * index, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        await wait_for(pilot, lambda: bool(app.screen.query_one(ThreadView).comments))
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_box(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("slash", *"vpn")
        steady(pilot.app)

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_view_picker(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filter_dialog(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("f")
        app = pilot.app
        await wait_for(
            pilot,
            lambda: app.screen.query("#filter-status") and len(app.screen.query_one("#filter-status").options) > 0,
        )
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_jump_prompt(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("colon", *"12")
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_welcome(snap_compare, size, monkeypatch) -> None:
    from tui_desk.ui.app import DeskApp

    monkeypatch.setenv("XDG_CONFIG_HOME", "/home/agent/.config")  # shown on screen: keep it fixed
    assert snap_compare(DeskApp.first_run(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quit_with_a_draft_asks(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        from tui_desk.models import CommentKind

        await queue_loaded(pilot)
        pilot.app.drafts.put("100", CommentKind.REPLY, "half-written reply", number="HF00000100")
        await pilot.press("q")
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_setup_form(snap_compare, size, monkeypatch) -> None:
    from tui_desk.ui.app import DeskApp
    from tui_desk.ui.screens.setup import SetupScreen

    monkeypatch.setenv("XDG_CONFIG_HOME", "/home/agent/.config")

    async def run_before(pilot) -> None:
        await pilot.press("down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SetupScreen))
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(DeskApp.first_run(), terminal_size=size, run_before=run_before)
