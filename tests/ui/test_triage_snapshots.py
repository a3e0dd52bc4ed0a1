"""Snapshots of the triage dialogs at 80x24 and 120x40: status picker, assignee typeahead, close, bulk results."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.ui.conftest import preview_settled, wait_for
from tests.ui.test_snapshots import SIZES, steady
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW, generate
from tui_desk.ui.app import DeskApp
from tui_desk.ui.dialogs.bulk_progress import BulkProgress
from tui_desk.ui.dialogs.confirm import ConfirmDialog
from tui_desk.ui.dialogs.picker import Picker
from tui_desk.ui.screens.queue import QueueScreen

FLAVOUR = "happyfox"
SMALL = 60  # tickets: the open ones fit one page, so the queue behind a dialog is the same on every run


@pytest.fixture
def make_app() -> Iterator[Callable[[str], DeskApp]]:
    """Like the shared fixture, over a small dataset (how far the queue prefetches a big one depends on timing)."""
    servers: list[SimServer] = []

    def build(flavour: str) -> DeskApp:
        sim = simulator_class(flavour)(generate(tickets=SMALL))
        servers.append(SimServer(sim).start())
        app = DeskApp.for_profile(f"test-{flavour}", demo_profile(flavour, servers[-1].base_url))
        app.clock = lambda: REFERENCE_NOW
        app.simulator = sim  # type: ignore[attr-defined]
        return app

    yield build
    for server in servers:
        server.stop()


async def queue_loaded(pilot) -> None:
    """The whole (one-page) queue is shown and nothing is loading."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.pager is not None)
    await wait_for(pilot, lambda: app.screen.pager.exhausted and len(app.screen.rows) >= 20)
    await wait_for(pilot, lambda: not app.screen.query_one("StatusLine").busy)
    await preview_settled(pilot)
    await pilot.pause()


async def picker_open(pilot, key: str) -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, Picker) and app.screen.is_mounted)
    await wait_for(pilot, lambda: not app.screen_stack[-2].query_one("StatusLine").busy)
    steady(app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_picker(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await picker_open(pilot, "s")

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_assignee_picker_typeahead(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await picker_open(pilot, "a")
        await pilot.press("o", "s")
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_close_confirm(snap_compare, make_app, size) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.pause()

    assert snap_compare(make_app(FLAVOUR), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bulk_results(snap_compare, make_app, size) -> None:
    app = make_app(FLAVOUR)

    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press("space", "space", "space")
        del app.simulator.dataset.tickets[int(app.screen.rows[1].id)]  # its update fails with "not found"
        await picker_open(pilot, "p")
        await pilot.press(*"crit", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkProgress) and not app.screen.running)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
