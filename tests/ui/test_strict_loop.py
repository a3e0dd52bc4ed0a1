"""The whole loop at 80x24 on a stock-Laravel HelpDesk Pro: no statuses, priorities or categories routes, PUT only,
filters ignored. Queue (Open and All), jump to a ticket that is not loaded, thread, reply, note, status change."""

from __future__ import annotations

from textual.widgets import Static

from tests.ui.conftest import wait_for
from tests.ui.test_compose import comments
from tests.ui.test_write_truth_ui import send_from_composer, toast
from tui_desk.errors import FeatureUnavailable
from tui_desk.services.results import NOTES_UNCONFIRMED
from tui_desk.services.views import VIEWS, QueueFilter, build_query
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.queue import QueueScreen
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

SIZE = (80, 24)


def title(app) -> str:
    """The queue's title line as plain text."""
    return str(app.screen.query_one("#queue-title", Static).render())


async def test_the_whole_loop_works_on_a_stock_laravel_server(make_app) -> None:
    app = make_app("helpdeskpro")
    sim = app.simulator
    sim.make_strict()
    data = sim.dataset
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 10, 15)
        queue = app.screen
        assert "filtered here" in title(app)
        rows = [t for t in queue.rows if t is not None]
        assert rows and all(t.status is not None and not t.status.closed for t in rows)  # Open means open
        assert "loading" not in queue._position()

        await pilot.press("A")  # All
        await wait_for(pilot, lambda: any(t is not None and t.status and t.status.closed for t in queue.rows), 15)

        # A ticket far down the list: its uid is not loaded, and its id is not its number.
        loaded = {t.number for t in queue.rows if t is not None}
        target = next(t for t in data.ticket_list()[200:] if str(100000 + t.id) not in loaded)
        await pilot.press("colon")
        await pilot.press(*str(100000 + target.id), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None, 15)
        screen = app.screen
        assert screen.ticket.id == str(target.id)
        await wait_for(pilot, lambda: screen.query_one(ThreadView).comments is not None)  # loaded (maybe empty)

        before = len(comments(app, str(target.id)))
        await send_from_composer(pilot, app, "r", "Please restart the access point.")
        await pilot.press("y")
        assert await toast(pilot, "Reply sent to")

        confirm = await send_from_composer(pilot, app, "n", "Firmware is old; replace next week.")
        assert NOTES_UNCONFIRMED in confirm.detail  # the note is not known to stay internal here
        await pilot.press("y")
        assert await toast(pilot, "Internal note added")
        kinds = [c.kind for c in comments(app, str(target.id))[before:]]
        assert kinds == ["reply", "note"]

        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, Picker))
        await pilot.pause()
        wanted, label = ("hold", "On hold") if target.status != "hold" else ("open", "In progress")
        await pilot.press(*label.lower())
        await pilot.press("enter")
        assert await toast(pilot, "Status set to")
        assert data.tickets[target.id].status == wanted  # PATCH answered 405: sent once more as PUT


async def test_waiting_view_without_waiting_statuses_says_so(make_app) -> None:
    app = make_app("jitbit")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.rows)
        profile = app.service.backend.profile
        app.service.backend.profile = profile.model_copy(update={"waiting_statuses": []})
        app.service.cache.invalidate("statuses")
        try:
            await build_query(app.service, VIEWS["waiting"], QueueFilter(), None, "updated", True)
        except FeatureUnavailable as exc:
            assert "waiting" in exc.user_message()
        else:
            raise AssertionError("the Waiting view listed every open ticket without saying why")
