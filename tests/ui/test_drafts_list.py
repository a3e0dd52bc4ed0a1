"""Drafts you can see: ``:drafts`` and the palette list them, enter opens the ticket, d discards, markers and quit."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, Static

from tests.ui.conftest import palette_settled, refreshed, steady, wait_for
from tui_desk.models import CommentKind, TicketSummary
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.drafts_dialog import DraftsDialog
from tui_desk.ui.flows.compose import drafts_of
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen

SIZES = [(80, 24), (120, 40)]


def plain(renderable: object) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def header(screen: TicketScreen) -> str:
    return plain(screen.query_one("#ticket-header", Static).content)


async def queue_ready(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 5)
    # The start-up's word on saved drafts comes after the queue's first frame: let it pass (there were none) before
    # a test leaves drafts, or it would tell of them too, early or not depending on when that frame was painted.
    await refreshed(pilot, app.screen)
    return app.screen


def leave_drafts(app: DeskApp, queue: QueueScreen) -> list[TicketSummary]:
    """A reply draft on the first row and a note draft on the second, written to disk as the composer does."""
    store = drafts_of(app, app.service)
    store.clock = lambda: REFERENCE_NOW - timedelta(hours=2)
    first, second = queue.rows[0], queue.rows[1]
    store.put(first.id, CommentKind.REPLY, "Hello Dana,\nthe share is ready.", first.number)
    store.clock = lambda: REFERENCE_NOW - timedelta(minutes=5)
    store.put(second.id, CommentKind.NOTE, "Check the licence pool first", second.number)
    assert store.flush()
    return [first, second]


async def open_list(pilot) -> DraftsDialog:
    await pilot.press("colon", *"drafts", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DraftsDialog))
    await pilot.pause()
    return pilot.app.screen


def listed(dialog: DraftsDialog) -> list[str]:
    options = dialog.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_no_drafts_says_so(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        dialog = await open_list(pilot)
        assert not dialog.query_one(OptionList).display
        assert "No drafts" in plain(dialog.query_one("#drafts-empty", Static).content)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_the_list_shows_each_draft_and_enter_opens_its_ticket_with_the_marker(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        first, second = leave_drafts(app, queue)
        dialog = await open_list(pilot)
        rows = listed(dialog)
        assert len(rows) == 2
        assert rows[0].startswith(f"#{second.number}") and "note" in rows[0] and "5m ago" in rows[0]
        assert "Check the licence pool first" in rows[0]
        assert rows[1].startswith(f"#{first.number}") and "reply" in rows[1] and "2h ago" in rows[1]
        assert "Hello Dana," in rows[1] and "the share is ready" not in rows[1]  # the first line only
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        assert app.screen.ticket.id == first.id
        assert "✎ reply draft — r to resume" in header(app.screen)


async def test_d_discards_after_a_yes_and_deletes_the_file(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        first, second = leave_drafts(app, queue)
        store = drafts_of(app, app.service)
        path = store.files.path_for(store.profile, second.id, CommentKind.NOTE)
        assert path.exists()
        dialog = await open_list(pilot)
        rerendered: list[bool] = []
        original = queue._rerender_rows
        queue._rerender_rows = lambda: (rerendered.append(True), original())[1]  # type: ignore[method-assign]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")  # no: nothing is deleted
        await wait_for(pilot, lambda: app.screen is dialog)
        assert path.exists() and len(listed(dialog)) == 2
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is dialog and len(listed(dialog)) == 1)
        assert not path.exists()
        assert store.get(second.id, CommentKind.NOTE) == ""
        assert listed(dialog)[0].startswith(f"#{first.number}")
        assert rerendered  # the queue's row markers follow
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: not dialog.query_one(OptionList).display)
        assert dialog.query_one("#drafts-empty", Static).display
        assert not store.files.load(store.profile)


async def test_the_ticket_header_marks_a_draft_kept_from_the_composer(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        screen = app.screen
        assert "✎" not in header(screen)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        await pilot.press(*"check")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: "✎ note draft — n to resume" in header(screen))
        assert queue.rows[0].id == screen.ticket.id


async def test_the_palette_offers_drafts(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await queue_ready(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"drafts")
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 0 and app.screen.has_class("-ready"))
        await wait_for(pilot, lambda: palette_settled(app))
        assert str(commands.get_option_at_index(0).prompt).startswith("Drafts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsDialog))


async def test_quitting_with_a_draft_says_it_is_kept_on_disk(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        leave_drafts(app, queue)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        detail = app.screen.detail
        assert "not sent" in detail and "kept on disk" in detail and ":drafts" in detail
        await pilot.press("n")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_drafts_list_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        app = pilot.app
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: not queue.query_one("StatusLine").busy)
        first, _second = leave_drafts(app, queue)
        preview = queue.query_one("#queue-preview")
        if preview.display:  # 120 columns: the pane shows the first ticket with its draft marker, loaded
            await wait_for(pilot, lambda: preview.ticket_id == first.id and preview.complete)
            await wait_for(pilot, lambda: "✎" in plain(preview.query_one("#preview-header", Static).content))
        app.clear_notifications()
        await open_list(pilot)
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)
