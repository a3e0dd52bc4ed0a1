"""HelpDesk Pro keeps the server's lists in the one TTL cache: one read for callers at once, a new read once expired."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from tests.conftest import TEST_POLICY, fresh_dataset
from tui_desk.backends.helpdeskpro import HelpDeskProBackend
from tui_desk.cache import TTLCache
from tui_desk.config.profile import Profile
from tui_desk.models import TicketQuery
from tui_desk.services import HelpdeskService
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator

TTL = 60.0
OPEN = TicketQuery(state="open")
STATUSES = "/api/v1/statuses"
PRIORITIES = "/api/v1/priorities"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += seconds


@pytest.fixture
def sim() -> HelpDeskProSimulator:
    return HelpDeskProSimulator(fresh_dataset())


@pytest.fixture
def srv(sim: HelpDeskProSimulator) -> Iterator[SimServer]:
    with SimServer(sim) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def backend(srv: SimServer, clock: Clock) -> AsyncIterator[HelpDeskProBackend]:
    profile = Profile.model_validate(
        {"backend": "helpdeskpro", "url": srv.base_url, "email": "demo@example.com", "password": "demo"}
    )
    desk = HelpDeskProBackend.create(profile)
    assert isinstance(desk, HelpDeskProBackend)
    desk.http.policy = TEST_POLICY
    desk.cache = TTLCache(ttl=TTL, clock=clock)
    try:
        yield desk
    finally:
        await desk.aclose()


def reads(sim: HelpDeskProSimulator, path: str) -> int:
    """How many GETs of ``path`` the simulator answered."""
    return sum(1 for method, served in sim.log if method == "GET" and served == path)


async def until(done: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``done()`` holds (the priorities load beside a request and may answer after it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_callers_at_once_share_one_read_of_each_list(
    sim: HelpDeskProSimulator, backend: HelpDeskProBackend
) -> None:
    ticket_id = str(sim.dataset.ticket_list()[0].id)
    pages = await asyncio.gather(*(backend.list_tickets(OPEN, n, 20) for n in (1, 2, 3)), backend.get_ticket(ticket_id))
    assert all(pages)
    await until(lambda: reads(sim, PRIORITIES) >= 1)
    assert reads(sim, STATUSES) == 1 and reads(sim, PRIORITIES) == 1
    # The lists are in the cache the backend was handed (the one cache layer), under the backend's name.
    assert backend.cache.get("helpdeskpro.statuses", ())[0]
    assert backend.cache.get("helpdeskpro.priorities", ())[0]


async def test_the_lists_are_read_again_once_the_cache_ttl_passes(
    sim: HelpDeskProSimulator, backend: HelpDeskProBackend, clock: Clock
) -> None:
    await backend.list_tickets(OPEN, 1, 20)
    await until(lambda: reads(sim, PRIORITIES) == 1)
    assert reads(sim, STATUSES) == 1

    clock.advance(TTL / 2)
    await backend.list_tickets(OPEN, 2, 20)
    assert reads(sim, STATUSES) == 1 and reads(sim, PRIORITIES) == 1  # still fresh: nothing asked again

    clock.advance(TTL)
    await backend.list_tickets(OPEN, 1, 20)
    assert reads(sim, STATUSES) == 2  # expired with the rest of the cache: read again from the server
    await until(lambda: reads(sim, PRIORITIES) == 2)


async def test_the_service_hands_its_cache_and_a_refresh_reads_the_list_again(
    sim: HelpDeskProSimulator, backend: HelpDeskProBackend
) -> None:
    service = HelpdeskService(backend)
    assert backend.cache is service.cache
    await backend.list_tickets(OPEN, 1, 20)
    assert reads(sim, STATUSES) == 1
    await service.statuses(refresh=True)  # R: the agent asks for everything afresh
    assert reads(sim, STATUSES) == 2
    await backend.list_tickets(OPEN, 2, 20)
    assert reads(sim, STATUSES) == 2  # the refreshed list serves the adapter too
