"""Jitbit keeps no cache of its own: reference lists load once through the shared TTLCache and expire with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import fresh_dataset
from tui_desk.backends import jitbit
from tui_desk.backends.jitbit import JitbitBackend
from tui_desk.backends.jitbit.facts import TECHS_FRESH_SECONDS
from tui_desk.cache import TTLCache
from tui_desk.config.profile import Profile
from tui_desk.http import RetryPolicy
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.jitbit import JitbitSimulator

FAST = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01)
TTL = 60.0


@dataclass
class Rig:
    """A Jitbit simulator on loopback, a fake clock, and adapters whose one cache runs on that clock."""

    sim: JitbitSimulator
    server: SimServer
    now: list[float]
    opened: list[JitbitBackend]

    def adapter(self, username: str = "demo", password: str = "demo") -> JitbitBackend:
        """A new adapter holding a fresh TTLCache on the fake clock (as HelpdeskService hands over its own)."""
        values = {"backend": "jitbit", "url": self.server.base_url, "username": username, "password": password}
        profile = Profile.model_validate(values)
        backend = JitbitBackend.create(profile)
        assert isinstance(backend, JitbitBackend)
        backend.http.policy = FAST
        backend.cache = TTLCache(max_entries=512, ttl=TTL, clock=lambda: self.now[0])
        self.opened.append(backend)
        return backend

    def hits(self, name: str) -> int:
        """How many requests the simulator served on ``/api/<name>`` (any case)."""
        return sum(1 for _, path in self.sim.log if path.lower() == f"/api/{name.lower()}")

    def later(self, seconds: float) -> None:
        """Move the cache's clock on."""
        self.now[0] += seconds


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(JitbitSimulator(fresh_dataset())) as srv:
        yield srv


@pytest.fixture
async def rig(server: SimServer) -> AsyncIterator[Rig]:
    jitbit._LOGIN_FAILURES.clear()  # failed sign-ins are counted per server for the whole process
    sim = server.simulator
    assert isinstance(sim, JitbitSimulator)
    opened = Rig(sim, server, [1000.0], [])
    try:
        yield opened
    finally:
        for backend in opened.opened:
            await backend.aclose()


async def test_asset_types_are_scanned_once_for_concurrent_callers(rig: Rig) -> None:
    alone = rig.adapter()
    expected = await alone.asset_types()
    one_scan = rig.hits("Assets")
    assert one_scan >= 1

    backend = rig.adapter()
    first, second, third = await asyncio.gather(backend.asset_types(), backend.asset_types(), backend.asset_types())
    assert first == second == third == expected
    assert rig.hits("Assets") == 2 * one_scan  # three callers at once: one scan between them


async def test_asset_types_are_scanned_again_once_the_ttl_passed(rig: Rig) -> None:
    backend = rig.adapter()
    types = await backend.asset_types()
    one_scan = rig.hits("Assets")
    rig.later(TTL / 2)
    assert await backend.asset_types() == types and rig.hits("Assets") == one_scan  # still fresh: no request
    rig.later(TTL)
    assert await backend.asset_types() == types
    assert rig.hits("Assets") == 2 * one_scan  # expired with the shared cache: read from the server again


async def test_a_categorys_technicians_are_read_again_once_the_ttl_passed(rig: Rig) -> None:
    backend = rig.adapter()
    category = str(next(iter(rig.sim.category_techs)))
    techs = await backend.assignees(category)
    await backend.assignees(category)
    assert rig.hits("TechsForCategory") == 1
    rig.later(TTL + 1)
    assert await backend.assignees(category) == techs
    assert rig.hits("TechsForCategory") == 2


async def test_a_technicians_agent_list_reads_the_categories_again_once_the_ttl_passed(rig: Rig) -> None:
    tech = rig.adapter("tech", "tech")
    await tech.whoami()
    agents = await tech.agents()
    assert rig.hits("categories") == 1
    await tech.agents()
    assert rig.hits("categories") == 1  # the categories read for the first list serve the second
    rig.later(TTL + 1)
    assert await tech.agents() == agents
    assert rig.hits("categories") == 2


async def test_the_agent_list_reuses_the_technicians_a_thread_just_read(rig: Rig) -> None:
    backend = rig.adapter()
    ticket_id = str(next(iter(rig.sim.dataset.tickets)))
    await backend.get_thread(ticket_id)  # tells agents from customers: reads the technicians (and admins)
    read_for_thread = rig.hits("Users")
    assert read_for_thread >= 1
    agents = await backend.agents()
    assert agents and rig.hits("Users") == read_for_thread  # seconds later: the same list, no second read
    rig.later(TECHS_FRESH_SECONDS + 1)
    assert await backend.agents() == agents
    assert rig.hits("Users") == read_for_thread + 1  # asked for again later: read afresh
