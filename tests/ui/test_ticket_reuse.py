"""The installed ticket screen is reused: each open shows the right ticket, from the top, and nothing leaks across."""

from __future__ import annotations

from textual.containers import VerticalScroll

from tests.conftest import TEST_POLICY
from tests.ui.conftest import wait_for
from tui_desk.models import CommentKind
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.compose_dialog import ComposeDialog
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import INSTALLED_NAME, ThreadView, TicketScreen, open_ticket_screen


async def shown(pilot, app: DeskApp, ticket_id: str) -> TicketScreen:
    """Wait until the ticket screen shows ``ticket_id`` with its thread."""
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, TicketScreen)
            and app.screen.ticket is not None
            and app.screen.ticket.id == ticket_id
            and app.screen.query_one(ThreadView).comments is not None
        ),
    )
    screen = app.screen
    assert isinstance(screen, TicketScreen)
    return screen


def bodies(app: DeskApp, ticket_id: str) -> list[str]:
    """The simulator's comment bodies of a ticket."""
    return [c.body for c in app.simulator.dataset.tickets[int(ticket_id)].comments]


async def test_open_back_open_another_reuses_one_screen_and_resets_it(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 3)
        queue = app.screen
        ids = [t.id for t in queue.rows]
        first, second = max(ids, key=lambda i: len(bodies(app, i))), ids[1]
        if second == first:
            second = ids[2]
        app.open_ticket(first, ids)
        screen = await shown(pilot, app, first)
        assert app.is_screen_installed(INSTALLED_NAME) and app.get_screen(INSTALLED_NAME) is screen
        assert len(screen.query_one(ThreadView).comments or ()) == len(bodies(app, first))
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        app.open_ticket(second, ids)
        again = await shown(pilot, app, second)
        assert again is screen  # the same screen, its content swapped
        thread = again.query_one(ThreadView)
        assert thread.ticket_id == second
        assert [c.body for c in thread.comments or ()] == bodies(app, second)
        assert again.query_one("#ticket-scroll", VerticalScroll).scroll_y == 0
        assert again.focused is again.query_one("#ticket-scroll")
        assert again.queue_ids == ids
        await pilot.press("right_square_bracket")  # [ and ] walk the new queue order
        await wait_for(pilot, lambda: again.ticket is not None and again.ticket.id == ids[ids.index(second) + 1])


async def test_a_late_reply_result_does_not_land_on_another_ticket(make_app, monkeypatch) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 2)
        ids = [t.id for t in app.screen.rows]
        caught = []
        monkeypatch.setattr(
            "tui_desk.ui.flows.compose.start_compose", lambda *args, on_sent, **_: caught.append(on_sent)
        )
        app.open_ticket(ids[0], ids)
        screen = await shown(pilot, app, ids[0])
        await pilot.press("r")
        assert caught
        await pilot.press("escape")
        app.open_ticket(ids[1], ids)
        await shown(pilot, app, ids[1])
        first_thread = await app.service.thread(ids[0])
        await caught[0](first_thread)  # the send on the first ticket finishes now
        thread = screen.query_one(ThreadView)
        assert thread.ticket_id == ids[1]
        assert [c.body for c in thread.comments or ()] == bodies(app, ids[1])


async def test_drafts_stay_with_their_ticket_across_reuse(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 2)
        app.service.backend.http.policy = TEST_POLICY
        ids = [t.id for t in app.screen.rows]
        app.open_ticket(ids[0], ids)
        await shown(pilot, app, ids[0])
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        dialog = app.screen
        dialog.text_area.insert("draft for the first ticket")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert app.drafts.get(ids[0], CommentKind.REPLY) == "draft for the first ticket"
        await pilot.press("escape")
        app.open_ticket(ids[1], ids)
        await shown(pilot, app, ids[1])
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        assert app.screen.ticket.id == ids[1] and app.screen.text == ""
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.press("escape")
        app.open_ticket(ids[0], ids)
        await shown(pilot, app, ids[0])
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeDialog))
        assert app.screen.ticket.id == ids[0] and app.screen.text == "draft for the first ticket"
        assert app.drafts.get(ids[1], CommentKind.REPLY) == ""


async def test_a_ticket_opened_above_the_installed_screen_gets_its_own(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) > 2)
        ids = [t.id for t in app.screen.rows]
        app.open_ticket(ids[0], ids)
        below = await shown(pilot, app, ids[0])
        open_ticket_screen(app, app.service, ids[1])  # e.g. from user lookup pushed over this ticket
        above = await shown(pilot, app, ids[1])
        assert above is not below and not app.is_screen_installed(above)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is below)
        assert below.ticket is not None and below.ticket.id == ids[0]
        assert below.query_one(ThreadView).ticket_id == ids[0]
