"""HappyFox keeps server data in the one cache it is handed: loads are shared, and expire with that cache's TTL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.unit.happyfox_rig import Desk, open_desk
from tui_desk.cache import TTLCache
from tui_desk.models import TicketQuery

API = "/api/1.1/json/"
TTL = 60.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    async with open_desk() as opened:
        yield opened


@pytest.fixture
def clock(desk: Desk) -> Clock:
    """The backend's cache runs on this clock (the service hands its own cache over the same way)."""
    moved = Clock()
    desk.backend.cache = TTLCache(max_entries=512, ttl=TTL, clock=moved)
    return moved


def hits(desk: Desk, path: str) -> int:
    """GETs the simulator served on ``path`` (after the API root)."""
    return sum(1 for method, served in desk.sim.log if method == "GET" and served == API + path)


async def test_concurrent_callers_share_one_read_of_a_reference_list(desk: Desk, clock: Clock) -> None:
    backend = desk.backend
    lists = await asyncio.gather(*(backend.assignees(None) for _ in range(5)))
    assert all(found == lists[0] for found in lists) and lists[0]
    assert hits(desk, "staff/") == 1
    pages = await asyncio.gather(*(backend.list_tickets(TicketQuery(state="closed"), 1, 25) for _ in range(4)))
    assert all(page.items for page in pages)
    assert hits(desk, "statuses/") == 1 and hits(desk, "priorities/") == 1


async def test_a_reference_list_is_read_again_once_the_cache_ttl_passes(desk: Desk, clock: Clock) -> None:
    backend = desk.backend
    await backend.assignees(None)
    await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert (hits(desk, "staff/"), hits(desk, "statuses/"), hits(desk, "priorities/")) == (1, 1, 1)

    clock.now += TTL / 2  # still fresh: nothing is read again
    await backend.assignees("1")
    await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert (hits(desk, "staff/"), hits(desk, "statuses/"), hits(desk, "priorities/")) == (1, 1, 1)

    clock.now += TTL  # expired together with everything else in the cache
    await backend.assignees(None)
    await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert (hits(desk, "staff/"), hits(desk, "statuses/"), hits(desk, "priorities/")) == (2, 2, 2)


async def test_clearing_the_cache_forgets_every_list_the_adapter_read(desk: Desk, clock: Clock) -> None:
    backend = desk.backend
    await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert any(resource.startswith("happyfox.") for resource, _params in backend.cache._entries)
    backend.cache.clear()
    await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert hits(desk, "statuses/") == 2 and hits(desk, "priorities/") == 2


async def test_a_ticket_is_shared_while_in_flight_and_never_kept(desk: Desk, clock: Clock) -> None:
    backend = desk.backend
    record = desk.sim.dataset.ticket_list()[0]
    ticket, thread = await asyncio.gather(backend.get_ticket(str(record.id)), backend.get_thread(str(record.id)))
    assert ticket.id == str(record.id) and isinstance(thread, list)
    assert hits(desk, f"ticket/{record.id}/") == 1  # detail and thread share one read
    await backend.get_thread(str(record.id))
    assert hits(desk, f"ticket/{record.id}/") == 2  # a later read is fresh, even within the TTL
