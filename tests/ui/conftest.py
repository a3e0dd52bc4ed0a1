"""UI fixtures: the app over a simulator served on loopback, with a fixed clock and timezone."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fresh_dataset
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp

os.environ["TZ"] = "UTC"
time.tzset()


# ``wait_for`` looks again every POLL seconds. It does not use ``pilot.pause``: each pause sends a message to every
# widget on the screen and paints a frame, and polling with it took about a fifth of the UI tests' CPU.
POLL = 0.02


@pytest.fixture
def make_app() -> Iterator[Callable[[str], DeskApp]]:
    """Build a DeskApp over a fresh simulator of a flavour; servers stop after the test."""
    servers: list[SimServer] = []

    def build(flavour: str) -> DeskApp:
        sim = simulator_class(flavour)(fresh_dataset())
        server = SimServer(sim).start()
        servers.append(server)
        app = DeskApp.for_profile(f"test-{flavour}", demo_profile(flavour, server.base_url))
        app.clock = lambda: REFERENCE_NOW
        app.simulator = sim  # type: ignore[attr-defined]
        return app

    yield build
    for server in servers:
        server.stop()


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """pytest-textual-snapshot's ``snap_compare``, taking its picture only once the screen has painted what changed.

    Tests paint once a second (tests/textual_frames.py), so a widget mounted just before the picture (a key
    bar rebuilt for new bindings) may not have been laid out yet: the picture would show it blank.
    """

    def compare(app: DeskApp, *, terminal_size: tuple[int, int] = (80, 24), run_before=None) -> bool:  # type: ignore[no-untyped-def]
        async def then_painted(pilot) -> None:  # type: ignore[no-untyped-def]
            if run_before is not None:
                await run_before(pilot)
            await painted(pilot)

        return snap_compare(app, terminal_size=terminal_size, run_before=then_painted)

    return compare


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``predicate()`` holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await asyncio.sleep(POLL)


def palette_settled(app) -> bool:
    """The open command palette has gathered every command for what was typed, and shows some."""
    from textual.command import CommandList

    palette = app.screen
    gathering = any(w.node is palette and not w.is_finished for w in app.workers)
    return not gathering and palette.has_class("-ready") and palette.query_one(CommandList).option_count > 0


def steady(app) -> None:
    """No blinking cursors, so a snapshot does not depend on timing."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


async def queue_loaded(pilot) -> None:
    """The queue shows at least 20 rows and nothing is loading."""
    from tui_desk.ui.screens.queue import QueueScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and len(app.screen.rows) >= 20)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    await preview_settled(pilot)
    await pilot.pause()
    await refreshed(pilot, app.screen)  # what the start-up does after its first frame (the saved drafts word) is done


async def refreshed(pilot, widget) -> None:
    """Let the app lay out and paint what changed on ``widget``'s screen (Textual's ``call_after_refresh``)."""
    done = asyncio.Event()
    widget.call_after_refresh(done.set)
    await wait_for(pilot, done.is_set)


async def painted(pilot) -> None:
    """Let the screen lay out and paint everything pending; twice, as a paint can mount or resize more."""
    for _ in range(2):
        await pilot.pause()
        await refreshed(pilot, pilot.app.screen)


async def preview_settled(pilot) -> None:
    """On wide terminals: the cursor's ticket is shown in full in the preview, and laid out.

    Snapshots do not race it, and a dialog opened next covers a finished pane: Textual lays out only the screen on
    top, so a pane still waiting for its layout when a dialog opens stays half drawn behind it.
    """
    from tui_desk.ui.widgets.preview_pane import PreviewPane

    queue = pilot.app.screen
    pane = queue.query_one(PreviewPane)
    if pane.display:
        await wait_for(pilot, lambda: pane.complete and pane.ticket_id == getattr(queue.highlighted(), "id", None))
        await refreshed(pilot, pane)
