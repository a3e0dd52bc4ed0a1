"""The queue table: filter banner labels, columns per width and profile, sort by any column, draft markers."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Select, SelectionList, Static

from tests.conftest import FLAVOURS, fresh_dataset
from tests.ui.conftest import queue_loaded, steady, wait_for
from tui_desk.models import CommentKind, TicketSummary
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.services.sorting import sort_tickets
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.filter_dialog import HINT, FilterDialog
from tui_desk.ui.dialogs.sort_picker import SortPicker
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.widgets.preview_pane import PreviewPane
from tui_desk.ui.widgets.queue_layout import MARKERS
from tui_desk.ui.widgets.ticket_table import TableColumn, TicketTable

SIZES = [(80, 24), (120, 40)]
size_id = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def title(app) -> str:
    """The queue's title line as plain text."""
    return str(app.screen.query_one("#queue-title", Static).render())


def header(queue: QueueScreen) -> str:
    return queue.query_one(TicketTable).render_line(0).text


def label(queue: QueueScreen, key: str) -> str:
    """The header of column ``key`` as drawn (with ▲/▼ when sorted by it)."""
    table = queue.query_one(TicketTable)
    column = next(c for c in table.columns if c.key == key)
    drawn = table.header_label(column).plain
    assert drawn in header(queue)
    return drawn


def loaded(queue: QueueScreen) -> list[TicketSummary]:
    return [t for t in queue.rows if t is not None]


async def settled(pilot, queue: QueueScreen) -> None:
    """Every page the listing wants is in and nothing is loading."""
    await wait_for(pilot, lambda: bool(queue.rows) and queue._loading_page is None and queue.pager is not None)
    await wait_for(pilot, lambda: not queue.sort_here or queue.pager.exhausted or len(queue.rows) >= 1000)
    await wait_for(pilot, lambda: queue._loading_page is None)
    await pilot.pause()


async def preview_settled(pilot, queue: QueueScreen) -> None:
    """The preview pane (on wide terminals) shows the cursor's ticket in full."""
    pane = queue.query_one(PreviewPane)
    if pane.display:
        current = queue.highlighted()
        await wait_for(pilot, lambda: pane.ticket_id == (current and current.id) and pane.complete)
    await pilot.pause()


# -- the filter dialog ---------------------------------------------------------------------------------------


async def open_filters(pilot) -> FilterDialog:
    await queue_loaded(pilot)
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FilterDialog))
    dialog = pilot.app.screen
    await wait_for(pilot, lambda: {"filter-status", "filter-priority", "agents"} <= dialog._loaded)
    await wait_for(pilot, lambda: isinstance(dialog.focused, SelectionList))
    await pilot.pause()
    return dialog


@pytest.mark.parametrize("flavour", ["happyfox", "helpdeskpro"])
async def test_the_filter_banner_names_the_chosen_status_not_the_agent_with_its_id(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_filters(pilot)
        service = app.screen.service
        lists = await service.reference_lists()
        new = next(s for s in lists.statuses if s.name == "New")
        assert any(a.id == new.id for a in lists.agents)  # the collision that named "Alice Abbott"
        dialog.query_one("#filter-status", SelectionList).select(new.id)
        priorities = dialog.query_one("#filter-priority", SelectionList)
        for p in lists.priorities:
            if p.name in ("Critical", "High"):
                priorities.select(p.id)
        dialog.query_one("#filter-assignee", Select).value = "unassigned"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(pilot, lambda: "filtered:" in title(app))
        assert "filtered: New, Critical, High, @unassigned" in title(app)
        assert "Alice" not in title(app)


async def test_the_first_space_ticks_the_first_status_and_boxes_read_without_colour(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_filters(pilot)
        statuses = dialog.focused
        assert isinstance(statuses, SelectionList) and statuses.highlighted == 0
        first = statuses.get_option_at_index(0)
        await pilot.press("space")
        assert statuses.selected == [first.value]
        assert statuses.render_line(0).text.startswith("[x] ")
        assert statuses.render_line(1).text.startswith("[ ] ")
        assert dialog.query_one(".hint", Static).size.width >= len(HINT)  # the hint is not cut at 80 columns


# -- columns -------------------------------------------------------------------------------------------------


async def test_at_80_columns_the_subject_is_wide_and_headers_keep_a_gap(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        table = queue.query_one(TicketTable)
        subject = next(c for c in table.columns if c.key == "subject")
        assert subject.width - 1 >= 30  # was 20 beside HappyFox's 10-character numbers (23 on Jitbit)
        line = header(queue)
        assert "AssigneeUpd" not in line and re.search(r"Assignee +Upd", line)
        x = 0
        for column in table.columns:  # a blank cell ends every header, even a cut one
            x += column.width
            assert line[x - 1] == " ", (column.key, line)
        cut = table.header_label(TableColumn("assignee", "Assignee", 6))  # a header cut short keeps its gap too
        assert cut.plain == "Assi…" and cut.cell_len == 5


async def test_profile_columns_order_and_size_the_table() -> None:
    sim = simulator_class("jitbit")(fresh_dataset())
    with SimServer(sim) as server:
        profile = demo_profile("jitbit", server.base_url).model_copy(
            update={"columns": ["due", "subject", "assignee:12", "category"]}
        )
        app = DeskApp.for_profile("test-columns", profile)
        app.clock = lambda: REFERENCE_NOW
        async with app.run_test(size=(120, 40)) as pilot:
            await queue_loaded(pilot)
            table = app.screen.query_one(TicketTable)
            assert [c.key for c in table.columns] == ["mark", "due", "subject", "assignee", "category"]
            assert next(c for c in table.columns if c.key == "assignee").width == 13
            assert header(app.screen).split()[:2] == ["Due", "Subject"]
            cells = table.cells_at(0)
            assert cells is not None and cells["category"].plain  # the category column is filled


# -- sorting -------------------------------------------------------------------------------------------------


async def test_jitbit_reverse_sorts_the_loaded_rows_here_and_says_so(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        assert "server order" in title(app) and "▲" not in header(queue) and "▼" not in header(queue)
        await pilot.press("D")
        await settled(pilot, queue)
        rows = loaded(queue)
        assert [t.id for t in rows] == [t.id for t in sort_tickets(rows, "updated", descending=False)]
        assert rows[0].updated_at < rows[-1].updated_at  # oldest first: the order really changed
        assert f"sorted here: updated ▲ ({len(rows):,} rows)" in title(app)
        assert "Upd▲" in header(queue)
        assert "sort: updated ↑" not in title(app)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_sort_by_due_from_the_picker_on_every_backend(make_app, flavour: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, SortPicker))
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen is queue and queue.sort == "due")
        await settled(pilot, queue)
        rows = loaded(queue)
        dues = [t.due_at for t in rows if t.due_at is not None]
        assert len(dues) > 10 and dues == sorted(dues)  # soonest (most overdue) first
        assert all(t.due_at is None for t in rows[len(dues) :])  # tickets without a due date last
        assert queue.pager.exhausted and "sorted here: due ▲" in title(app)
        assert label(queue, "due") == "Due▲"


async def test_a_server_sort_is_shown_on_its_header_and_not_sorted_here(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        assert label(queue, "updated").endswith("▼")  # the server's default order, shown
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, SortPicker))
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen is queue and queue.sort == "priority")
        await settled(pilot, queue)
        assert not queue.sort_here and "sort: priority ▼" in title(app)
        assert queue.query_one(TicketTable).sort == ("priority", True)
        ranks = [t.priority.rank for t in loaded(queue)[:40] if t.priority is not None]
        assert ranks == sorted(ranks, reverse=True)
        await pilot.press("D")
        await settled(pilot, queue)
        assert "sort: priority ▲" in title(app) and queue.query_one(TicketTable).sort == ("priority", False)


async def test_a_sort_the_server_turns_out_to_ignore_is_done_here_not_claimed(make_app) -> None:
    app = make_app("helpdeskpro")
    app.simulator.ignored_params = {"sort"}
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        await pilot.press("S", "c")
        await wait_for(pilot, lambda: queue.sort == "created" and "sort" in app.service.backend.limitations)
        await settled(pilot, queue)
        rows = loaded(queue)
        assert queue.sort_here and "sorted here: created ▼" in title(app) and "sort: created" not in title(app)
        created = [t.created_at for t in rows if t.created_at is not None]
        assert len(created) > 50 and created == sorted(created, reverse=True)


async def test_happyfox_under_q_sorts_here_instead_of_claiming_a_page_by_page_order(make_app) -> None:
    """KB1039 "Sorting": with ``q`` (the Mine view's assignee term) HappyFox ignores ``sort``."""
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        await pilot.press("m")  # Mine: sent as q=assignee:<e-mail>
        await wait_for(pilot, lambda: queue.view_key == "mine" and bool(queue.rows))
        await pilot.press("S", "p")
        await wait_for(pilot, lambda: queue.sort == "priority")
        await settled(pilot, queue)
        rows = loaded(queue)
        assert queue.sort_here and "sorted here: priority ▼" in title(app) and "sort: priority" not in title(app)
        ranks = [t.priority.rank for t in rows if t.priority is not None]
        assert len(ranks) > 20
        assert ranks == sorted(ranks, reverse=True)


async def test_clicking_the_due_header_sorts_by_due_and_again_reverses(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        table = queue.query_one(TicketTable)
        x = sum(c.width for c in table.columns[:-1]) + 1  # inside the last header, Due
        await pilot.click(table, offset=(x, 0))
        await wait_for(pilot, lambda: queue.sort == "due")
        await settled(pilot, queue)
        assert not queue.descending and "Due▲" in header(queue)
        await pilot.click(table, offset=(x, 0))
        await wait_for(pilot, lambda: queue.descending)
        await settled(pilot, queue)
        dues = [t.due_at for t in loaded(queue) if t.due_at is not None]
        assert dues == sorted(dues, reverse=True) and "Due▼" in header(queue)


# -- draft markers -------------------------------------------------------------------------------------------


async def test_a_row_with_an_unsent_draft_shows_the_marker_until_the_draft_goes(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        table = queue.query_one(TicketTable)
        ticket = queue.rows[2]
        assert table.render_line(3).text[0] != MARKERS["draft"]
        app.drafts.put(ticket.id, CommentKind.REPLY, "Dear customer,", ticket.number)
        queue._rerender_rows()  # what the drafts list does after a change
        await pilot.pause()
        assert table.render_line(3).text[0] == MARKERS["draft"]
        app.drafts.discard(ticket.id, CommentKind.REPLY)
        await pilot.press("S")  # any screen over the queue: the rows are drawn again when it resumes
        await wait_for(pilot, lambda: isinstance(app.screen, SortPicker))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        await pilot.pause()
        assert table.render_line(3).text[0] != MARKERS["draft"]


# -- snapshots -----------------------------------------------------------------------------------------------


@size_id
def test_snapshot_queue_sorted_here_by_due(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        queue = pilot.app.screen
        await pilot.press("S", "d")
        await wait_for(pilot, lambda: queue.sort == "due")
        await settled(pilot, queue)
        await preview_settled(pilot, queue)
        steady(pilot.app)

    assert snap_compare(make_app("jitbit"), terminal_size=size, run_before=run_before)


@size_id
def test_snapshot_sort_picker(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SortPicker))
        await pilot.pause()

    assert snap_compare(make_app("happyfox"), terminal_size=size, run_before=run_before)


@size_id
def test_snapshot_filter_dialog_with_ticks(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await open_filters(pilot)
        await pilot.press("space", "down", "down")
        await pilot.pause()

    assert snap_compare(make_app("helpdeskpro"), terminal_size=size, run_before=run_before)
