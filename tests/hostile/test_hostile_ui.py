"""The app over hostile data: every cell is neutralised, and markup that looks like an action does nothing."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.conftest import FLAVOURS
from tests.hostile.conftest import hostile_ticket_ids
from tests.hostile.strings import CASE_BY_NAME, FORBIDDEN, assert_neutral
from tests.ui.conftest import wait_for
from tests.waits import QUIET
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen, comment_parts
from tui_desk.ui.widgets.ticket_table import TicketTable


def cell_texts(queue: QueueScreen) -> list[str]:
    table = queue.query_one(TicketTable)
    texts = [cell.plain for row in range(table.row_count) for cell in (table.cells_at(row) or {}).values()]
    return texts + [table.render_line(y).text for y in range(table.size.height)]  # and what is drawn


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_queue_cells_hold_no_raw_controls_and_markup_is_inert(hostile_app, flavour: str) -> None:
    app = hostile_app(flavour)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 30)
        queue = app.screen
        for text in cell_texts(queue):
            assert FORBIDDEN.search(text) is None, repr(text)
        ids = [t.id for t in queue.rows]
        row = ids.index(str(hostile_ticket_ids()["markup_click"]))
        queue.query_one(TicketTable).move_cursor(row)
        await pilot.pause()
        subject_cell = [c.plain for c in (queue.query_one(TicketTable).cells_at(row) or {}).values()]
        assert any(c.startswith("[@click=app.quit]x") for c in subject_cell)
        # Click where the "[@click=app.quit]x" text is drawn, then open it with enter: nothing quits.
        region = queue.query_one(TicketTable).region
        await pilot.click(offset=(region.x + 12, region.y + 1 + row - queue.query_one(TicketTable).scroll_y))
        await pilot.pause(QUIET)  # a bounded wait, not an await: the app must not quit
        assert app.is_running and app.return_code is None
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        ticket_screen = app.screen
        await wait_for(pilot, lambda: bool(ticket_screen.query_one(ThreadView).comments))
        header = ticket_screen.query_one("#ticket-header", Static)
        await pilot.click(header, offset=(8, 0))  # on the subject
        body = ticket_screen.query_one("#ticket-body", Static)
        await pilot.click(body, offset=(2, 0))
        thread = ticket_screen.query_one(ThreadView)
        await pilot.click(thread, offset=(3, thread.size.height - 2))  # in the last entry
        await pilot.pause(QUIET)  # a bounded wait, not an await: the app must not quit
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, TicketScreen)


@pytest.mark.parametrize("name", ["osc_clipboard", "ansi_clear", "html_script", "bidi_override", "invalid_utf8"])
async def test_ticket_detail_neutralises_each_string(hostile_app, name: str) -> None:
    app = hostile_app("jitbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        app.open_ticket(str(hostile_ticket_ids()[name]))
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query_one(ThreadView).comments))
        body = screen._body(screen.ticket)  # what #ticket-body shows
        plain = "\n".join(part.plain for part in body.renderables)  # type: ignore[attr-defined]
        assert_neutral(plain, CASE_BY_NAME[name], body=True)
        for comment in screen.query_one(ThreadView).comments or ():
            for part in comment_parts(comment):
                assert FORBIDDEN.search(part.plain.replace("\n", "")) is None


async def test_a_one_megabyte_body_opens_and_the_app_stays_responsive(hostile_app) -> None:
    app = hostile_app("helpdeskpro")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        big = next(t for t in app.simulator.dataset.tickets.values() if t.subject == "1 MB body")
        app.open_ticket(str(big.id))
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None, 30)
        screen = app.screen
        assert len(screen.ticket.body) > 900_000
        await pilot.press("G")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert app.is_running
