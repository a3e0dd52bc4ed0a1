"""A page load that fails while the app closes (its screen already torn down) ends quietly, not in a crash report."""

from __future__ import annotations

import asyncio

import pytest
from textual.worker import WorkerFailed

from tests.ui.conftest import queue_loaded
from tui_desk.errors import Unavailable
from tui_desk.ui.screens.queue import QueueScreen


async def loaded_queue(pilot) -> QueueScreen:  # type: ignore[no-untyped-def]
    """The queue once its rows are in."""
    await queue_loaded(pilot)
    queue = pilot.app.screen
    assert isinstance(queue, QueueScreen)
    return queue


async def test_a_load_failing_after_the_screen_is_torn_down_is_not_a_crash(make_app) -> None:  # type: ignore[no-untyped-def]
    # Seen under load in CI: at exit the service closes its connections, the page load in flight fails, and the
    # queue went to show the error on a state line that was already removed (NoMatches -> crash report).
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await loaded_queue(pilot)
        await queue.query_one("#queue-state").remove()
        queue._failed(Unavailable("connection closed"))
        queue.load_state.ready()  # what a page arriving late does: nothing to show it on, and no crash
        queue._update_title()
        await pilot.pause()
        assert app.is_running
        assert queue._retry_timer is None  # nothing scheduled for a screen that is gone


async def test_a_worker_finding_its_widgets_removed_during_shutdown_ends_quietly(make_app) -> None:  # type: ignore[no-untyped-def]
    # CI: at exit, a page arrived between the removal of the title bar and the cancelling of the queue's workers, and
    # ``_update_title`` raised NoMatches('#queue-position') in the worker, which ended in a crash report.
    app = make_app("happyfox")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await loaded_queue(pilot)
        gate = asyncio.Event()
        finished = asyncio.Event()

        async def late_page() -> None:
            await gate.wait()
            try:
                queue._shown_position = "stale"  # forces the position bar to be touched
                queue._update_title()
            finally:
                finished.set()

        queue.run_worker(late_page(), group="late-page")
        await queue.query_one("#queue-position").remove()
        app._running = False  # what App._shutdown does first
        gate.set()
        await finished.wait()
        await pilot.pause()
        app._running = True
        assert app._exception is None  # not a crash: nothing left to show it on
        assert app.return_code in (None, 0)


async def test_the_same_error_while_running_is_still_a_crash(make_app) -> None:  # type: ignore[no-untyped-def]
    # The shutdown net must not hide real defects: a missing widget while the app runs still ends in a crash report.
    app = make_app("happyfox")
    with pytest.raises(WorkerFailed):
        async with app.run_test(size=(80, 24)) as pilot:
            queue = await loaded_queue(pilot)

            async def broken() -> None:
                queue.query_one("#no-such-widget")

            queue.run_worker(broken(), group="broken")
            await pilot.pause()
    assert app.return_code == 1
