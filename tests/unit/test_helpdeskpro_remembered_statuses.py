"""HelpDesk Pro plans the first page with last run's status list, reads this run's alongside, asks again on a change."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TEST_POLICY
from tui_desk.backends.helpdeskpro import HelpDeskProBackend
from tui_desk.backends.helpdeskpro.reference import REMEMBERED_STATUSES
from tui_desk.models import Page, TicketQuery, TicketSummary
from tui_desk.services.connect import demo_profile
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator
from tui_desk.state.paths import state_dir
from tui_desk.state.remembered import remember_list, remembered_list

OPEN = TicketQuery(state="open")
STATUSES = "/api/v1/statuses"
TICKETS = "/api/v1/tickets"

pytestmark = pytest.mark.parametrize("sim_server", ["helpdeskpro"], indirect=True)


@pytest.fixture
def srv(sim_server: SimServer) -> SimServer:
    return sim_server


@pytest.fixture
def sim(sim_server: SimServer) -> HelpDeskProSimulator:
    simulator = sim_server.simulator
    assert isinstance(simulator, HelpDeskProSimulator)
    return simulator


def open_backend(srv: SimServer) -> HelpDeskProBackend:
    desk = HelpDeskProBackend.create(demo_profile("helpdeskpro", srv.base_url))
    assert isinstance(desk, HelpDeskProBackend)
    desk.http.policy = TEST_POLICY
    return desk


def kept_file() -> Path:
    """The one status list kept in the state directory."""
    [path] = state_dir().glob(f"{REMEMBERED_STATUSES}-*.json")
    return path


@pytest.fixture
async def first_run(srv: SimServer) -> AsyncIterator[Page[TicketSummary]]:
    """One whole run before the test: it reads the status list (and remembers it)."""
    desk = open_backend(srv)
    try:
        yield await desk.list_tickets(OPEN, 1, 50)
    finally:
        await desk.aclose()


def gets(sim: HelpDeskProSimulator, path: str) -> int:
    return sum(1 for method, served in sim.log if method == "GET" and served == path)


async def test_the_first_run_reads_statuses_first_and_remembers_them_privately(
    sim: HelpDeskProSimulator, srv: SimServer, first_run: Page[TicketSummary]
) -> None:
    served = [path for method, path in sim.log if method == "GET"]
    assert served.index(STATUSES) < served.index(TICKETS)  # nothing remembered: the filter needs the list first
    desk = open_backend(srv)
    try:
        listed = await desk.statuses()
    finally:
        await desk.aclose()
    assert any(s.closed for s in listed) and any(not s.closed for s in listed)
    assert remembered_list(REMEMBERED_STATUSES, srv.base_url) == [s.model_dump() for s in listed]
    mode = stat.S_IMODE(os.stat(kept_file()).st_mode)
    assert mode == 0o600


async def test_the_next_run_asks_for_the_page_without_waiting_for_statuses(
    sim: HelpDeskProSimulator, srv: SimServer, first_run: Page[TicketSummary]
) -> None:
    sim.faults.route_faults["GET /statuses"] = "late"  # this run's status list answers a second late
    sim.faults.route_hang = 1.0
    before = gets(sim, TICKETS)
    desk = open_backend(srv)
    try:
        listing = asyncio.ensure_future(desk.list_tickets(OPEN, 1, 50))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.8
        while gets(sim, TICKETS) == before:  # the page went out while statuses was still held back
            assert loop.time() < deadline, "the page waited for the status list"
            await asyncio.sleep(0.01)
        assert not listing.done()  # and the listing waits for this run's list before it answers
        page = await listing
    finally:
        await desk.aclose()
    assert gets(sim, TICKETS) == before + 1  # the lists agreed: asked once
    assert [t.id for t in page.items] == [t.id for t in first_run.items]


async def test_a_changed_status_list_asks_for_the_page_again_with_the_new_one(
    sim: HelpDeskProSimulator, srv: SimServer, first_run: Page[TicketSummary]
) -> None:
    stale = remembered_list(REMEMBERED_STATUSES, srv.base_url)
    assert stale
    # Since last run an admin made the first open status a closed one (here: last run's list says so wrongly).
    flipped = [{**s, "closed": not s["closed"]} if i == 0 else s for i, s in enumerate(stale)]
    remember_list(REMEMBERED_STATUSES, srv.base_url, flipped)
    before = gets(sim, TICKETS)
    desk = open_backend(srv)
    try:
        page = await desk.list_tickets(OPEN, 1, 50)
    finally:
        await desk.aclose()
    assert gets(sim, TICKETS) == before + 2  # the hinted page, then the right one
    assert [t.id for t in page.items] == [t.id for t in first_run.items]
    assert page.total == first_run.total
    assert json.loads(kept_file().read_text()) == stale  # this run's list kept


async def test_an_unreadable_remembered_file_is_ignored(
    sim: HelpDeskProSimulator, srv: SimServer, first_run: Page[TicketSummary]
) -> None:
    kept_file().write_text("{not json")
    desk = open_backend(srv)
    try:
        page = await desk.list_tickets(OPEN, 1, 50)
    finally:
        await desk.aclose()
    assert [t.id for t in page.items] == [t.id for t in first_run.items]
