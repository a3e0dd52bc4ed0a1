"""Snapshots of the queue and a ticket full of hostile text, at 80x24 and 120x40: the layout holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.hostile.conftest import hostile_dataset
from tests.ui.conftest import queue_loaded, wait_for
from tui_desk.services.connect import demo_profile, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW
from tui_desk.ui.app import DeskApp
from tui_desk.ui.screens.ticket import ThreadView, TicketScreen

SIZES = [(80, 24), (120, 40)]
FLAVOUR = "happyfox"


@pytest.fixture
def hostile_app() -> Iterator[Callable[[], DeskApp]]:
    """A DeskApp over a HappyFox simulator serving the hostile dataset (invalid UTF-8 is left to other tests)."""
    servers: list[SimServer] = []

    def build() -> DeskApp:
        sim = simulator_class(FLAVOUR)(hostile_dataset())
        server = SimServer(sim).start()
        servers.append(server)
        app = DeskApp.for_profile("hostile", demo_profile(FLAVOUR, server.base_url))
        app.clock = lambda: REFERENCE_NOW
        return app

    yield build
    for server in servers:
        server.stop()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hostile_queue(snap_compare, hostile_app, size) -> None:
    assert snap_compare(hostile_app(), terminal_size=size, run_before=queue_loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("row", [1, 13], ids=["markup-click", "osc-clipboard"])
def test_hostile_ticket_detail(snap_compare, hostile_app, size, row: int) -> None:
    async def run_before(pilot) -> None:
        await queue_loaded(pilot)
        await pilot.press(*["j"] * row, "enter")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.ticket is not None)
        await wait_for(pilot, lambda: bool(app.screen.query_one(ThreadView).comments))
        await pilot.pause()

    assert snap_compare(hostile_app(), terminal_size=size, run_before=run_before)
