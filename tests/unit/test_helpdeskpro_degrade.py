"""HelpDesk Pro on servers that lack the guessed parts: features turn off once, primary flows go on, over loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import TEST_POLICY, fresh_dataset
from tui_desk.backends.helpdeskpro import HelpDeskProBackend, status_flags
from tui_desk.config.profile import Profile
from tui_desk.errors import FeatureUnavailable, InvalidInput, NotFound, Unavailable
from tui_desk.models import CommentKind, NewTicket, TicketChange, TicketQuery
from tui_desk.simulators.core import SimRequest, SimResponse, SimServer
from tui_desk.simulators.dataset import STATUSES
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator

API = "/api/v1"
CLOSED_STATUS_ID = 5  # the simulator's "Closed" (statuses 1..5: new, open, waiting, hold, closed)


@dataclass
class Seen:
    """One request the simulator answered."""

    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class Rig:
    """A HelpDesk Pro simulator on loopback, an adapter talking to it, and every request it answered."""

    sim: HelpDeskProSimulator
    server: SimServer
    backend: HelpDeskProBackend
    seen: list[Seen] = field(default_factory=list)

    def calls(self, method: str, path: str) -> list[Seen]:
        """Requests with this method and path (under /api/v1)."""
        return [s for s in self.seen if s.method == method and s.path == API + path]

    def count(self, method: str, path: str) -> int:
        """How many such requests were answered."""
        return len(self.calls(method, path))

    def ticket_id(self, index: int = 0) -> str:
        """The id of a ticket the simulator holds."""
        return str(self.sim.dataset.ticket_list()[index].id)

    def comments_on(self, ticket_id: str) -> int:
        """How many comments the server holds for the ticket."""
        return len(self.sim.dataset.tickets[int(ticket_id)].comments)


def record(sim: HelpDeskProSimulator, seen: list[Seen]) -> None:
    """Keep every answered request in ``seen``."""
    handle = sim.handle

    def recorded(request: SimRequest) -> SimResponse:
        response = handle(request)
        seen.append(Seen(request.method, request.path, dict(request.query), response.status))
        return response

    sim.handle = recorded  # type: ignore[method-assign]


def make(server: SimServer) -> HelpDeskProBackend:
    profile = Profile.model_validate(
        {"backend": "helpdeskpro", "url": server.base_url, "email": "demo@example.com", "password": "demo"}
    )
    backend = HelpDeskProBackend.create(profile)
    assert isinstance(backend, HelpDeskProBackend)
    backend.http.policy = TEST_POLICY
    return backend


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> HelpDeskProSimulator:
    """The default simulator, or the subclass a test names with ``@pytest.mark.parametrize(..., indirect=True)``."""
    cls: type[HelpDeskProSimulator] = getattr(request, "param", HelpDeskProSimulator)
    return cls(fresh_dataset())


@pytest.fixture
async def rig(sim: HelpDeskProSimulator) -> AsyncIterator[Rig]:
    seen: list[Seen] = []
    record(sim, seen)
    with SimServer(sim) as server:
        backend = make(server)
        try:
            yield Rig(sim, server, backend, seen)
        finally:
            await backend.aclose()


OPEN = TicketQuery(state="open")
ALL = TicketQuery(state="all")


# -- statuses -------------------------------------------------------------------------------------


async def test_no_statuses_route_lists_open_tickets_from_each_ticket_status(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /statuses"}
    page = await rig.backend.list_tickets(OPEN, 1, 50)
    assert page.items and all(t.status is not None and not t.status.closed for t in page.items)
    assert page.filtered_here and page.total is None and page.has_next
    served = rig.calls("GET", "/tickets")[-1]
    assert "status_id" not in served.query
    limitation = rig.backend.limitations["statuses"]
    assert limitation.message == "This server has no statuses API (GET /api/v1/statuses answered 404)"
    assert limitation.instead == "open/closed are worked out from each ticket's status"
    closed = await rig.backend.list_tickets(TicketQuery(state="closed"), 1, 50)
    assert all(t.status is not None and t.status.closed for t in closed.items)
    assert rig.count("GET", "/statuses") == 1  # never asked again this session


async def test_pages_asked_for_at_once_share_one_request_per_reference_list(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /statuses"}
    pages = await asyncio.gather(*(rig.backend.list_tickets(OPEN, n, 20) for n in (1, 2, 3)))
    assert all(page.items for page in pages)
    assert rig.count("GET", "/statuses") == 1 and rig.count("GET", "/priorities") == 1


async def test_without_statuses_the_catalogue_grows_from_the_tickets_seen(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /statuses"}
    assert await rig.backend.statuses() == []
    await rig.backend.list_tickets(ALL, 1, 10)
    first = await rig.backend.statuses()
    await rig.backend.list_tickets(ALL, 2, 100)
    grown = await rig.backend.statuses()
    assert first and set(s.id for s in first) <= set(s.id for s in grown)
    assert {s.name for s in grown} == {"New", "In progress", "Waiting on customer", "On hold", "Closed"}
    assert [s.name for s in grown if s.closed] == ["Closed"] and [s.name for s in grown if s.waiting] == [
        "Waiting on customer"
    ]
    assert rig.count("GET", "/statuses") == 1


class PagedStatuses(HelpDeskProSimulator):
    """GET statuses in pages of two, whatever per_page asks: "Closed" is on the third page."""

    def _statuses(self, request: SimRequest) -> SimResponse:
        everything = [self._status(key) for key, *_ in STATUSES]
        page = int(request.arg("page") or 1)
        last = -(-len(everything) // 2)
        pagination = {"current_page": page, "per_page": 2, "total": len(everything), "last_page": last}
        return self.ok(everything[(page - 1) * 2 : page * 2], pagination=pagination)


@pytest.mark.parametrize("sim", [PagedStatuses], indirect=True)
async def test_statuses_are_read_from_every_page(rig: Rig) -> None:
    statuses = await rig.backend.statuses()
    assert [s.closed for s in statuses] == [False, False, False, False, True]
    assert rig.count("GET", "/statuses") == 3
    closed = await rig.backend.list_tickets(TicketQuery(state="closed"), 1, 50)
    assert rig.calls("GET", "/tickets")[-1].query["status_id"] == str(CLOSED_STATUS_ID)
    assert closed.items and all(t.status is not None and t.status.closed for t in closed.items)


@pytest.mark.parametrize(
    ("raw", "closed", "waiting"),
    [
        ({"name": "Finished", "is_closed": 1}, True, False),
        ({"name": "Closed", "is_closed": False}, False, False),
        ({"name": "Signed off", "is_resolved": "true"}, True, False),
        ({"name": "Parked", "type": "closed"}, True, False),
        ({"name": "Resolved?", "type": "open"}, False, False),
        ({"name": "Awaiting reply", "type": "pending"}, False, True),
        ({"name": "Completed"}, True, False),
        ({"name": "Archived"}, True, False),
        ({"name": "Cancelled"}, True, False),
        ({"name": "Canceled"}, True, False),
        ({"name": "Rejected"}, True, False),
        ({"name": "Unresolved"}, False, False),
        ({"slug": "waiting_on_customer", "name": "Customer"}, False, True),
    ],
)
def test_status_classification(raw: dict[str, Any], closed: bool, waiting: bool) -> None:
    assert status_flags(raw) == (closed, waiting)


class NoClosedWord(HelpDeskProSimulator):
    """A server whose statuses never say which one is closed ("Closed" is called "Finished")."""

    def _status(self, key: str) -> dict[str, Any]:
        status = super()._status(key)
        if key == "closed":
            status.update(name="Finished", slug="finished")
        return status


@pytest.mark.parametrize("sim", [NoClosedWord], indirect=True)
async def test_no_closed_status_open_shows_everything_closed_and_close_are_unavailable(rig: Rig) -> None:
    heard: list[str] = []
    rig.backend.on_limitation(lambda limitation: heard.append(limitation.feature))
    page = await rig.backend.list_tickets(OPEN, 1, 50)
    assert any(t.status is not None and t.status.name == "Finished" for t in page.items)
    assert "status_id" not in rig.calls("GET", "/tickets")[-1].query
    limitation = rig.backend.limitations["closed-status"]
    assert "the Open view shows every ticket" in limitation.instead
    await rig.backend.list_tickets(OPEN, 2, 50)
    assert heard == ["closed-status"]  # said once
    before = len(rig.seen)
    with pytest.raises(FeatureUnavailable) as closed_view:
        await rig.backend.list_tickets(TicketQuery(state="closed"), 1, 50)
    assert closed_view.value.feature == "closed-status" and len(rig.seen) == before
    tid = rig.ticket_id()
    status = rig.sim.dataset.tickets[int(tid)].status
    with pytest.raises(FeatureUnavailable) as close:
        await rig.backend.close_ticket(tid)
    assert "pick a status with s" in close.value.user_message()
    assert rig.sim.dataset.tickets[int(tid)].status == status


async def test_close_without_a_statuses_route_uses_a_closed_status_seen_on_tickets(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /statuses"}
    tid = next(str(t.id) for t in rig.sim.dataset.ticket_list() if t.status != "closed")
    with pytest.raises(FeatureUnavailable) as unknown:
        await rig.backend.close_ticket(tid)  # nothing seen yet: no closed status is known
    assert not isinstance(unknown.value, InvalidInput)
    await rig.backend.list_tickets(ALL, 1, 100)
    await rig.backend.close_ticket(tid)
    assert rig.sim.dataset.tickets[int(tid)].status == "closed"


# -- priorities and other reference lists -----------------------------------------------------------


async def test_no_priorities_route_never_blocks_the_queue_a_ticket_or_a_new_ticket(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /priorities"}
    page = await rig.backend.list_tickets(ALL, 1, 100)
    assert len(page.items) == 100 and page.total == len(rig.sim.dataset.tickets)
    ranks = {t.priority.name: t.priority.rank for t in page.items if t.priority}
    assert ranks == {"Low": 0, "Normal": 1, "High": 2, "Critical": 3}  # from each priority's level
    ticket = await rig.backend.get_ticket(rig.ticket_id())
    assert ticket.priority is not None
    created = await rig.backend.create_ticket(NewTicket(subject="Dock", body="No power", priority_id="3"))
    assert created is not None and created.priority is not None and created.priority.rank == 2
    assert [p.name for p in await rig.backend.priorities()] == ["Low", "Normal", "High", "Critical"]
    assert rig.count("GET", "/priorities") == 1
    assert "Urgent view" in rig.backend.limitations["priorities"].instead


class NoLevels(HelpDeskProSimulator):
    """Priorities without ``level``, and no priorities route."""

    def _priority(self, rank: int) -> dict[str, Any]:
        priority = super()._priority(rank)
        del priority["level"]
        return priority


@pytest.mark.parametrize("sim", [NoLevels], indirect=True)
async def test_without_levels_ranks_keep_the_order_of_first_sight(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /priorities"}
    page = await rig.backend.list_tickets(ALL, 1, 100)
    order: list[str] = []
    for ticket in page.items:
        if ticket.priority is not None and ticket.priority.name not in order:
            order.append(ticket.priority.name)
    assert [p.name for p in await rig.backend.priorities()] == order
    assert [p.rank for p in await rig.backend.priorities()] == list(range(len(order)))


async def test_a_failing_priorities_route_does_not_fail_or_turn_off_anything(rig: Rig) -> None:
    rig.sim.faults.route_faults["GET /priorities"] = "html500"
    page = await rig.backend.list_tickets(ALL, 1, 20)
    ticket = await rig.backend.get_ticket(page.items[0].id)
    assert ticket.id == page.items[0].id and ticket.priority is not None
    assert "priorities" not in rig.backend.limitations  # a 500 is no proof the route is missing
    with pytest.raises(Unavailable):
        await rig.backend.priorities()


async def test_a_slow_priorities_route_does_not_hold_the_ticket_up(rig: Rig) -> None:
    rig.sim.faults.route_faults["GET /priorities"] = "timeout"
    rig.sim.faults.route_hang = 3.0
    started = time.monotonic()
    ticket = await rig.backend.get_ticket(rig.ticket_id())
    assert time.monotonic() - started < 2.5 and ticket.priority is not None


async def test_no_categories_route_gives_the_categories_seen(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /categories"}
    assert await rig.backend.categories() == []
    await rig.backend.list_tickets(ALL, 1, 100)
    names = {c.name for c in await rig.backend.categories()}
    assert names and names <= {name for _, name in rig.sim.dataset.categories}
    assert rig.count("GET", "/categories") == 1


async def test_unreadable_statuses_turn_the_feature_off(rig: Rig) -> None:
    rig.sim.faults.route_faults["GET /statuses"] = "shape"
    page = await rig.backend.list_tickets(OPEN, 1, 30)
    assert page.items and page.filtered_here
    assert "cannot read" in rig.backend.limitations["statuses"].message
    assert rig.count("GET", "/statuses") == 1


class NoUserList(HelpDeskProSimulator):
    """GET users is refused to agents without admin rights."""

    def _list_users(self, request: SimRequest) -> SimResponse:
        return self.error("This action is unauthorized.", 403)


@pytest.mark.parametrize(
    ("sim", "fault"),
    [(NoUserList, "403"), (HelpDeskProSimulator, "404"), (HelpDeskProSimulator, "405")],
    indirect=["sim"],
)
async def test_agents_fall_back_to_me_and_the_assignees_seen(rig: Rig, fault: str) -> None:
    if fault != "403":
        rig.sim.missing_routes = {"GET /users"}
    if fault == "405":
        rig.sim.router.add("POST", "/users", rig.sim._list_users)
    page = await rig.backend.list_tickets(ALL, 1, 100)
    agents = await rig.backend.agents()
    assignees = {t.assignee.id for t in page.items if t.assignee}
    assert agents[0].name == "Alice Abbott" and {a.id for a in agents[1:]} <= assignees
    assert assignees <= {a.id for a in agents}
    assert f"answered {fault}" in rig.backend.limitations["agents"].message
    await rig.backend.agents()
    assert rig.count("GET", "/users") == 1


# -- filters the server ignores -------------------------------------------------------------------


def _filter_case(rig: Rig, param: str) -> TicketQuery:
    ticket = rig.sim.dataset.ticket_list()[0]
    if param == "status_id":
        return OPEN
    if param == "assigned_to":
        return TicketQuery(state="all", assignee="me")
    if param == "contact_id":
        return TicketQuery(state="all", requester_id=str(ticket.user_id))
    if param == "priority_id":
        return TicketQuery(state="all", priority_ids=(str(ticket.priority + 2),))
    return TicketQuery(state="all", category_ids=(str(ticket.category_id),))


def _passes(rig: Rig, param: str, query: TicketQuery, ticket_id: str) -> bool:
    record = rig.sim.dataset.tickets[int(ticket_id)]
    if param == "status_id":
        return record.status != "closed"
    if param == "assigned_to":
        return record.assignee_id == rig.sim.dataset.agents[0].id
    if param == "contact_id":
        return str(record.user_id) == query.requester_id
    if param == "priority_id":
        return str(record.priority + 2) in query.priority_ids
    return str(record.category_id) in query.category_ids


@pytest.mark.parametrize("param", ["status_id", "assigned_to", "contact_id", "priority_id", "category_id"])
async def test_an_ignored_filter_moves_here_for_the_session(rig: Rig, param: str) -> None:
    rig.sim.ignored_params = {param}
    query = _filter_case(rig, param)
    page = await rig.backend.list_tickets(query, 1, 100)
    assert param in rig.calls("GET", "/tickets")[-1].query
    assert all(_passes(rig, param, query, t.id) for t in page.items)
    assert page.filtered_here and page.total is None and page.has_next
    assert f"filter:{param}" in rig.backend.limitations
    second = await rig.backend.list_tickets(query, 2, 100)
    assert param not in rig.calls("GET", "/tickets")[-1].query
    assert second.filtered_here and all(_passes(rig, param, query, t.id) for t in second.items)


async def test_honoured_filters_keep_server_totals(rig: Rig) -> None:
    page = await rig.backend.list_tickets(TicketQuery(state="all", assignee="me"), 1, 20)
    assert not page.filtered_here and page.total is not None
    assert not rig.backend.limitations


async def test_an_ignored_ticket_search_is_checked_once_then_done_here(rig: Rig) -> None:
    rig.sim.ignored_params = {"search"}
    subject = (await rig.backend.list_tickets(ALL, 1, 100)).items[3].subject
    page = await rig.backend.list_tickets(TicketQuery(state="all", text="zzzz-no-such-words"), 1, 50)
    assert page.items == () and page.filtered_here
    checks = [s for s in rig.calls("GET", "/tickets") if s.query.get("search", "").startswith("zq-no-such-text-")]
    assert len(checks) == 1
    assert "search:tickets" in rig.backend.limitations
    found = await rig.backend.list_tickets(TicketQuery(state="all", text=subject.lower()), 1, 100)
    assert found.items and all(subject.lower() in t.subject.lower() for t in found.items)
    assert "search" not in rig.calls("GET", "/tickets")[-1].query


async def test_an_honoured_search_is_not_turned_off(rig: Rig) -> None:
    word = "printer"
    await rig.backend.list_tickets(TicketQuery(state="all", text=word), 1, 50)
    await rig.backend.list_tickets(TicketQuery(state="all", text="zzzz-no-such-words"), 1, 50)
    assert "search:tickets" not in rig.backend.limitations


async def test_an_ignored_contact_search_is_done_here(rig: Rig) -> None:
    rig.sim.ignored_params = {"search"}
    person = rig.sim.dataset.users[5]
    page = await rig.backend.list_users("zzzz-nobody", 1, 50)
    assert page.items == () and page.filtered_here and page.total is None
    assert "search:contacts" in rig.backend.limitations
    found = await rig.backend.list_users(person.email, 1, 100)
    assert person.email in {u.email for u in found.items}


async def test_an_ignored_sort_is_said(rig: Rig) -> None:
    rig.sim.ignored_params = {"sort"}
    await rig.backend.list_tickets(TicketQuery(state="all", descending=False), 1, 50)
    assert "server's own order" in rig.backend.limitations["sort"].instead
    await rig.backend.list_tickets(TicketQuery(state="all", descending=False), 1, 50)
    assert "sort" not in rig.calls("GET", "/tickets")[-1].query


async def test_an_honoured_sort_is_not_turned_off(rig: Rig) -> None:
    await rig.backend.list_tickets(TicketQuery(state="all", descending=False), 1, 50)
    await rig.backend.list_tickets(TicketQuery(state="all", sort="created"), 1, 50)
    assert "sort" not in rig.backend.limitations


# -- what a ticket may look like ------------------------------------------------------------------


class Flat(HelpDeskProSimulator):
    """Tickets with ``assigned_to`` as an id, ``status`` and ``priority`` as names."""

    def _ticket(self, ticket: Any, detail: bool = False) -> dict[str, Any]:
        data = super()._ticket(ticket, detail)
        data["assigned_to"] = ticket.assignee_id
        data["status"] = data["status"]["name"]
        data["priority"] = data["priority"]["name"]
        return data


@pytest.mark.parametrize("sim", [Flat], indirect=True)
async def test_flat_tickets_are_read_as_far_as_they_go(rig: Rig) -> None:
    me = rig.sim.dataset.agents[0].id
    record = next(t for t in rig.sim.dataset.ticket_list() if t.assignee_id not in (None, me))
    ticket = await rig.backend.get_ticket(str(record.id))
    assert ticket.assignee is not None and ticket.assignee.id == str(record.assignee_id)
    assert ticket.assignee.name == f"agent #{record.assignee_id}"
    assert ticket.status is not None and ticket.priority is not None
    await rig.backend.agents()
    again = await rig.backend.get_ticket(str(record.id))
    assert again.assignee is not None and again.assignee.name == rig.sim.dataset.agent(record.assignee_id).name
    page = await rig.backend.list_tickets(OPEN, 1, 50)
    assert page.items and all(t.status is not None and not t.status.closed for t in page.items)


async def test_names_come_from_first_and_last_name(rig: Rig) -> None:
    rig.sim.user_name = False
    await rig.backend.login()
    assert rig.backend._me is not None and rig.backend._me.name == "Alice Abbott"
    assert (await rig.backend.whoami()).name == "Alice Abbott"
    agents = await rig.backend.agents()
    assert all(a.name == rig.sim.dataset.agent(int(a.id)).name for a in agents)
    page = await rig.backend.list_tickets(ALL, 1, 50)
    assert any(t.assignee for t in page.items)
    assert all(t.assignee.name == rig.sim.dataset.agent(int(t.assignee.id)).name for t in page.items if t.assignee)


# -- the thread and writes ------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["route404", "405", "malformed", "shape"])
async def test_a_missing_thread_route_turns_the_thread_off(rig: Rig, fault: str) -> None:
    rig.sim.faults.route_faults["GET /tickets/{key}/comments"] = fault
    tid = rig.ticket_id()
    with pytest.raises(FeatureUnavailable) as info:
        await rig.backend.get_thread(tid)
    assert info.value.feature == "thread"
    assert "/api/v1/tickets/{id}/comments" in rig.backend.limitations["thread"].message
    with pytest.raises(FeatureUnavailable):
        await rig.backend.get_thread(rig.ticket_id(1))
    assert rig.count("GET", f"/tickets/{tid}/comments") == 1
    assert not rig.calls("GET", f"/tickets/{rig.ticket_id(1)}/comments")


async def test_a_missing_record_stays_not_found(rig: Rig) -> None:
    with pytest.raises(NotFound):
        await rig.backend.get_thread("987654")
    with pytest.raises(NotFound):
        await rig.backend.get_ticket("987654")
    with pytest.raises(NotFound):
        await rig.backend.get_user("987654")
    with pytest.raises(NotFound):
        await rig.backend.add_reply("987654", "Hello")
    with pytest.raises(NotFound):
        await rig.backend.update_ticket("987654", TicketChange(priority_id="4"))
    assert not rig.backend.limitations


async def test_a_server_error_on_the_thread_is_no_limitation(rig: Rig) -> None:
    rig.sim.faults.route_faults["GET /tickets/{key}/comments"] = "502"
    with pytest.raises(Unavailable):
        await rig.backend.get_thread(rig.ticket_id())
    assert "thread" not in rig.backend.limitations


async def test_reply_and_note_return_the_stored_comment(rig: Rig) -> None:
    tid = rig.ticket_id()
    assert HelpDeskProBackend.notes_documented is False and rig.backend.notes_confirmed is False
    reply = await rig.backend.add_reply(tid, "Everyone sees this.")
    assert reply is not None and reply.kind is CommentKind.REPLY and reply.body == "Everyone sees this."
    assert rig.backend.notes_confirmed is False
    note = await rig.backend.add_note(tid, "Only agents see this.")
    assert note is not None and note.kind is CommentKind.NOTE and note.ticket_id == tid
    assert rig.backend.notes_confirmed is True


async def test_a_note_whose_is_internal_is_dropped_is_not_confirmed(rig: Rig) -> None:
    rig.sim.ignored_fields = {"is_internal"}
    tid = rig.ticket_id()
    note = await rig.backend.add_note(tid, "Meant for agents.")
    assert note is not None and note.kind is CommentKind.REPLY  # the answer shows it went public
    assert rig.backend.notes_confirmed is False
    assert rig.sim.dataset.tickets[int(tid)].comments[-1].kind == "reply"


class WrappedComment(HelpDeskProSimulator):
    """POST comments answers ``data: {comment: {...}}``."""

    def _add_comment(self, request: SimRequest, key: str) -> SimResponse:
        answer = super()._add_comment(request, key)
        body = json.loads(answer.body)
        body["data"] = {"comment": body["data"], "ticket_id": int(key)}
        return SimResponse.json(body, answer.status)


@pytest.mark.parametrize("sim", [WrappedComment], indirect=True)
async def test_a_comment_wrapped_in_data_comment_is_read(rig: Rig) -> None:
    note = await rig.backend.add_note(rig.ticket_id(), "Wrapped.")
    assert note is not None and note.is_note and note.body == "Wrapped."
    assert rig.backend.notes_confirmed is True


@pytest.mark.parametrize("fault", ["malformed", "shape"])
async def test_an_unreadable_2xx_to_a_comment_never_raises(rig: Rig, fault: str) -> None:
    rig.sim.faults.route_faults["POST /tickets/{key}/comments"] = fault
    tid = rig.ticket_id()
    before = rig.comments_on(tid)
    assert await rig.backend.add_reply(tid, "Sent once.") is None
    assert await rig.backend.add_note(tid, "Noted once.") is None
    assert rig.comments_on(tid) == before + 2
    assert rig.backend.notes_confirmed is False
    assert not rig.backend.limitations


@pytest.mark.parametrize("fault", ["route404", "405"])
async def test_a_missing_comments_post_turns_replies_and_notes_off(rig: Rig, fault: str) -> None:
    rig.sim.faults.route_faults["POST /tickets/{key}/comments"] = fault
    tid = rig.ticket_id()
    before = rig.comments_on(tid)
    with pytest.raises(FeatureUnavailable) as reply:
        await rig.backend.add_reply(tid, "Hello")
    assert reply.value.feature == "replies" and reply.value.instead == "nothing was stored"
    with pytest.raises(FeatureUnavailable):
        await rig.backend.add_reply(tid, "Hello again")
    with pytest.raises(FeatureUnavailable) as note:
        await rig.backend.add_note(tid, "Psst")
    assert note.value.feature == "notes"
    assert rig.count("POST", f"/tickets/{tid}/comments") == 2  # one reply, one note; the second reply not sent
    assert rig.comments_on(tid) == before
    assert {"replies", "notes"} <= set(rig.backend.limitations)


async def test_patch_refused_is_retried_once_as_put_and_put_is_remembered(rig: Rig) -> None:
    rig.sim.missing_routes = {"PATCH /tickets/{key}"}
    tid = rig.ticket_id()
    await rig.backend.update_ticket(tid, TicketChange(priority_id="4"))
    assert rig.sim.dataset.tickets[int(tid)].priority == 2
    assert [(s.method, s.status) for s in rig.seen if s.path == f"{API}/tickets/{tid}"] == [
        ("PATCH", 405),
        ("PUT", 200),
    ]
    await rig.backend.update_ticket(tid, TicketChange(priority_id="1"))
    assert rig.count("PATCH", f"/tickets/{tid}") == 1 and rig.count("PUT", f"/tickets/{tid}") == 2
    assert rig.sim.dataset.tickets[int(tid)].priority == -1
    assert "update" not in rig.backend.limitations


async def test_put_refused_too_turns_update_off(rig: Rig) -> None:
    rig.sim.faults.route_faults["PATCH /tickets/{key}"] = "405"  # Allow: GET, PUT
    rig.sim.faults.route_faults["PUT /tickets/{key}"] = "405"
    tid = rig.ticket_id()
    before = rig.sim.dataset.tickets[int(tid)].priority
    with pytest.raises(FeatureUnavailable) as info:
        await rig.backend.update_ticket(tid, TicketChange(priority_id="4"))
    assert info.value.feature == "update" and "nothing was changed" in info.value.message
    assert "PUT answered 405" in info.value.message
    with pytest.raises(FeatureUnavailable):
        await rig.backend.close_ticket(tid)
    assert rig.count("PATCH", f"/tickets/{tid}") == 1 and rig.count("PUT", f"/tickets/{tid}") == 1
    assert rig.sim.dataset.tickets[int(tid)].priority == before


async def test_a_405_that_allows_no_put_is_not_retried(rig: Rig) -> None:
    rig.sim.missing_routes = {"PATCH /tickets/{key}", "PUT /tickets/{key}"}  # Allow: GET, HEAD
    tid = rig.ticket_id()
    with pytest.raises(FeatureUnavailable) as info:
        await rig.backend.update_ticket(tid, TicketChange(priority_id="4"))
    assert info.value.feature == "update"
    assert rig.count("PATCH", f"/tickets/{tid}") == 1 and rig.count("PUT", f"/tickets/{tid}") == 0


class CreatedAnswers(HelpDeskProSimulator):
    """POST tickets answers with the ticket in ``data.ticket`` (mode "wrapped") or with no data (mode "bare")."""

    mode = "wrapped"

    def _create_ticket(self, request: SimRequest) -> SimResponse:
        answer = super()._create_ticket(request)
        body = json.loads(answer.body)
        if self.mode == "wrapped":
            body["data"] = {"ticket": body["data"]}
        else:
            body.pop("data")
            body["message"] = "Ticket created"
        return SimResponse.json(body, answer.status)


@pytest.mark.parametrize("sim", [CreatedAnswers], indirect=True)
async def test_create_reads_data_ticket_or_reports_created_without_it(rig: Rig) -> None:
    assert isinstance(rig.sim, CreatedAnswers)
    count = len(rig.sim.dataset.tickets)
    ticket = await rig.backend.create_ticket(NewTicket(subject="Wrapped", body="In data.ticket"))
    assert ticket is not None and ticket.subject == "Wrapped"
    rig.sim.mode = "bare"
    assert await rig.backend.create_ticket(NewTicket(subject="Bare", body="No data")) is None
    assert len(rig.sim.dataset.tickets) == count + 2


@pytest.mark.parametrize("fault", ["malformed", "shape"])
async def test_an_unreadable_answer_to_create_is_created(rig: Rig, fault: str) -> None:
    rig.sim.faults.route_faults["POST /tickets"] = fault
    count = len(rig.sim.dataset.tickets)
    assert await rig.backend.create_ticket(NewTicket(subject="Once", body="Only once")) is None
    assert len(rig.sim.dataset.tickets) == count + 1


# -- contacts -------------------------------------------------------------------------------------


class PlainContacts(HelpDeskProSimulator):
    """GET contacts answers a plain list, without pagination."""

    def _list_contacts(self, request: SimRequest) -> SimResponse:
        return self.ok([self._contact(u) for u in self.dataset.users[:30]])


@pytest.mark.parametrize("sim", [PlainContacts], indirect=True)
async def test_contacts_without_pagination_are_one_page(rig: Rig) -> None:
    page = await rig.backend.list_users(None, 1, 50)
    assert len(page.items) == 30 and page.has_next is False and page.total == 30


async def test_a_missing_contact_route_says_the_ticket_has_the_details(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /contacts/{cid}"}
    with pytest.raises(FeatureUnavailable) as info:
        await rig.backend.get_user(str(rig.sim.dataset.users[0].id))
    assert info.value.feature == "contact"
    assert info.value.instead == "the requester's details come from the ticket"
    with pytest.raises(FeatureUnavailable):
        await rig.backend.get_user(str(rig.sim.dataset.users[1].id))
    assert rig.count("GET", f"/contacts/{rig.sim.dataset.users[1].id}") == 0


async def test_a_missing_contacts_route_turns_contacts_off(rig: Rig) -> None:
    rig.sim.missing_routes = {"GET /contacts"}
    with pytest.raises(FeatureUnavailable) as info:
        await rig.backend.list_users(None, 1, 50)
    assert info.value.feature == "contacts"
    with pytest.raises(FeatureUnavailable):
        await rig.backend.list_users("x", 1, 50)
    assert rig.count("GET", "/contacts") == 1


# -- jump by number -------------------------------------------------------------------------------


async def test_the_number_shown_is_not_the_id_and_find_ticket_id_maps_it(rig: Rig) -> None:
    page = await rig.backend.list_tickets(ALL, 1, 20)
    row = page.items[4]
    assert row.number != row.id
    with pytest.raises(NotFound):
        await rig.backend.get_ticket(row.number)  # tickets/{id} binds on the id only
    before = len(rig.seen)
    assert await rig.backend.find_ticket_id(row.number) == row.id
    assert await rig.backend.find_ticket_id(f"#{row.number}") == row.id
    assert len(rig.seen) == before  # answered from the rows already seen


class UidSearch(HelpDeskProSimulator):
    """A server whose ticket search also matches the uid."""

    def _list_tickets(self, request: SimRequest) -> SimResponse:
        text = request.arg("search") or ""
        if text.isdigit():
            match = [t for t in self.dataset.tickets.values() if self._uid(t) == text]
            return self._paginate(request, match, self._ticket)
        return super()._list_tickets(request)


@pytest.mark.parametrize("sim", [UidSearch], indirect=True)
async def test_find_ticket_id_asks_the_server_for_an_unseen_number(rig: Rig) -> None:
    record = rig.sim.dataset.ticket_list()[10]
    number = str(100000 + record.id)
    assert await rig.backend.find_ticket_id(number) == str(record.id)
    assert rig.calls("GET", "/tickets")[-1].query["search"] == number
    assert await rig.backend.find_ticket_id("999999") is None


async def test_find_ticket_id_is_none_for_an_unknown_number(rig: Rig) -> None:
    assert await rig.backend.find_ticket_id("100") is None
    assert await rig.backend.find_ticket_id("  ") is None


# -- the strict server, end to end ----------------------------------------------------------------


async def test_the_strict_server_loop_works(rig: Rig) -> None:
    rig.sim.make_strict()
    backend = rig.backend
    open_page = await backend.list_tickets(OPEN, 1, 50)
    assert open_page.items and all(t.status is not None and not t.status.closed for t in open_page.items)
    all_page = await backend.list_tickets(ALL, 1, 50)
    assert all_page.total == len(rig.sim.dataset.tickets) and not all_page.filtered_here
    row = open_page.items[0]
    ticket_id = await backend.find_ticket_id(row.number)
    assert ticket_id == row.id
    ticket = await backend.get_ticket(ticket_id)
    thread = await backend.get_thread(ticket.id)
    reply = await backend.add_reply(ticket.id, "On it.")
    note = await backend.add_note(ticket.id, "Checked the logs.")
    assert reply is not None and note is not None and note.is_note
    waiting = next(s for s in await backend.statuses() if s.waiting)
    await backend.update_ticket(ticket.id, TicketChange(status_id=waiting.id))
    assert rig.sim.dataset.tickets[int(ticket.id)].status == "waiting"
    assert len(await backend.get_thread(ticket.id)) == len(thread) + 2
    assert {"statuses", "priorities"} <= set(backend.limitations)
    assert "update" not in backend.limitations
