"""Jitbit over loopback: field names, statuses, legacy dates and bodies, paging, techs, permissions, limits, assets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.backends import jitbit
from tui_desk.backends.jitbit import JitbitBackend
from tui_desk.config.profile import Profile
from tui_desk.errors import AuthError, InvalidInput, NotFound, PermissionDenied, Throttled, Unsupported
from tui_desk.http import RetryPolicy
from tui_desk.models import CommentKind, NewTicket, TicketChange, TicketQuery
from tui_desk.simulators.core import SimServer
from tui_desk.simulators.jitbit import CLOSED, UNRESOLVED, WAITING, JitbitSimulator

FAST = RetryPolicy(attempts=4, max_wait=5.0, total_wait=8.0, backoff=0.01)


@dataclass
class Desk:
    """A Jitbit simulator on loopback and an adapter signed in as demo/demo (the admin)."""

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
    jitbit._LOGIN_FAILURES.clear()  # failed sign-ins are counted per server for the whole process
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


@pytest.fixture
async def tech(desk: Desk) -> AsyncIterator[JitbitBackend]:
    """An adapter signed in as tech/tech: a technician without administrator rights."""
    backend = desk.adapter(username="tech", password="tech")
    try:
        yield backend
    finally:
        await backend.aclose()


def ms(value: datetime) -> datetime:
    """``value`` to the millisecond, as Jitbit writes it."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000).astimezone(UTC)


# -- wire format and normalisation ------------------------------------------------------------------------


async def test_list_row_and_detail_field_names_normalise_to_one_ticket(desk: Desk) -> None:
    row = desk.raw("GET", "Tickets", count=1).json()[0]
    assert "IssueID" in row and "Category" in row and "TicketID" not in row
    detail = desk.raw("GET", "Ticket", id=row["IssueID"]).json()
    assert "TicketID" in detail and "CategoryName" in detail and "LastUpdated" in detail

    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 1)
    ticket = await desk.backend.get_ticket(page.items[0].id)
    summary = page.items[0]
    assert summary.id == ticket.id == str(row["IssueID"])
    assert summary.category is not None and ticket.category is not None
    assert summary.category.name == ticket.category.name == row["Category"]
    assert summary.status == ticket.status
    assert summary.requester is not None and ticket.requester is not None
    assert summary.requester.email == ticket.requester.email == row["Email"]
    assert ticket.updated_at is not None and ticket.updated_at == summary.updated_at  # the detail's LastUpdated
    record = desk.sim.dataset.tickets[int(ticket.id)]
    assert ticket.tags == tuple(record.tags)


async def test_rows_carrying_ticket_id_instead_of_issue_id(desk: Desk) -> None:
    desk.sim.ticket_id_rows = True
    wire = desk.raw("GET", "Tickets", count=20).json()
    assert any("TicketID" in r and "IssueID" not in r for r in wire)
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 20)
    assert [t.id for t in page.items] == [str(r.get("IssueID") or r.get("TicketID")) for r in wire]


async def test_priorities_are_ranked_from_jitbits_numbers(desk: Desk) -> None:
    priorities = await desk.backend.priorities()
    assert [(p.id, p.name, p.rank) for p in priorities] == [
        ("-1", "Low", 0),
        ("0", "Normal", 1),
        ("1", "High", 2),
        ("2", "Critical", 3),
    ]


# -- statuses ------------------------------------------------------------------------------------------------------


async def test_only_status_3_is_closed_and_unresolved_is_open(desk: Desk) -> None:
    statuses = {s.id: s for s in await desk.backend.statuses()}
    assert statuses[str(UNRESOLVED)].name == "Unresolved" and not statuses[str(UNRESOLVED)].closed
    assert statuses[str(WAITING)].name == "Waiting on customer"
    assert not statuses[str(WAITING)].waiting  # a name is no reason: waiting comes from the profile
    assert [s.id for s in statuses.values() if s.closed] == [str(CLOSED)]


async def test_waiting_and_names_come_from_the_profile(desk: Desk) -> None:
    backend = desk.adapter(waiting_statuses=[str(WAITING)], status_names={"4400": "Escalated"})
    try:
        statuses = {s.id: s for s in await backend.statuses()}
    finally:
        await backend.aclose()
    assert statuses[str(WAITING)].waiting and not statuses["4346"].waiting
    assert statuses["4400"].name == "Escalated" and not statuses["4400"].closed


async def test_localised_status_names_still_close_only_3(desk: Desk) -> None:
    desk.sim.localised = True
    statuses = {s.id: s for s in await desk.backend.statuses()}
    assert statuses["3"].name == "Geschlossen" and statuses["3"].closed
    assert statuses["2"].name == "In Bearbeitung" and not statuses["2"].closed


# -- timestamps and bodies ----------------------------------------------------------------------------------------


async def test_aspnet_dates_load_a_whole_page(desk: Desk) -> None:
    desk.sim.legacy_dates = "all"
    assert desk.raw("GET", "Tickets", count=1).json()[0]["IssueDate"].startswith("/Date(")
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 300)
    assert len(page.items) == 300
    for item in page.items[:50]:
        record = desk.sim.dataset.tickets[int(item.id)]
        assert item.created_at == ms(record.created) and item.updated_at == ms(record.updated)


async def test_mixed_stamps_in_details_and_threads(desk: Desk) -> None:
    aspnet = next(t for t in desk.sim.dataset.ticket_list() if t.id % 97 == 10 and t.comments)
    naive = next(t for t in desk.sim.dataset.ticket_list() if t.id % 97 == 50 and t.comments)
    for record in (aspnet, naive):
        ticket = await desk.backend.get_ticket(str(record.id))
        assert ticket.created_at == ms(record.created) and ticket.updated_at == ms(record.updated)
        thread = await desk.backend.get_thread(str(record.id))
        assert [c.created_at for c in thread] == [
            ms(c.created) for c in sorted(record.comments, key=lambda c: c.created)
        ]
    assert "/Date(" in desk.raw("GET", "comments", id=aspnet.id).text


async def test_html_marker_and_bbcode_bodies_become_text(desk: Desk) -> None:
    tickets = desk.sim.dataset.tickets
    untagged = next(t for t in tickets.values() if t.id % 150 == 20)
    tagged = next(t for t in tickets.values() if t.id % 3 == 0 and t.id % 150 != 20)
    bold = next(t for t in tickets.values() if "[b]" in desk.sim.ticket_body(t))
    for record in (untagged, tagged, bold):
        wire = desk.raw("GET", "Ticket", id=record.id).json()["Body"]
        body = (await desk.backend.get_ticket(str(record.id))).body
        assert "<!--html-->" not in body and "<p>" not in body and "[b]" not in body, (wire[:60], body[:60])
        assert record.body.split()[0] in body
    assert desk.sim.ticket_body(untagged).startswith("<!--html-->")
    thread = await desk.backend.get_thread(str(next(t for t in tickets.values() if len(t.comments) > 3).id))
    assert all("<!--html-->" not in c.body and "[b]" not in c.body for c in thread)


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


async def test_rows_keep_the_servers_order(desk: Desk) -> None:
    desk.sim.order = "id"
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 30)
    assert [t.id for t in page.items] == [str(i) for i in sorted(desk.sim.dataset.tickets, reverse=True)[:30]]


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


async def test_open_closed_and_mine_follow_status_3(desk: Desk) -> None:
    await desk.backend.whoami()
    closed = await desk.backend.list_tickets(TicketQuery(state="closed"), 1, 300)
    assert closed.items and all(t.status is not None and t.status.id == "3" for t in closed.items)
    assert len(closed.items) == sum(1 for t in desk.sim.dataset.tickets.values() if t.status == "closed")
    open_ids: set[str] = set()
    for number in (1, 2):
        open_ids |= {t.id for t in (await desk.backend.list_tickets(TicketQuery(state="open"), number, 300)).items}
    unresolved = {str(i) for i in desk.sim.unresolved}
    assert unresolved <= open_ids and not unresolved & {t.id for t in closed.items}  # "Unresolved" is open
    mine = await desk.backend.list_tickets(TicketQuery(state="open", assignee="me"), 1, 300)
    assert mine.items and all(t.assignee is not None and t.assignee.id == "1" for t in mine.items)
    expected = sum(1 for t in desk.sim.dataset.tickets.values() if t.assignee_id == 1 and t.status != "closed")
    assert len(mine.items) == expected


async def test_search_pages_with_count_and_offset(desk: Desk) -> None:
    query = TicketQuery(state="all", text="printer")
    first = await desk.backend.list_tickets(query, 1, 3)
    second = await desk.backend.list_tickets(query, 2, 3)
    assert desk.requests_to("Search") == 2  # one server page each: was one read, paged on our side
    assert len(first.items) == 3 and first.has_next and len(second.items) == 3
    assert not {t.id for t in first.items} & {t.id for t in second.items}
    for item in (*first.items, *second.items):
        record = desk.sim.dataset.tickets[int(item.id)]
        text = " ".join([record.subject, record.body, *(c.body for c in record.comments)]).lower()
        assert "printer" in text
    closed = await desk.backend.list_tickets(TicketQuery(state="closed", text="printer"), 1, 300)
    assert closed.items and all(t.status is not None and t.status.id == "3" for t in closed.items)
    matches = [t for t in desk.sim.dataset.tickets.values() if "printer" in t.subject.lower()]
    record = next(t for t in matches if t.status != "closed")
    opened = await desk.backend.list_tickets(TicketQuery(state="open", text=record.subject), 1, 300)
    assert str(record.id) in {t.id for t in opened.items}
    assert all(t.status is not None and t.status.id != "3" for t in opened.items)


# -- thread and writes --------------------------------------------------------------------------------------------


async def test_notes_replies_and_system_entries_are_told_apart(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[0].id)
    await desk.backend.add_reply(tid, "Please restart the router.")
    await desk.backend.add_note(tid, "Router is on the recall list.")
    answer = desk.raw("POST", "comment", id=tid, body="Status changed", isSystem="true")
    assert answer.status_code == 200 and answer.json() > 0  # POST comment answers the new id
    wire = desk.raw("GET", "comments", id=tid).json()
    assert [c["ForTechsOnly"] for c in wire[-3:]] == [False, True, False]
    thread = await desk.backend.get_thread(tid)
    assert [c.kind for c in thread[-3:]] == [CommentKind.REPLY, CommentKind.NOTE, CommentKind.SYSTEM]
    assert thread[-2].body == "Router is on the recall list." and thread[-2].author.is_agent
    assert thread[-3].author.is_agent  # the admin, a technician of every category
    stamps = [c.created_at for c in thread]
    assert stamps == sorted(stamps)  # type: ignore[type-var]


async def test_a_first_comment_repeating_the_body_is_not_shown_twice(desk: Desk) -> None:
    draft = NewTicket(subject="Badge reader", body="The badge reader at door 2 beeps.", category_id="10")
    ticket = await desk.backend.create_ticket(draft)
    await desk.backend.add_reply(ticket.id, "The badge reader at door 2 beeps.")
    assert await desk.backend.get_thread(ticket.id) == []
    await desk.backend.add_reply(ticket.id, "Replaced the reader.")
    assert [c.body for c in await desk.backend.get_thread(ticket.id)] == ["Replaced the reader."]


async def test_update_unassign_and_close(desk: Desk) -> None:
    record = next(t for t in desk.sim.dataset.ticket_list() if t.assignee_id and t.status == "open")
    tid = str(record.id)
    await desk.backend.update_ticket(tid, TicketChange(priority_id="2", status_id=str(WAITING)))
    assert (record.priority, record.status) == (2, "waiting")
    tech_id = max(desk.sim.category_techs[record.category_id])
    await desk.backend.update_ticket(tid, TicketChange(assignee_id=str(tech_id)))
    assert record.assignee_id == tech_id
    await desk.backend.update_ticket(tid, TicketChange(assignee_id=""))
    assert record.assignee_id is None
    await desk.backend.close_ticket(tid)
    ticket = await desk.backend.get_ticket(tid)
    assert ticket.status is not None and ticket.status.closed and ticket.assignee is None


async def test_assigning_a_non_technician_of_the_category_says_why(desk: Desk) -> None:
    record = next(t for t in desk.sim.dataset.ticket_list() if t.status == "open")
    before = record.assignee_id
    techs = desk.sim.category_techs[record.category_id]
    outsider = next(a.id for a in desk.sim.dataset.agents if a.id not in techs and a.id != before)
    with pytest.raises(InvalidInput) as info:
        await desk.backend.update_ticket(str(record.id), TicketChange(assignee_id=str(outsider)))
    assert "technician" in info.value.message and "assignee" in info.value.fields
    assert "category" in info.value.user_message()
    assert record.assignee_id == before


async def test_bad_update_is_invalid_input_with_jitbits_text(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[0].id)
    with pytest.raises(InvalidInput) as info:
        await desk.backend.update_ticket(tid, TicketChange(status_id="99"))
    assert "Status 99 not found" in info.value.message
    with pytest.raises(NotFound) as missing:
        await desk.backend.get_ticket("987654")
    assert "987654" in missing.value.message


async def test_create_ticket_reads_the_numeric_id_answer(desk: Desk) -> None:
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


# -- auth and limits ----------------------------------------------------------------------------------------------


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
        with pytest.raises(AuthError) as info:
            await wrong.whoami()
    finally:
        await wrong.aclose()
    assert "changes the password" in info.value.user_message()  # a Jitbit token dies with a password change


async def test_bad_password_is_one_request_and_warns_of_the_block(desk: Desk) -> None:
    bad = desk.adapter(password="hunter2-wrong")
    before = desk.sim.request_count
    try:
        with pytest.raises(AuthError) as info:
            await bad.whoami()
    finally:
        await bad.aclose()
    assert desk.sim.request_count - before == 1
    message = info.value.user_message()
    assert "hunter2" not in message and "hunter2" not in repr(bad.http.client.auth)
    assert "2 more failed sign-ins" in message and "5 minutes" in message


@pytest.mark.parametrize("block_status", [401, 403, 429])
async def test_three_failed_logins_block_the_ip_for_five_minutes(desk: Desk, block_status: int) -> None:
    now = [1000.0]
    desk.sim.clock = lambda: now[0]
    desk.sim.ip_block_status = block_status
    for _ in range(3):  # three runs (a session never sends rejected credentials twice)
        bad = desk.adapter(password="wrong")
        try:
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
    with pytest.raises(Throttled):
        await desk.backend.whoami()  # the adapter keeps quiet for the five minutes: nothing is sent
    assert desk.sim.request_count - before == 1
    desk.backend.http.cooldown_until = None  # five minutes later
    assert (await desk.backend.whoami()).id == "1"


async def test_a_success_resets_the_failed_login_count(desk: Desk) -> None:
    async def fail_once() -> None:
        bad = desk.adapter(password="wrong")
        try:
            with pytest.raises(AuthError):
                await bad.whoami()
        finally:
            await bad.aclose()

    for _ in range(2):
        await fail_once()
    await desk.backend.whoami()
    for _ in range(2):
        await fail_once()
    assert (await desk.backend.whoami()).id == "1"


async def test_over_the_rate_limit_waits_a_minute_without_hammering(desk: Desk) -> None:
    desk.sim.rate_limit = 2
    await desk.backend.whoami()
    await desk.backend.categories()
    before = desk.sim.request_count
    with pytest.raises(Throttled) as info:
        await desk.backend.list_tickets(TicketQuery(state="all"), 1, 10)
    assert info.value.retry_after == 60  # no Retry-After, no wait in the body: was 1 s, 2 s, 4 s retries
    assert desk.sim.request_count - before == 1


async def test_paths_and_parameter_names_are_case_insensitive(desk: Desk) -> None:
    upper = desk.client.get("/API/TICKETS", params={"COUNT": 2})
    assert upper.status_code == 200 and len(upper.json()) == 2
    lower = desk.client.get("/api/tickets", params={"count": 2})
    assert lower.json() == upper.json()
    unknown = desk.raw("GET", "NoSuchMethod")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/plain")


# -- technicians -------------------------------------------------------------------------------------------------


async def test_assignees_are_the_categorys_techs_read_once(desk: Desk) -> None:
    for category_id, members in desk.sim.category_techs.items():
        agents = await desk.backend.assignees(str(category_id))
        assert {a.id for a in agents} == {str(m) for m in members}
    calls = desk.requests_to("TechsForCategory")
    assert calls == len(desk.sim.category_techs)
    await desk.backend.assignees("10")
    assert desk.requests_to("TechsForCategory") == calls


async def test_an_admin_lists_technicians_in_one_call(desk: Desk) -> None:
    await desk.backend.whoami()
    agents = await desk.backend.agents()
    everyone = set().union(*desk.sim.category_techs.values())
    assert {a.id for a in agents} == {str(i) for i in everyone}
    # One call for the technicians, then one for the administrators (agents in threads), never one per category.
    assert desk.requests_to("Users") == 2 and desk.requests_to("TechsForCategory") == 0
    await desk.backend.get_thread("682")
    assert desk.requests_to("Users") == 2  # a thread's authors need no further read


async def test_a_technician_lists_them_per_category_reading_categories_once(desk: Desk, tech: JitbitBackend) -> None:
    await tech.whoami()
    categories, agents = await asyncio.gather(tech.categories(), tech.agents())
    assert len(categories) == len(desk.sim.dataset.categories)
    assert {a.id for a in agents} == {str(i) for i in set().union(*desk.sim.category_techs.values())}
    assert desk.requests_to("categories") == 1
    assert desk.requests_to("TechsForCategory") == len(categories) and desk.requests_to("Users") == 0


async def test_canned_responses(desk: Desk) -> None:
    canned = await desk.backend.canned_responses()
    assert [c.name for c in canned] == [name for _, name, _ in desk.sim.dataset.templates]


# -- users ----------------------------------------------------------------------------------------------------------


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
    first = await desk.backend.list_users(None, 1, 50)
    techs = {str(i) for i in set().union(*desk.sim.category_techs.values())}
    assert {u.id for u in first.items if u.is_agent} == techs  # Users rows have no IsTech


async def test_a_technician_gets_exact_user_lookups(desk: Desk, tech: JitbitBackend) -> None:
    target = desk.sim.dataset.users[11]
    with pytest.raises(PermissionDenied) as info:
        await tech.list_users(None, 1, 50)
    assert "administrator" in info.value.message
    by_email = await tech.list_users(target.email, 1, 50)
    by_name = await tech.list_users(target.username, 1, 50)
    assert [u.id for u in by_email.items] == [u.id for u in by_name.items] == [str(target.id)]
    assert not (await tech.list_users(target.last, 1, 50)).items  # no list to search: exact matches only
    assert desk.requests_to("Users") == 0  # never sent: Authorization said IsAdmin false
    assert desk.requests_to("UserByUsername") == 2
    assert tech.users_notice is not None and "administrator" in tech.users_notice


async def test_a_401_after_sign_in_is_a_permission_error(desk: Desk, tech: JitbitBackend) -> None:
    desk.sim.admin_denial_status = 401
    await tech.whoami()
    with pytest.raises(PermissionDenied) as info:
        await tech._get("Users")
    assert "Users" in info.value.message
    assert (await tech.whoami()).id == "2"  # the credentials are fine


# -- assets ----------------------------------------------------------------------------------------------------------


async def test_assets_pages_of_fifty_types_and_name_prefix(desk: Desk) -> None:
    types = await desk.backend.asset_types()
    assert {t.name for t in types} == {"Laptop", "Monitor", "Phone", "Licence"}
    scans = desk.requests_to("Assets")
    assert await desk.backend.asset_types() == types and desk.requests_to("Assets") == scans  # read once
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


@pytest.mark.parametrize("status", [403, 404])
async def test_assets_switched_off_are_unsupported(desk: Desk, status: int) -> None:
    desk.sim.assets_disabled = status
    with pytest.raises(Unsupported) as info:
        await desk.backend.list_assets(None, None, 1, 50)
    assert "asset management is switched off" in info.value.message
    with pytest.raises(Unsupported):
        await desk.backend.user_assets("1001")
    assert desk.requests_to("Assets") == 1 and desk.backend.assets_available is False
