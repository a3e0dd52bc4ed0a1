"""The `?` overlay: a modal that ?, q and escape close, j/k and PgDn scroll, typing filters, ids for keymap."""

from __future__ import annotations

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Input

from tests.conftest import fresh_dataset
from tests.ui.conftest import queue_loaded, steady, wait_for
from tests.waits import QUIET
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.help_dialog import HelpDialog, HelpSection
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.queue_layout import MARKERS

SIZES = [(80, 24), (120, 40)]
FLAVOUR = "jitbit"


def rows_by_id(sections: list[HelpSection]) -> dict[str, tuple[str, str]]:
    """binding id -> (keys, description) over every section."""
    return {row.binding_id: (row.keys, row.description) for s in sections for row in s.rows if row.binding_id}


async def open_help(pilot) -> HelpDialog:
    """Wait for the queue's rows, press ?, and return the overlay."""
    await queue_loaded(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpDialog))
    await pilot.pause()
    return pilot.app.screen


def body(dialog: HelpDialog) -> VerticalScroll:
    return dialog.query_one("#help-body", VerticalScroll)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_question_mark_opens_a_modal_overlay_grouped_by_screen(make_app, size) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=size) as pilot:
        dialog = await open_help(pilot)
        titles = [s.title for s in dialog.sections]
        assert titles[:3] == ["Ticket queue (this screen)", "Everywhere", "Queue row markers"]
        assert {"Ticket", "Assets", "Users", "Composer (reply / note)"} <= set(titles)
        ids = rows_by_id(dialog.sections)
        assert ids["queue.status"] == ("s", "Status")
        assert ids["queue.view_open"][0] == "o"  # hidden from the footer, listed here
        assert ids["ticket.next"][0] == "]"
        assert ids["app.help"][0] == "?"
        assert ids["app.quit"][0] == "q"
        descriptions = {row.description for s in dialog.sections for row in s.rows}
        # Textual's generic widget keys are not listed (the old side panel opened with them).
        assert not {"Scroll Left", "Page Left", "Copy selected text", "Cursor up"} & descriptions
        legend = next(s for s in dialog.sections if s.legend)
        assert [row.keys for row in legend.rows[: len(MARKERS)]] == list(MARKERS.values())
        assert any("overdue" in row.description for row in legend.rows)
        # The whole overlay fits the terminal.
        box = dialog.query_one("#help")
        assert box.region.right <= size[0] and box.region.bottom <= size[1]


@pytest.mark.parametrize("key", ["question_mark", "escape", "q"])
async def test_question_mark_escape_and_q_close_it_without_quitting(make_app, key: str) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_help(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.pause(QUIET)  # a bounded wait, not an await: the app must not quit
        assert app.is_running
        assert isinstance(app.screen, QueueScreen)


async def test_j_k_g_and_page_keys_scroll_the_overlay_not_the_queue(make_app) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        cursor = queue.query_one("#queue-table").cursor_row
        dialog = await open_help(pilot)
        scroll = body(dialog)
        assert scroll.max_scroll_y > 10
        await pilot.press("j", "j", "j")
        assert scroll.scroll_y == 3
        await pilot.press("k")
        assert scroll.scroll_y == 2
        await pilot.press("pagedown")
        assert scroll.scroll_y > 10
        await pilot.press("G")
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("g")
        assert scroll.scroll_y == 0
        assert queue.query_one("#queue-table").cursor_row == cursor


async def test_typing_filters_by_key_description_or_id(make_app) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot)
        await pilot.press(*"assign")  # letters that are not keys of the overlay start the filter
        assert dialog.query_one("#help-filter", Input).value == "assign"
        assert dialog.focused is dialog.query_one("#help-filter", Input)
        ids = rows_by_id(dialog.shown())
        assert {"queue.assignee", "ticket.assignee"} <= set(ids)
        assert "queue.search" not in ids
        assert "typing filters" in str(dialog.query_one("#help-hint").render())
        await pilot.press("enter")  # back to the list: j scrolls again, q closes
        assert dialog.focused is body(dialog)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_letters_typed_in_a_burst_all_reach_the_filter(make_app) -> None:
    """Keys read together from the terminal (fast typing, a paste, tmux send-keys) are not lost after the first."""
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot)
        for letter in "draft":  # posted at once, as the driver does with one read of several bytes
            app.post_message(events.Key(letter, letter))
        await wait_for(pilot, lambda: dialog.typed == "draft")
        assert "drafts.discard" in rows_by_id(dialog.shown())


async def test_slash_focuses_the_filter_and_q_then_types(make_app) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_help(pilot)
        await pilot.press("slash", *"quit")
        assert dialog.typed == "quit"
        assert isinstance(app.screen, HelpDialog)
        assert "app.quit" in rows_by_id(dialog.shown())


async def test_the_ticket_screen_comes_first_from_a_ticket(make_app) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        assert app.screen.sections[0].title == "Ticket (this screen)"
        assert app.screen.sections[1].title == "Everywhere"


async def test_keymap_overrides_show_the_keys_the_agent_types() -> None:
    sim = simulator_class(FLAVOUR)(fresh_dataset())
    server = SimServer(sim).start()
    try:
        profile = demo_profile(FLAVOUR, server.base_url).model_copy(update={"keymap": {"queue.search": "ctrl+f"}})
        app = DeskApp.for_profile("test-keymap", profile)
        app.clock = lambda: REFERENCE_NOW
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_help(pilot)
            assert rows_by_id(dialog.sections)["queue.search"][0] == "^f"
    finally:
        server.stop()


async def test_the_palette_keys_command_opens_the_overlay_not_the_side_panel(make_app) -> None:
    app = make_app(FLAVOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        app.action_show_help_panel()
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        assert not app.screen.query("KeyPanel")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_overlay_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await open_help(pilot)
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_overlay_filtered_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await open_help(pilot)
        await pilot.press(*"status")
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)
