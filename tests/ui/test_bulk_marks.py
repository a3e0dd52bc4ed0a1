"""Marks that stay until cleared: across bulk actions, refreshes and view switches; M, I, U and escape."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.conftest import FLAVOURS
from tests.ui.conftest import wait_for
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.flows.triage import WORKER_GROUP
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.widgets.ticket_table import TicketTable

SIZES = [(80, 24), (120, 40)]


def title(queue: QueueScreen) -> str:
    """The queue's title bar as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(queue.query_one("#queue-title", Static).content)
    return " ".join(console.export_text().split())


def mark_cell(queue: QueueScreen, ticket_id: str) -> str:
    """The mark cell of a ticket's row."""
    index = next(i for i, t in enumerate(queue.rows) if t is not None and t.id == ticket_id)
    cells = queue.query_one(TicketTable).cells_at(index)
    assert cells is not None
    return cells["mark"].plain


def triage_idle(app) -> bool:
    """No triage worker is running."""
    return not any(w.group == WORKER_GROUP and not w.is_finished for w in app.workers)


async def open_queue(pilot) -> QueueScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 10)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    return app.screen


async def pick(pilot, key: str, typed: str) -> Picker:
    """Open the picker with ``key``, type ``typed`` and pick the first match; returns the picker."""
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
    await pilot.pause()
    picker = app.screen
    await pilot.press(*typed, "enter")
    await wait_for(pilot, lambda: app.screen is not picker)
    await wait_for(pilot, lambda: triage_idle(app))
    return picker


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_marks_survive_a_bulk_status_change(make_app, flavour: str, size: tuple[int, int]) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("space", "space", "space")
        ids = [t.id for t in queue.rows[:3]]
        assert "3 marked" in title(queue)
        await pick(pilot, "s", "hold")
        await wait_for(pilot, lambda: app.screen is queue)
        data = app.simulator.dataset.tickets
        assert all(data[int(i)].status == "hold" for i in ids)  # on the server
        await wait_for(pilot, lambda: all(t.status.name == "On hold" for t in queue.rows[:3]))
        assert queue.marked == set(ids)  # and still marked on screen
        assert all("●" in mark_cell(queue, i) for i in ids)
        assert "3 marked" in title(queue)
        # The next bulk action goes to the same three.
        picker = await pick(pilot, "p", "low")
        assert picker.title_text == "Set priority of 3 tickets"
        await wait_for(pilot, lambda: app.screen is queue)
        await wait_for(pilot, lambda: all(t.priority.name == "Low" for t in queue.rows[:3]))
        assert queue.marked == set(ids)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_mark_all_invert_and_clear(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        queue = await open_queue(pilot)
        await wait_for(pilot, lambda: queue._loading_page is None)  # the look-ahead pages are in

        def loaded() -> set[str]:
            return {t.id for t in queue.rows if t is not None}

        first = queue.rows[0].id
        await pilot.press("space")  # mark the first row
        await pilot.press("I")
        assert queue.marked == loaded() - {first}
        assert "●" not in mark_cell(queue, first) and "●" in mark_cell(queue, queue.rows[1].id)
        assert f"{len(loaded()) - 1} marked" in title(queue)
        await pilot.press("M")
        assert queue.marked == loaded()
        assert f"{len(loaded())} marked" in title(queue)
        assert any(f"Marked {len(loaded())} loaded tickets" in str(n.message) for n in app._notifications)
        await pilot.press("U")
        assert queue.marked == set()
        assert "marked" not in title(queue)
        await pilot.press("M", "escape")  # escape still clears marks
        assert queue.marked == set()


async def test_marks_survive_a_refresh_and_a_view_switch(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("space", "space")
        ids = [t.id for t in queue.rows[:2]]
        await pilot.press("R")
        await wait_for(pilot, lambda: not queue._replacing and not queue.query_one("StatusLine").busy)
        assert queue.marked == set(ids)
        assert "2 marked" in title(queue)
        await pilot.press("x")  # the closed view: the marked open tickets are not in it
        await wait_for(pilot, lambda: queue.rows and all(t is None or t.status.closed for t in queue.rows))
        await wait_for(pilot, lambda: not queue.query_one("StatusLine").busy)
        assert queue.marked == set(ids)
        assert "2 marked (2 not shown)" in title(queue)
        # They are still the targets of a bulk action (named in the picker), and U clears them.
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
        assert app.screen.title_text == "Set status of 2 tickets"
        numbers = [queue.marked_rows[i].number for i in ids]
        assert all(f"#{n}" in app.screen.subtitle for n in numbers)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        await pilot.press("U")
        assert queue.marked == set() and "marked" not in title(queue)


def test_space_says_mark_and_next() -> None:
    bindings = {b.id: b for b in QueueScreen.BINDINGS}
    assert bindings["queue.mark"].key == "space" and bindings["queue.mark"].description == "Mark+next"
    assert bindings["queue.mark_all"].key == "M"
    assert bindings["queue.invert_marks"].key == "I"
    assert bindings["queue.clear_marks"].key == "U"
