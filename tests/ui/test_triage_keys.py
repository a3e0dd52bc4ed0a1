"""Triage in fewer keys: r/n with marks ask first, "me" in the assignee picker, and C closes and opens the next."""

from __future__ import annotations

import pytest

from tests.conftest import FLAVOURS
from tests.ui.conftest import wait_for
from tests.ui.test_triage import open_picker, open_queue, triage_idle
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import TicketScreen
from tui_desk.ui.widgets.ticket_table import TicketTable

SIZES = [(80, 24), (120, 40)]


def messages(app) -> list[str]:
    """The texts of the notifications shown so far."""
    return [str(n.message) for n in app._notifications]


async def open_detail(pilot, queue: QueueScreen, row: int) -> TicketScreen:
    app = pilot.app
    queue.query_one(TicketTable).move_cursor(row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
    return app.screen


async def every_row_shown(pilot, queue: QueueScreen) -> int:
    """Move to the last row until the whole queue is shown (the cursor near the end shows and asks for more)."""
    table = queue.query_one(TicketTable)
    for _ in range(50):
        await wait_for(pilot, lambda: queue._loading_page is None and not queue.pager.busy)
        last = len([t for t in queue.rows if t is not None]) - 1
        if queue.pager.exhausted and len(queue._page_starts) >= (queue.pager.last_page or 0):
            return last
        table.move_cursor(last)
        await pilot.pause()
    raise AssertionError("the queue never showed its last page")


# -- r / n with rows marked -----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_reply_with_rows_marked_asks_first(make_app, size: tuple[int, int]) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=size) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("space", "space")  # marks rows 0 and 1; the cursor is on row 2
        first, second, cursor = queue.rows[0], queue.rows[1], queue.rows[2]
        assert queue.highlighted() is cursor
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.question == f"2 marked (#{first.number}, #{second.number}): reply to #{cursor.number} only?"
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is queue)
        await pilot.pause()
        assert app.screen is queue  # no composer
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        assert app.screen.ticket.id == cursor.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        assert queue.marked == {first.id, second.id}  # asking changed no mark


async def test_note_with_rows_marked_asks_with_the_same_words(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("space", "space")
        first, second, cursor = queue.rows[0], queue.rows[1], queue.rows[2]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        expected = f"2 marked (#{first.number}, #{second.number}): add a note to #{cursor.number} only?"
        assert app.screen.question == expected
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)


async def test_reply_with_only_the_cursor_row_marked_does_not_ask(make_app) -> None:
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        await pilot.press("space", "k")  # the cursor row is the only one marked
        assert queue.marked == {queue.highlighted().id}
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        await pilot.press("escape")


# -- "me" in the assignee picker ------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("typed", ["me", "myself"])
async def test_me_finds_the_signed_in_agent(make_app, flavour: str, typed: str) -> None:
    app = make_app(flavour)
    async with app.run_test(size=(120, 40) if typed == "me" else (80, 24)) as pilot:
        queue = await open_queue(pilot)
        await wait_for(pilot, lambda: app.service.identity is not None)
        me = app.service.identity.agent
        ticket = next(t for t in queue.rows if t is not None and (t.assignee is None or t.assignee.id != me.id))
        queue.query_one(TicketTable).move_cursor(queue.rows.index(ticket))
        picker = await open_picker(pilot, "a")
        await pilot.press(*typed)
        assert picker.highlighted_choice() is not None and picker.highlighted_choice().id == me.id
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is queue and triage_idle(app))
        assert app.simulator.dataset.tickets[int(ticket.id)].assignee_id == int(me.id)
        assert any(f"Assigned #{ticket.number} to {me.name}" in m for m in messages(app))


async def test_me_waits_for_a_sign_in_still_under_way(make_app) -> None:
    app = make_app("jitbit")
    app.simulator.faults.route_faults["POST /Authorization"] = "late"  # who am I: answered 1.5 s late
    app.simulator.faults.route_hang = 1.5
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        assert app.service.identity is None  # the queue is up before the sign-in answered
        picker = await open_picker(pilot, "a")
        me = app.service.identity.agent
        await pilot.press(*"me")
        assert [c.id for c in picker.shown][:1] == [me.id]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)


async def test_me_says_why_when_you_cannot_be_assigned(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        await wait_for(pilot, lambda: app.service.identity is not None)
        me = app.service.identity.agent
        category = app.simulator.dataset.tickets[int(queue.highlighted().id)].category_id
        app.simulator.category_techs[category].discard(int(me.id))  # not a technician of this category
        picker = await open_picker(pilot, "a")
        assert all(c.id != me.id for c in picker.choices)
        await pilot.press(*"me")
        assert picker.shown == []
        prompt = str(picker.query_one("#picker-options").get_option_at_index(0).prompt)
        assert f"You ({me.name}) cannot be assigned here" in prompt
        await pilot.press("escape")


# -- close and next -------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_close_and_next(make_app, flavour: str, size: tuple[int, int]) -> None:
    app = make_app(flavour)
    async with app.run_test(size=size) as pilot:
        queue = await open_queue(pilot)
        detail = await open_detail(pilot, queue, 1)
        closing, following = queue.rows[1], queue.rows[2]
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.question == f"Close ticket #{closing.number}?"  # the same confirmation as c
        assert "Then: the next ticket of the queue." in app.screen.detail
        await pilot.press("n")  # no: nothing sent, and the ticket stays
        await wait_for(pilot, lambda: app.screen is detail and triage_idle(app))
        assert detail.ticket_id == closing.id
        assert app.simulator.dataset.tickets[int(closing.id)].status != "closed"
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: detail.ticket_id == following.id and detail.ticket is not None)
        assert app.simulator.dataset.tickets[int(closing.id)].status == "closed"
        assert detail.ticket.id == following.id
        assert any(f"Closed #{closing.number}" in m for m in messages(app))
        await wait_for(pilot, lambda: queue.rows[1].status.closed)  # the queue row follows


async def test_close_and_next_on_the_last_ticket_stays(make_app) -> None:
    app = make_app("helpdeskpro")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        last = await every_row_shown(pilot, queue)
        detail = await open_detail(pilot, queue, last)
        ticket_id = detail.ticket_id
        assert detail.queue_ids[-1] == ticket_id
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "This is the last ticket of the queue." in app.screen.detail
        await pilot.press("y")
        await wait_for(pilot, lambda: any("last ticket of the queue; staying here" in m for m in messages(app)))
        assert app.simulator.dataset.tickets[int(ticket_id)].status == "closed"
        assert app.screen is detail and detail.ticket_id == ticket_id


async def test_close_and_next_on_a_closed_ticket_moves_on_without_sending(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await open_queue(pilot)
        detail = await open_detail(pilot, queue, 0)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: detail.ticket.status.closed and triage_idle(app))
        writes = sum(method != "GET" for method, _path in app.simulator.log)
        await pilot.press("C")
        await wait_for(pilot, lambda: detail.ticket_id == queue.rows[1].id)
        assert any("already closed; nothing sent" in m for m in messages(app))
        assert sum(method != "GET" for method, _path in app.simulator.log) == writes
