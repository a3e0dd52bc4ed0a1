"""Jitbit specifics: field-name normalisation, count/offset paging, notes, Basic/Bearer auth, IP block, assets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.backends.jitbit import JitbitBackend
from tui_desk.config.profile import Profile
from tui_desk.errors import AuthError, InvalidInput, NotFound, Throttled
from tui_desk.http import RetryPolicy
from tui_desk.models import CommentKind, NewTicket, TicketChange, TicketQuery
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.jitbit import JitbitSimulator

FAST = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01)


@dataclass
class Desk:
    """A Jitbit simulator on loopback and an adapter signed in as demo/demo."""

    sim: JitbitSimulator
    server: SimServer
    backend: JitbitBackend
    client: httpx.Client  # raw requests as demo/demo, to check the wire format itself

    def adapter(self, **changes: object) -> JitbitBackend:
        """Another adapter against the same simulator."""
        values = {"backend": "jitbit", "url": self.server.base_url, "username": "demo", "password": "demo", **changes}
        backend = JitbitBackend.create(Profile.model_validate(values))
        assert isinstance(backend, JitbitBackend)
        backend.http.policy = FAST
        return backend

    def raw(self, method: str, path: str, **params: object) -> httpx.Response:
        """A direct request to the simulator, to check the wire format itself."""
        return self.client.request(method, f"/api/{path}", params=params)  # type: ignore[arg-type]

    def requests_to(self, name: str) -> int:
        """How many requests the simulator served on ``/api/<name>`` (any case)."""
        return sum(1 for _, path in self.sim.log if path.lower() == f"/api/{name.lower()}")


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(JitbitSimulator(fresh_dataset())) as srv:
        yield srv


@pytest.fixture
async def desk(server: SimServer) -> AsyncIterator[Desk]:
    backend = JitbitBackend.create(Profile(backend="jitbit", url=server.base_url, username="demo", password="demo"))
    assert isinstance(backend, JitbitBackend)
    backend.http.policy = FAST
    sim = server.simulator
    assert isinstance(sim, JitbitSimulator)
    client = httpx.Client(base_url=server.base_url, auth=("demo", "demo"))
    try:
        yield Desk(sim, server, backend, client)
    finally:
        client.close()
        await backend.aclose()


# -- wire format and normalisation ------------------------------------------------------------------------


async def test_list_row_and_detail_field_names_normalise_to_one_ticket(desk: Desk) -> None:
    row = desk.raw("GET", "Tickets", count=1).json()[0]
    assert "IssueID" in row and "Category" in row and "TicketID" not in row
    detail = desk.raw("GET", "Ticket", id=row["IssueID"]).json()
    assert "TicketID" in detail and "CategoryName" in detail and "IssueID" not in detail
    assert detail["SubmitterUserInfo"]["UserID"] == row["UserID"]

    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 1)
    ticket = await desk.backend.get_ticket(page.items[0].id)
    summary = page.items[0]
    assert summary.id == ticket.id == str(row["IssueID"])
    assert summary.category is not None and ticket.category is not None
    assert summary.category.name == ticket.category.name == row["Category"]
    assert summary.status == ticket.status
    assert summary.requester is not None and ticket.requester is not None
    assert summary.requester.email == ticket.requester.email == row["Email"]
    record = desk.sim.dataset.tickets[int(ticket.id)]
    assert ticket.tags == tuple(record.tags)
    assert ticket.body.splitlines()[0] == record.body.splitlines()[0]


async def test_priorities_are_ranked_from_jitbits_numbers(desk: Desk) -> None:
    priorities = await desk.backend.priorities()
    assert [(p.id, p.name, p.rank) for p in priorities] == [
        ("-1", "Low", 0),
        ("0", "Normal", 1),
        ("1", "High", 2),
        ("2", "Critical", 3),
    ]


async def test_statuses_merge_documented_ids_with_custom_ones_seen_in_rows(desk: Desk) -> None:
    statuses = {s.id: s for s in await desk.backend.statuses()}
    assert statuses["3"].closed and not statuses["1"].closed
    assert statuses["4"].name == "Waiting on customer" and statuses["4"].waiting
    assert statuses["5"].name == "On hold" and not statuses["5"].waiting and not statuses["5"].closed


# -- paging and filters ---------------------------------------------------------------------------------------


async def test_count_offset_paging_until_a_short_page(desk: Desk) -> None:
    query = TicketQuery(state="all")
    seen: list[str] = []
    number = 1
    while True:
        page = await desk.backend.list_tickets(query, number, 250)
        assert page.total is None  # Jitbit reports no total
        seen += [t.id for t in page.items]
        if not page.has_next:
            break
        number += 1
    assert number == 3 and len(page.items) == 100
    assert sorted(seen) == sorted(str(t) for t in desk.sim.dataset.tickets)
    stamps = [t.updated_at for t in (await desk.backend.list_tickets(query, 1, 50)).items]
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]


async def test_page_size_is_capped_at_300(desk: Desk) -> None:
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 1000)
    assert page.size == 300 and len(page.items) == 300 and page.has_next


async def test_client_side_filters_never_end_paging_early(desk: Desk) -> None:
    query = TicketQuery(state="all", priority_ids=("2",))
    pages = []
    number = 1
    while True:
        page = await desk.backend.list_tickets(query, number, 20)
        pages.append(page)
        if not page.has_next:
            break
        number += 1
    assert any(not p.items and p.has_next for p in pages), "a filtered-empty page must still say has_next"
    found = [t.id for p in pages for t in p.items]
    expected = {str(t.id) for t in desk.sim.dataset.tickets.values() if t.priority == 2}
    assert set(found) == expected and len(found) == len(expected)

    loose = await desk.backend.list_tickets(TicketQuery(state="open", assignee="unassigned"), 1, 20)
    assert loose.has_next and len(loose.items) < 20
    assert all(t.assignee is None for t in loose.items)


async def test_open_closed_and_mine_use_jitbits_own_filters(desk: Desk) -> None:
    await desk.backend.whoami()
    closed = await desk.backend.list_tickets(TicketQuery(state="closed"), 1, 300)
    assert closed.items and all(t.status is not None and t.status.id == "3" for t in closed.items)
    mine = await desk.backend.list_tickets(TicketQuery(state="open", assignee="me"), 1, 300)
    assert mine.items and all(t.assignee is not None and t.assignee.id == "1" for t in mine.items)
    assert all(t.status is not None and not t.status.closed for t in mine.items)
    expected = sum(1 for t in desk.sim.dataset.tickets.values() if t.assignee_id == 1 and t.status != "closed")
    assert len(mine.items) == expected


async def test_search_reads_once_and_pages_on_our_side(desk: Desk) -> None:
    query = TicketQuery(state="all", text="printer")
    first = await desk.backend.list_tickets(query, 1, 3)
    second = await desk.backend.list_tickets(query, 2, 3)
    assert desk.requests_to("Search") == 1
    assert first.has_next and len(first.items) == 3
    assert not {t.id for t in first.items} & {t.id for t in second.items}
    for item in (*first.items, *second.items):
        record = desk.sim.dataset.tickets[int(item.id)]
        text = " ".join([record.subject, record.body, *(c.body for c in record.comments)]).lower()
        assert "printer" in text
    closed = await desk.backend.list_tickets(TicketQuery(state="closed", text="printer"), 1, 300)
    assert closed.items and all(t.status is not None and t.status.closed for t in closed.items)


# -- thread and writes ------------------------------------------------------------------------------------------


async def test_notes_replies_and_system_entries_are_told_apart(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[0].id)
    await desk.backend.add_reply(tid, "Please restart the router.")
    await desk.backend.add_note(tid, "Router is on the recall list.")
    assert desk.raw("POST", "comment", id=tid, body="Status changed", isSystem="true").status_code == 200
    wire = desk.raw("GET", "comments", id=tid).json()
    assert [c["ForTechsOnly"] for c in wire[-3:]] == [False, True, False]
    thread = await desk.backend.get_thread(tid)
    assert [c.kind for c in thread[-3:]] == [CommentKind.REPLY, CommentKind.NOTE, CommentKind.SYSTEM]
    assert thread[-2].body == "Router is on the recall list." and thread[-2].author.is_agent
    stamps = [c.created_at for c in thread]
    assert stamps == sorted(stamps)  # type: ignore[type-var]


async def test_update_unassign_and_close(desk: Desk) -> None:
    record = next(t for t in desk.sim.dataset.ticket_list() if t.assignee_id and t.status == "open")
    tid = str(record.id)
    await desk.backend.update_ticket(tid, TicketChange(priority_id="2", status_id="4"))
    assert (record.priority, record.status) == (2, "waiting")
    await desk.backend.update_ticket(tid, TicketChange(assignee_id=""))
    assert record.assignee_id is None
    await desk.backend.close_ticket(tid)
    ticket = await desk.backend.get_ticket(tid)
    assert ticket.status is not None and ticket.status.closed and ticket.assignee is None


async def test_bad_update_is_invalid_input_with_jitbits_text(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[0].id)
    with pytest.raises(InvalidInput) as info:
        await desk.backend.update_ticket(tid, TicketChange(status_id="99"))
    assert "Status 99 not found" in info.value.message
    with pytest.raises(NotFound) as missing:
        await desk.backend.get_ticket("987654")
    assert "987654" in missing.value.message


async def test_create_ticket_reads_the_plain_id_answer(desk: Desk) -> None:
    user = await desk.backend.get_user(str(desk.sim.dataset.users[2].id))
    draft = NewTicket(subject="Scanner offline", body="Since 9:00.", category_id="10", priority_id="1", requester=user)
    ticket = await desk.backend.create_ticket(draft)
    assert ticket.subject == "Scanner offline" and ticket.priority is not None and ticket.priority.rank == 2
    assert ticket.requester is not None and ticket.requester.email == user.email
    assert desk.sim.dataset.tickets[int(ticket.id)].user_id == int(user.id)
    before = desk.sim.request_count
    with pytest.raises(InvalidInput):
        await desk.backend.create_ticket(NewTicket(subject="x", body="y"))
    assert desk.sim.request_count == before  # refused before sending


async def test_parameters_may_come_as_json_too(desk: Desk) -> None:
    record = desk.sim.dataset.ticket_list()[3]
    response = desk.client.post("/api/UpdateTicket", json={"id": record.id, "priority": -1})
    assert response.status_code == 200 and record.priority == -1


# -- auth ---------------------------------------------------------------------------------------------------------


async def test_whoami_and_bearer_token(desk: Desk) -> None:
    me = await desk.backend.whoami()
    agent = desk.sim.dataset.agents[0]
    assert (me.id, me.name, me.email) == (str(agent.id), agent.name, agent.email)
    token_backend = desk.adapter(username=None, password=None, token="demo-token")
    try:
        assert (await token_backend.whoami()).id == me.id
    finally:
        await token_backend.aclose()
    wrong = desk.adapter(username=None, password=None, token="nope")
    try:
        with pytest.raises(AuthError):
            await wrong.whoami()
    finally:
        await wrong.aclose()


async def test_bad_password_is_one_request_and_no_secret_in_the_message(desk: Desk) -> None:
    bad = desk.adapter(password="hunter2-wrong")
    before = desk.sim.request_count
    try:
        with pytest.raises(AuthError) as info:
            await bad.whoami()
    finally:
        await bad.aclose()
    assert desk.sim.request_count - before == 1
    assert "hunter2" not in info.value.user_message() and "hunter2" not in repr(bad.http.client.auth)


async def test_three_failed_logins_block_the_ip_for_five_minutes(desk: Desk) -> None:
    now = [1000.0]
    desk.sim.clock = lambda: now[0]
    bad = desk.adapter(password="wrong")
    try:
        for _ in range(3):
            with pytest.raises(AuthError):
                await bad.whoami()
    finally:
        await bad.aclose()
    before = desk.sim.request_count
    with pytest.raises(Throttled) as info:
        await desk.backend.whoami()  # right password, blocked IP: no hammering, a clear wait
    assert desk.sim.request_count - before == 1
    assert info.value.retry_after == 300
    now[0] += 301
    assert (await desk.backend.whoami()).id == "1"


async def test_a_success_resets_the_failed_login_count(desk: Desk) -> None:
    bad = desk.adapter(password="wrong")
    try:
        for _ in range(2):
            with pytest.raises(AuthError):
                await bad.whoami()
        await desk.backend.whoami()
        for _ in range(2):
            with pytest.raises(AuthError):
                await bad.whoami()
    finally:
        await bad.aclose()
    assert (await desk.backend.whoami()).id == "1"


async def test_throttling_without_a_hint_backs_off_and_recovers(desk: Desk) -> None:
    desk.sim.faults.throttle_every = 2
    await desk.backend.whoami()  # request 1
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 10)  # request 2 throttled, 3 served
    assert len(page.items) == 10
    assert desk.sim.request_count == 3
    response = httpx.Response(429, text="Too many requests: wait a bit")
    assert JitbitBackend.throttle_wait(response) == 0.0
    assert JitbitBackend.throttle_wait(httpx.Response(429, text="blocked, try again in 5 minutes")) == 300
    assert JitbitBackend.throttle_wait(httpx.Response(404, text="Ticket 5 not found")) is None


async def test_paths_and_parameter_names_are_case_insensitive(desk: Desk) -> None:
    upper = desk.client.get("/API/TICKETS", params={"COUNT": 2})
    assert upper.status_code == 200 and len(upper.json()) == 2
    lower = desk.client.get("/api/tickets", params={"count": 2})
    assert lower.json() == upper.json()
    unknown = desk.raw("GET", "NoSuchMethod")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/plain")


# -- reference data, users, assets --------------------------------------------------------------------------------


async def test_agents_from_techs_for_category_and_canned_responses(desk: Desk) -> None:
    agents = await desk.backend.agents()
    assert sorted(a.id for a in agents) == sorted(str(a.id) for a in desk.sim.dataset.agents)
    assert desk.requests_to("TechsForCategory") == len(desk.sim.dataset.categories)
    canned = await desk.backend.canned_responses()
    assert [c.name for c in canned] == [name for _, name, _ in desk.sim.dataset.templates]


async def test_user_search_filters_pages_and_uses_user_by_email(desk: Desk) -> None:
    target = desk.sim.dataset.users[11]
    page = await desk.backend.list_users(target.last, 1, 50)
    assert any(u.id == str(target.id) for u in page.items)
    assert all(target.last.lower() in (u.name + (u.email or "")).lower() for u in page.items)
    assert not page.has_next  # 168 accounts fit in one scanned page of 500
    by_email = await desk.backend.list_users(target.email.upper(), 1, 50)
    assert [u.id for u in by_email.items] == [str(target.id)]
    assert desk.requests_to("UserByEmail") == 1
    plain = await desk.backend.list_users(None, 2, 50)
    assert len(plain.items) == 50 and plain.has_next


async def test_assets_pages_of_fifty_types_and_name_prefix(desk: Desk) -> None:
    types = await desk.backend.asset_types()
    assert {t.name for t in types} == {"Laptop", "Monitor", "Phone", "Licence"}
    first = await desk.backend.list_assets(None, None, 1, 10)
    assert len(first.items) == 50 and first.has_next  # Jitbit's page size, whatever we ask
    last = await desk.backend.list_assets(None, None, 5, 10)
    assert len(last.items) == 40 and not last.has_next
    laptop = next(t for t in types if t.name == "Laptop")
    laptops = await desk.backend.list_assets(laptop.id, None, 1, 50)
    assert laptops.items and laptops.has_next and all(a.type == laptop for a in laptops.items)

    record = desk.sim.dataset.assets[5007]
    named = await desk.backend.list_assets(None, record.name[:5], 1, 50)
    assert any(a.id == "5007" for a in named.items) and not named.has_next
    short = await desk.backend.list_assets(None, record.name[:2], 1, 50)  # too short for nameprefix
    assert short.items and all(a.name.lower().startswith(record.name[:2].lower()) for a in short.items)

    asset = await desk.backend.get_asset("5007")
    assert asset.serial == record.serial and asset.name == record.name
    assert {f.name for f in asset.custom_fields} >= {"Serial Number", "Manufacturer", "Model"}
    assert asset.ticket_ids == tuple(str(t) for t in record.ticket_ids)
    assert [p.id for p in asset.assigned_users] == [str(u) for u in record.user_ids]


async def test_user_assets(desk: Desk) -> None:
    owner = next(a.user_ids[0] for a in desk.sim.dataset.assets.values() if a.user_ids)
    assets = await desk.backend.user_assets(str(owner))
    expected = {str(a.id) for a in desk.sim.dataset.assets.values() if owner in a.user_ids}
    assert {a.id for a in assets} == expected
