"""Snapshots of the composer (reply and internal note) and its send confirmation at 80x24 and 120x40."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from tests.ui.conftest import refreshed, wait_for
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

SIZES = [(80, 24), (120, 40)]
FLAVOUR = "happyfox"
REPLY = "Hello Dana,\n\nWe have restored your access to the finance share.\nPlease sign out and in again.\n\nBest"
NOTE = "Checked with the finance lead: access approved until the end of the quarter."


async def composer(pilot, key: str, text: str) -> None:
    """Open the first ticket, start a reply or note, write ``text`` and stop the cursor blinking."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    await wait_for(pilot, lambda: app.screen.query_one(ThreadView).comments is not None)
    await refreshed(pilot, app.screen.query_one(ThreadView))  # laid out before the composer covers it
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
    area = app.screen.query_one(TextArea)
    area.cursor_blink = False
    area.insert(text)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reply_composer(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await composer(pilot, "r", REPLY)

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_note_composer(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await composer(pilot, "n", NOTE)

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reply_confirmation(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await composer(pilot, "r", REPLY)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_empty_message_refused(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await composer(pilot, "n", "")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_canned_picker(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        from textual.widgets import Input

        from tui_desk.ui.dialogs.canned_picker import CannedPicker

        await composer(pilot, "r", "")
        await pilot.press("ctrl+t")  # Jitbit's CommentTemplates
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CannedPicker))
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)
