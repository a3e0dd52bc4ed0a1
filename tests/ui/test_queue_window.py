"""The queue keeps only the rows around its cursor in memory and fetches dropped rows again when shown."""

from __future__ import annotations

import time

import pytest

from tests.conftest import FLAVOURS
from tests.ui.conftest import queue_loaded, wait_for
from tui_desk.ui.screens import queue_loading as queue_module
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.widgets.ticket_table import PENDING, TicketTable

KEEP = 200  # rows kept each side of the cursor in this test (the app keeps 1,500); more than the look-ahead


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_far_rows_are_dropped_and_come_back_when_scrolled_to(make_app, flavour: str, monkeypatch) -> None:
    monkeypatch.setattr(queue_module, "KEEP_ROWS", KEEP)
    app = make_app(flavour)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 20)
        queue = app.screen
        await pilot.press("A")  # every ticket
        await wait_for(pilot, lambda: queue.view_key == "all" and queue.rows)
        first = [t.id for t in queue.rows[:5] if t is not None]
        deadline = time.monotonic() + 60
        while not (queue.pager and queue.pager.exhausted and queue._loading_page is None):
            assert time.monotonic() < deadline, "the queue never finished paging"
            await pilot.press("G")
            await pilot.pause(0.05)
        total = len(queue.rows)
        assert total > 2 * KEEP + 100
        await pilot.press("G")
        table = queue.query_one(TicketTable)
        assert table.cursor_row == total - 1
        held = [i for i, t in enumerate(queue.rows) if t is not None]
        page = queue.service.page_size()
        assert len(held) <= KEEP + 2 * page  # the last KEEP rows and the pages they touch
        assert min(held) >= total - 1 - KEEP - page
        assert len(queue.pager.pages) <= (KEEP + 2 * page) // page + 1
        assert queue.rows[0] is None
        # Back to the top: the first rows are fetched again and are the same tickets.
        await pilot.press("g")
        await wait_for(pilot, lambda: all(t is not None for t in queue.rows[:40]))
        assert [t.id for t in queue.rows[:5] if t is not None] == first
        assert table.render_line(1).text.strip() != PENDING
        assert queue.highlighted() is not None and queue.highlighted().id == first[0]
        # The bottom rows went away in turn.
        assert queue.rows[-1] is None


async def test_clicks_sort_by_a_header_and_open_a_row(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(100, 40)) as pilot:  # wide enough for a Priority column, too narrow for a preview
        await queue_loaded(pilot)  # the table has stopped moving
        queue = app.screen
        table = queue.query_one(TicketTable)
        keys = [c.key for c in table.columns]
        x = sum(c.width for c in table.columns[: keys.index("priority")]) + 1  # inside the Priority header
        await pilot.click(table, offset=(x, 0))
        await wait_for(pilot, lambda: queue.sort == "priority" and bool(queue.rows) and queue._loading_page is None)
        ranks = [t.priority.rank for t in queue.rows[:20] if t is not None and t.priority is not None]
        assert len(ranks) == 20 and ranks == sorted(ranks, reverse=True)  # by update time they are not
        await pilot.click(table, offset=(20, 3))  # the third row: the cursor moves there
        assert table.cursor_row == 2
        wanted = queue.rows[2]
        await pilot.click(table, offset=(20, 3))  # again: it opens
        await wait_for(pilot, lambda: getattr(app.screen, "ticket_id", None) == wanted.id)


async def test_a_narrow_table_scrolls_sideways(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 5)
        table = app.screen.query_one(TicketTable)
        table.styles.width = 60  # narrower than its columns (as with the help panel open)
        await pilot.pause()
        first = table.render_line(1).text
        table.scroll_to(x=10, animate=False)
        await pilot.pause()
        assert table.render_line(1).text[:50] == first[10:60]
