"""Fixtures: simulators serving the hostile dataset (with raw invalid UTF-8 on the wire) over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache

import pytest

from tests.conftest import FLAVOURS, TEST_POLICY, Desk, fresh_dataset
from tui_desk.services.connect import demo_profile, open_service, simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.dataset import REFERENCE_NOW, DTicket
from tui_desk.simulators.hostile import HOSTILE, plant_hostile
from tui_desk.ui.app import DeskApp


def hostile_dataset():
    """A private copy of the demo dataset with every hostile string planted."""
    return plant_hostile(fresh_dataset())


@cache
def hostile_ticket_ids() -> dict[str, int]:
    """Planted string name -> the id of the ticket whose subject it is."""
    tickets: list[DTicket] = hostile_dataset().ticket_list()
    return {name: next(t.id for t in tickets if t.subject == text) for name, text in HOSTILE.items()}


@pytest.fixture(params=FLAVOURS)
async def hostile_desk(request: pytest.FixtureRequest) -> AsyncIterator[Desk]:
    """A service over real HTTP to a simulator of each flavour serving hostile data and invalid UTF-8."""
    flavour: str = request.param
    sim = simulator_class(flavour)(hostile_dataset())
    sim.faults.invalid_utf8 = True
    server = SimServer(sim).start()
    service = open_service(demo_profile(flavour, server.base_url), f"hostile-{flavour}")
    service.backend.http.policy = TEST_POLICY
    try:
        yield Desk(flavour, sim, server, service)
    finally:
        await service.aclose()
        server.stop()


@pytest.fixture
def hostile_app() -> Iterator[Callable[[str], DeskApp]]:
    """Build a DeskApp of a flavour over a loopback simulator serving the hostile dataset and invalid UTF-8."""
    servers: list[SimServer] = []

    def build(flavour: str) -> DeskApp:
        sim = simulator_class(flavour)(hostile_dataset())
        sim.faults.invalid_utf8 = True
        server = SimServer(sim).start()
        servers.append(server)
        app = DeskApp.for_profile(f"hostile-{flavour}", demo_profile(flavour, server.base_url))
        app.clock = lambda: REFERENCE_NOW
        app.simulator = sim  # type: ignore[attr-defined]
        return app

    yield build
    for server in servers:
        server.stop()
