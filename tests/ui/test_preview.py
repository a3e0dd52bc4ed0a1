"""The queue's preview pane: hidden below 120 columns, follows the cursor, debounced, toggled and remembered."""

from __future__ import annotations

import io
import os
import stat

import pytest
from rich.console import Console
from textual import events
from textual.widgets import Static

from tests.ui.conftest import steady, wait_for
from tests.waits import QUIET
from tui_desk.state.prefs import Prefs, load_prefs, prefs_path, save_prefs
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.queue_preview import PREVIEW_DELAY
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen
from tui_desk.ui.widgets.preview_pane import PreviewPane, pane_width
from tui_desk.ui.widgets.ticket_table import TicketTable

WIDE = (120, 40)
NARROW = (80, 24)
SIZES = [NARROW, WIDE]


def plain(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def pane(app: DeskApp) -> PreviewPane:
    return app.screen.query_one("#queue-preview", PreviewPane)


def detail_requests(app: DeskApp) -> int:
    """How many ticket or thread reads the Jitbit simulator has served (GET /Ticket, GET /Comments)."""
    return sum(
        1 for method, path in app.simulator.log if method == "GET" and path.lower().endswith(("/ticket", "/comments"))
    )


async def queue_ready(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    return app.screen


async def previewed(pilot, queue: QueueScreen, row: int) -> None:
    """Wait until the pane shows row ``row`` in full (header and messages)."""
    ticket = queue.rows[row]
    assert ticket is not None
    await wait_for(pilot, lambda: pane(pilot.app).ticket_id == ticket.id and pane(pilot.app).complete)


async def test_hidden_at_80_columns_and_P_says_why(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=NARROW) as pilot:
        queue = await queue_ready(pilot)
        await pilot.pause(PREVIEW_DELAY + QUIET)  # a bounded wait, not an await: a hidden pane reads nothing
        assert not pane(app).display
        assert queue.query_one(TicketTable).size.width == 80  # the table keeps the whole width
        assert detail_requests(app) == 0  # a hidden pane reads nothing
        await pilot.press("P")
        await pilot.pause()
        assert any("120 columns" in n.message for n in app._notifications)
        assert not pane(app).display


async def test_shown_at_120_columns_and_follows_the_cursor(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        assert pane(app).display
        table = queue.query_one(TicketTable)
        assert table.size.width == 120  # at 120-159 columns the pane sits under the table: Subject keeps its room
        assert pane(app).region.y >= table.region.bottom and pane(app).region.height >= 10
        await previewed(pilot, queue, 0)
        first = queue.rows[0]
        record = app.simulator.dataset.tickets[int(first.id)]
        header = plain(pane(app).query_one("#preview-header", Static))
        assert f"#{first.number}" in header and first.requester.email in header
        assert "Due" in header and "Status" in header and "Assignee" in header
        messages = plain(pane(app).query_one("#preview-messages", Static))
        assert "Newest first" in messages
        newest = record.comments[-1].body.strip().splitlines()[0]
        assert newest in messages
        await pilot.press("j")
        await previewed(pilot, queue, 1)
        assert queue.rows[1].subject in plain(pane(app).query_one("#preview-header", Static))


def held_key(app: DeskApp, key: str, times: int) -> None:
    """A held key as the terminal sends it: every repeat queued at once (``pilot.press`` waits for idle after each,
    which on a loaded machine can leave a gap longer than the preview's delay)."""
    driver = app._driver
    assert driver is not None
    for _ in range(times):
        event = events.Key(key, key)
        event.set_sender(app)
        driver.send_message(event)


async def test_moving_quickly_reads_only_where_the_cursor_rests_and_opening_it_reads_nothing(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui_desk.ui.screens.queue_preview.PREVIEW_DELAY", 0.4)  # a slow machine still moves in time
    app = make_app("jitbit")
    async with app.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        await previewed(pilot, queue, 0)
        before = detail_requests(app)
        held_key(app, "j", 15)
        await previewed(pilot, queue, 15)
        await pilot.pause(QUIET)  # a bounded wait, not an await: no further request may follow
        assert detail_requests(app) - before == 2  # the ticket and the thread where the cursor stopped, no more
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TicketScreen)
                and app.screen.ticket is not None
                and app.screen.query_one(ThreadView).comments is not None
            ),
        )
        assert app.screen.ticket.id == queue.rows[15].id
        assert detail_requests(app) - before == 2  # opened from the cache the preview filled


async def test_P_hides_the_pane_and_the_choice_survives_a_restart(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        assert pane(app).display
        await pilot.press("P")
        await wait_for(pilot, lambda: not pane(app).display)
        await wait_for(pilot, lambda: queue.query_one(TicketTable).size.width == 120)
    path = prefs_path()
    assert load_prefs().preview is False
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = make_app("jitbit")
    async with again.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        await pilot.pause(QUIET)  # a bounded wait, not an await: the pane stays hidden
        assert not pane(again).display
        await pilot.press("P")
        await wait_for(pilot, lambda: pane(again).display)
        await previewed(pilot, queue, 0)
    assert load_prefs().preview is True


async def test_a_new_view_or_a_changed_row_reaches_the_pane_without_moving(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        await previewed(pilot, queue, 0)
        shown_first = queue.rows[0].id
        await pilot.press("x")  # the closed view: the cursor stays on row 0, which is another ticket now
        await wait_for(pilot, lambda: bool(queue.rows) and queue.rows[0] and queue.rows[0].id != shown_first)
        await previewed(pilot, queue, 0)
        row = queue.rows[0]
        # A write elsewhere (triage, a reply) changes the ticket, drops it from the cache and updates its row.
        app.simulator.dataset.tickets[int(row.id)].subject = "Renamed while previewed"
        app.service._invalidate_ticket(row.id)
        queue.update_row(row.model_copy(update={"subject": "Renamed while previewed"}))
        header = pane(app).query_one("#preview-header", Static)
        await wait_for(pilot, lambda: "Renamed while previewed" in plain(header) and pane(app).complete)


async def test_a_failed_read_stays_in_the_pane_with_how_to_retry(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=WIDE) as pilot:
        queue = await queue_ready(pilot)
        await previewed(pilot, queue, 0)
        app.simulator.faults.route_faults = {"GET /Ticket": "route404", "GET /Comments": "route404"}
        await pilot.press("j", "j", "j")
        await previewed(pilot, queue, 3)
        state = pane(app).state
        assert state.failure is not None and "retry" in state.failure
        assert queue.rows[3].subject in plain(pane(app).query_one("#preview-header", Static))  # the row's fields stay


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_preview_snapshot(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        app = pilot.app
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: queue.pager is not None and not queue.pager.busy)  # page 2 is in
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: getattr(queue.highlighted(), "id", None) == queue.rows[2].id)
        # The look-ahead pages the move asked for are shown ("3 of 250+"), and the prefetch after them is in.
        await wait_for(pilot, lambda: queue._loading_page is None and not queue.pager.busy)
        if pane(app).display:
            await previewed(pilot, queue, 2)
        else:
            await pilot.pause(PREVIEW_DELAY + QUIET)  # hidden pane: nothing to await, the cursor's rest passes
        await wait_for(pilot, lambda: not queue.query_one("StatusLine").busy)
        app.clear_notifications()
        steady(app)
        await pilot.pause()

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)


def test_prefs_default_when_missing_or_unreadable_and_saved_private() -> None:
    assert load_prefs().preview is True  # nothing saved yet: the pane shows on wide terminals
    assert save_prefs(Prefs(preview=False))
    assert load_prefs().preview is False
    prefs_path().write_text("{not json")
    assert load_prefs().preview is True
    prefs_path().write_text('{"preview": "no"}')
    assert load_prefs().preview is True  # a wrong type is ignored, not guessed


async def test_beside_the_table_from_160_columns(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(160, 40)) as pilot:
        queue = await queue_ready(pilot)
        table = queue.query_one(TicketTable)
        await wait_for(pilot, lambda: table.size.width == 160 - pane_width(160))
        assert pane(app).region.x >= table.region.right
        assert pane(app).region.height == table.region.height
        await previewed(pilot, queue, 0)
