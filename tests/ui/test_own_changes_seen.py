"""The agent's own change to a ticket does not mark its row "updated since you looked" (pilot over a simulator)."""

from __future__ import annotations

from tests.ui.conftest import queue_loaded, wait_for
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.queue_layout import MARKERS


async def test_a_status_set_here_leaves_no_updated_marker(make_app) -> None:
    first = make_app("jitbit")  # a first session: what was seen is remembered from here on
    async with first.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(first.screen, TicketScreen))
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await pilot.press("j")
        row = queue.rows[1]
        assert row is not None and not queue.seen.is_unseen(row)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
        await pilot.pause()
        await pilot.press(*"hold")
        await pilot.press("enter")
        await wait_for(pilot, lambda: queue.rows[1] is not None and queue.rows[1].status.name == "On hold")
        changed = queue.rows[1]
        assert changed.updated_at != row.updated_at  # the server stamped the change
        mark = str(queue._row_cells(1)[0])
        assert MARKERS["unseen"] not in mark
