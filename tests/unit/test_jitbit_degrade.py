"""Jitbit on a server that lacks reference endpoints or spoils answers: features turn off, primary flows go on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.conftest import fresh_dataset
from tui_desk.backends import jitbit
from tui_desk.backends.jitbit import JitbitBackend
from tui_desk.config.profile import Profile
from tui_desk.errors import FeatureUnavailable, NotFound
from tui_desk.http import RetryPolicy
from tui_desk.models import CommentKind, NewTicket, TicketQuery
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.jitbit import JitbitSimulator

FAST = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01)
MISSING = ["route404", "405", "malformed", "shape"]
FAILING = ["html500", "502"]
ADMIN = ("demo", "demo")
TECH = ("tech", "tech")  # a technician without administrator rights: assignees come from TechsForCategory


@dataclass
class Desk:
    """A Jitbit simulator on loopback and the adapters opened against it."""

    sim: JitbitSimulator
    server: SimServer
    opened: list[JitbitBackend]

    def adapter(self, login: tuple[str, str] = ADMIN, **changes: object) -> JitbitBackend:
        """An adapter signed in with ``login`` (closed with the desk)."""
        values = {"backend": "jitbit", "url": self.server.base_url, "username": login[0], "password": login[1]}
        backend = JitbitBackend.create(Profile.model_validate({**values, **changes}))
        assert isinstance(backend, JitbitBackend)
        backend.http.policy = FAST
        self.opened.append(backend)
        return backend

    def fault(self, route: str, fault: str) -> None:
        """Spoil one route ("GET /Categories", as the simulator registers it)."""
        self.sim.faults.route_faults[route] = fault

    def hits(self, name: str) -> int:
        """Requests the simulator served on ``/api/<name>`` (any case)."""
        return sum(1 for _method, path in self.sim.log if path.lower() == f"/api/{name.lower()}")


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    jitbit._LOGIN_FAILURES.clear()  # failed sign-ins are counted per server for the whole process
    with SimServer(JitbitSimulator(fresh_dataset())) as server:
        sim = server.simulator
        assert isinstance(sim, JitbitSimulator)
        opened = Desk(sim, server, [])
        try:
            yield opened
        finally:
            for backend in opened.opened:
                await backend.aclose()


async def reference_lists(backend: JitbitBackend) -> None:
    """What the app loads at start-up: every list at once; none may fail because another is missing."""
    statuses, priorities, _categories, agents = await asyncio.gather(
        backend.statuses(), backend.priorities(), backend.categories(), backend.agents()
    )
    assert any(s.closed for s in statuses) and priorities and agents
    assert await backend.canned_responses() is not None


async def primary_flows_work(backend: JitbitBackend) -> None:
    """The queue (open, closed, mine), a ticket, its thread, a reply and a note all work."""
    me = await backend.whoami()
    opened = await backend.list_tickets(TicketQuery(state="open"), 1, 25)
    assert opened.items and all(t.status is None or not t.status.closed for t in opened.items)
    closed = await backend.list_tickets(TicketQuery(state="closed"), 1, 25)
    assert closed.items and all(t.status is not None and t.status.id == "3" for t in closed.items)
    mine = await backend.list_tickets(TicketQuery(state="all", assignee="me"), 1, 25)
    assert mine.items and all(t.assignee is not None and t.assignee.id == me.id for t in mine.items)
    tid = opened.items[0].id
    ticket = await backend.get_ticket(tid)
    assert ticket.id == tid and ticket.subject
    before = len(await backend.get_thread(tid))
    reply, note = "Degraded, but the reply is stored.", "Degraded, but the note stays private."
    assert await backend.add_reply(tid, reply) is None  # Jitbit answers a number: no stored comment to give
    assert await backend.add_note(tid, note) is None
    added = (await backend.get_thread(tid))[before:]
    assert [(c.body, c.kind) for c in added] == [(reply, CommentKind.REPLY), (note, CommentKind.NOTE)]


def check_limitation(backend: JitbitBackend, feature: str, path: str, fault: str) -> None:
    """The feature is off, once, with a sentence naming the request and what came back."""
    assert list(backend.limitations) == [feature]
    limitation = backend.limitations[feature]
    assert f"GET /api/{path}" in limitation.message and limitation.instead
    expected = {"route404": "answered 404", "405": "answered 405"}.get(fault, "cannot read")
    assert expected in limitation.message


# -- a reference endpoint this server lacks -------------------------------------------------------------------


@pytest.mark.parametrize("fault", MISSING)
async def test_without_categories_they_come_from_the_tickets(desk: Desk, fault: str) -> None:
    desk.fault("GET /Categories", fault)
    backend = desk.adapter(TECH)  # a technician's agent list is read over the categories
    await backend.whoami()
    await backend.list_tickets(TicketQuery(state="all"), 1, 100)
    await reference_lists(backend)
    check_limitation(backend, "categories", "categories", fault)
    categories = await backend.categories()
    names = {str(cid): name for cid, name in desk.sim.dataset.categories}
    assert categories and all(names[c.id] in c.name for c in categories)
    assert desk.hits("Categories") == 1
    await primary_flows_work(backend)
    assert desk.hits("Categories") == 1  # never asked again this session


@pytest.mark.parametrize("fault", MISSING)
async def test_without_techs_for_category_assignees_are_me_and_those_seen(desk: Desk, fault: str) -> None:
    desk.fault("GET /TechsForCategory", fault)
    backend = desk.adapter(TECH)
    me = await backend.whoami()
    await backend.list_tickets(TicketQuery(state="all"), 1, 100)
    await reference_lists(backend)
    check_limitation(backend, "technicians", "TechsForCategory", fault)
    agents = await backend.agents()
    assert agents[0].id == me.id and len(agents) > 1
    assert {a.id for a in agents} <= {str(a.id) for a in desk.sim.dataset.agents}
    category = str(desk.sim.dataset.categories[0][0])
    assert await backend.assignees(category) == agents
    asked = desk.hits("TechsForCategory")
    assert 1 <= asked <= 4  # the first burst (4 at once) may be in flight before the first answer
    await primary_flows_work(backend)
    assert desk.hits("TechsForCategory") == asked


@pytest.mark.parametrize("fault", MISSING)
async def test_without_the_technician_list_techs_are_read_per_category(desk: Desk, fault: str) -> None:
    desk.fault("GET /Users", fault)
    backend = desk.adapter(ADMIN)
    await reference_lists(backend)
    check_limitation(backend, "technician_list", "Users", fault)
    agents = await backend.agents()
    techs = {str(t) for members in desk.sim.category_techs.values() for t in members}
    assert {a.id for a in agents} == techs
    await primary_flows_work(backend)
    assert desk.hits("Users") == 1


@pytest.mark.parametrize("fault", MISSING)
async def test_without_comment_templates_there_are_no_canned_responses(desk: Desk, fault: str) -> None:
    desk.fault("GET /CommentTemplates", fault)
    backend = desk.adapter()
    for _ in range(2):
        assert await backend.canned_responses() == []
    check_limitation(backend, "canned_responses", "CommentTemplates", fault)
    assert desk.hits("CommentTemplates") == 1
    await primary_flows_work(backend)


@pytest.mark.parametrize("fault", MISSING)
async def test_without_assets_the_feature_is_unavailable_and_the_queue_is_not(desk: Desk, fault: str) -> None:
    desk.fault("GET /Assets", fault)
    backend = desk.adapter()
    for _ in range(2):
        with pytest.raises(FeatureUnavailable) as info:
            await backend.list_assets(None, None, 1, 50)
        with pytest.raises(FeatureUnavailable):
            await backend.asset_types()
    assert "asset management is switched off" in info.value.message and "GET /api/Assets" in info.value.message
    assert desk.hits("Assets") == 1 and list(backend.limitations) == ["assets"]
    await primary_flows_work(backend)


async def test_a_missing_ticket_is_not_a_missing_route(desk: Desk) -> None:
    backend = desk.adapter()
    with pytest.raises(NotFound):
        await backend.get_ticket("999999")
    assert backend.limitations == {}


# -- a reference endpoint that fails (5xx): nothing is turned off, nothing primary fails ------------------------


@pytest.mark.parametrize("fault", FAILING)
@pytest.mark.parametrize("route", ["GET /Categories", "GET /TechsForCategory", "GET /Users", "GET /CommentTemplates"])
@pytest.mark.parametrize("login", [ADMIN, TECH], ids=["admin", "tech"])
async def test_a_failing_reference_list_never_fails_a_primary_flow(
    desk: Desk, route: str, fault: str, login: tuple[str, str]
) -> None:
    desk.fault(route, fault)
    backend = desk.adapter(login)
    await primary_flows_work(backend)
    assert backend.limitations == {}  # a failure is not a missing route: it is asked again later


async def test_reference_lists_that_time_out_never_fail_the_thread(desk: Desk) -> None:
    # The comments (not held back) must answer within the same timeout while ten workers share two cores.
    backend = desk.adapter(TECH, timeout=0.6)
    desk.sim.faults.route_hang = 1.2
    desk.fault("GET /TechsForCategory", "timeout")
    desk.fault("GET /Categories", "timeout")
    tid = str(desk.sim.dataset.ticket_list()[2].id)
    thread = await backend.get_thread(tid)
    assert thread and backend.limitations == {}


async def test_slow_technician_lists_hold_the_thread_up_for_a_grace_period_only(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jitbit.reference, "AUTHORS_GRACE", 0.3)
    backend = desk.adapter(TECH, timeout=10)
    me = await backend.whoami()
    desk.sim.faults.route_hang = 4.0
    desk.fault("GET /TechsForCategory", "timeout")
    record = next(t for t in desk.sim.dataset.ticket_list() if any(c.agent_id for c in t.comments))
    started = time.monotonic()
    thread = await backend.get_thread(str(record.id))
    assert time.monotonic() - started < 2.5  # not the 4 s the server holds TechsForCategory back
    assert thread and all(c.author.is_agent == (c.is_note or c.author.id == me.id) for c in thread)


# -- writes whose 2xx answer cannot be read ---------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["malformed", "shape"])
@pytest.mark.parametrize("kind", ["reply", "note"])
async def test_an_unreadable_answer_to_a_comment_is_none_and_stored_once(desk: Desk, kind: str, fault: str) -> None:
    desk.fault("POST /Comment", fault)
    backend = desk.adapter()
    record = desk.sim.dataset.ticket_list()[3]
    before = len(record.comments)
    text = f"Sent once ({kind}, {fault}): please restart the dock."
    send = backend.add_reply if kind == "reply" else backend.add_note
    assert await send(str(record.id), text) is None
    assert len(record.comments) == before + 1
    thread = await backend.get_thread(str(record.id))
    assert sum(1 for c in thread if c.body == text) == 1


@pytest.mark.parametrize("fault", ["malformed", "shape"])
async def test_an_unreadable_answer_to_a_new_ticket_is_none(desk: Desk, fault: str) -> None:
    desk.fault("POST /Ticket", fault)
    backend = desk.adapter()
    before = len(desk.sim.dataset.tickets)
    category = str(desk.sim.dataset.categories[0][0])
    assert await backend.create_ticket(NewTicket(subject="Badge", body="Door 2.", category_id=category)) is None
    assert len(desk.sim.dataset.tickets) == before + 1


async def test_a_new_ticket_that_cannot_be_read_back_is_none(desk: Desk) -> None:
    desk.fault("GET /Ticket", "html500")
    backend = desk.adapter()
    before = len(desk.sim.dataset.tickets)
    category = str(desk.sim.dataset.categories[0][0])
    assert await backend.create_ticket(NewTicket(subject="Badge", body="Door 2.", category_id=category)) is None
    assert len(desk.sim.dataset.tickets) == before + 1
