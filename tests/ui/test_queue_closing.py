"""A page load that fails while the app closes (its screen already torn down) ends quietly, not in a crash report."""

from __future__ import annotations

from tests.ui.conftest import queue_loaded
from tui_desk.errors import Unavailable
from tui_desk.ui.screens.queue import QueueScreen


async def test_a_load_failing_after_the_screen_is_torn_down_is_not_a_crash(make_app) -> None:  # type: ignore[no-untyped-def]
    # Seen under load in CI: at exit the service closes its connections, the page load in flight fails, and the
    # queue went to show the error on a state line that was already removed (NoMatches -> crash report).
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_loaded(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await queue.query_one("#queue-state").remove()
        queue._failed(Unavailable("connection closed"))
        queue.load_state.ready()  # what a page arriving late does: nothing to show it on, and no crash
        queue._update_title()
        await pilot.pause()
        assert app.is_running
        assert queue._retry_timer is None  # nothing scheduled for a screen that is gone
