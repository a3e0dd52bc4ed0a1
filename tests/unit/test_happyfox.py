"""HappyFox specifics: page_info paging, updates[] with private notes, staff writes, 503/429 throttling, errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.unit.happyfox_rig import Desk, open_desk
from tui_desk.backends.happyfox import HappyFoxBackend
from tui_desk.errors import AuthError, InvalidInput, Throttled, Unavailable
from tui_desk.http import LinkEvent, LinkState
from tui_desk.models import CommentKind, NewTicket, TicketChange, TicketQuery, User


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    async with open_desk() as opened:
        yield opened


def raw(desk: Desk, path: str, **params: object) -> httpx.Response:
    """A direct request to the simulator, to check the wire format itself."""
    url = f"{desk.server.base_url}/api/1.1/json/{path}"
    return httpx.get(url, params=params, auth=("demo", "demo"))  # type: ignore[arg-type]


# -- paging ------------------------------------------------------------------------------------------


async def test_page_info_paging_and_size_cap(desk: Desk) -> None:
    assert raw(desk, "tickets/", size=51).status_code == 400  # the simulator enforces the documented maximum
    envelope = raw(desk, "tickets/", status="_all", size=50, page=2).json()
    assert envelope["page_info"] == {
        "count": 50,
        "last_index": 600,
        "page_count": 12,
        "start_index": 51,
        "end_index": 100,
    }
    first = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 200)
    assert first.size == 50 and len(first.items) == 50
    assert first.total == 600 and first.page_count == 12 and first.has_next
    last = await desk.backend.list_tickets(TicketQuery(state="all"), 12, 50)
    assert len(last.items) == 50 and not last.has_next
    ids = {t.id for t in first.items} | {t.id for t in last.items}
    assert len(ids) == 100


async def test_server_side_filters_keep_the_total(desk: Desk) -> None:
    page = await desk.backend.list_tickets(TicketQuery(state="open", assignee="unassigned"), 1, 50)
    expected = [t for t in desk.sim.dataset.tickets.values() if t.assignee_id is None and t.status != "closed"]
    assert page.total == len(expected), "assignee:--none is filtered on the server, so its total is right"
    assert all(t.assignee is None for t in page.items)
    assert len(page.items) == min(50, len(expected)) and page.has_next == (len(expected) > 50)


async def test_small_page_sizes_follow_the_server_minimum(desk: Desk) -> None:
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 3, 4)
    assert page.size == 10 and len(page.items) == 10 and page.page_count == 60 and page.has_next


async def test_requester_filter_uses_contact_search(desk: Desk) -> None:
    user = desk.sim.dataset.users[3]
    page = await desk.backend.user_tickets(str(user.id), 1, 25)
    expected = {str(t.id) for t in desk.sim.dataset.tickets.values() if t.user_id == user.id}
    assert {t.id for t in page.items} == expected
    assert page.total == len(expected)


# -- thread ---------------------------------------------------------------------------------------------


async def test_updates_thread_marks_private_notes(desk: Desk) -> None:
    record = next(t for t in desk.sim.dataset.ticket_list() if any(c.kind == "note" for c in t.comments))
    updates = [u for u in raw(desk, f"ticket/{record.id}/").json()["updates"] if u["message"]]
    kinds = ["p" if c.kind == "note" else None for c in record.comments if c.kind != "system"]
    assert [u["message"]["message_type"] for u in updates[1:]] == kinds
    ticket = await desk.backend.get_ticket(str(record.id))
    thread = await desk.backend.get_thread(str(record.id))
    assert ticket.body.startswith(record.body.split("\n")[0])
    assert ticket.number == f"HF{record.id:08d}"
    comments = [c for c in record.comments if c.kind != "system"]
    assert [c.kind for c in thread] == [CommentKind.NOTE if c.kind == "note" else CommentKind.REPLY for c in comments]
    assert [c.id for c in thread] == [str(c.id) for c in comments]
    agent_comment = next(c for c in thread if c.kind is CommentKind.NOTE)
    assert agent_comment.author.is_agent


async def test_detail_and_thread_share_one_request(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[4].id)
    await asyncio.gather(desk.backend.get_ticket(tid), desk.backend.get_thread(tid))
    assert [p for _, p in desk.sim.log].count(f"/api/1.1/json/ticket/{tid}/") == 1


# -- writes ---------------------------------------------------------------------------------------------


async def test_staff_update_and_private_note_land(desk: Desk) -> None:
    record = desk.sim.dataset.ticket_list()[3]
    tid = str(record.id)
    await desk.backend.add_reply(tid, "Please restart the router.")
    await desk.backend.add_note(tid, "Router is end of life.")
    reply, note = record.comments[-2:]
    assert (reply.kind, reply.agent_id, reply.body) == ("reply", 1, "Please restart the router.")
    assert (note.kind, note.agent_id, note.body) == ("note", 1, "Router is end of life.")
    thread = await desk.backend.get_thread(tid)
    assert [(c.kind, c.body) for c in thread[-2:]] == [
        (CommentKind.REPLY, "Please restart the router."),
        (CommentKind.NOTE, "Router is end of life."),
    ]


async def test_property_changes_and_category_move(desk: Desk) -> None:
    record = next(t for t in desk.sim.dataset.ticket_list() if t.status == "new")
    tid = str(record.id)
    before = len(await desk.backend.get_thread(tid))
    await desk.backend.update_ticket(
        tid, TicketChange(status_id="3", priority_id="4", assignee_id="4", category_id="12")
    )
    assert (record.status, record.priority, record.assignee_id, record.category_id) == ("waiting", 2, 4, 12)
    thread = await desk.backend.get_thread(tid)
    assert len(thread) == before, "a message-less audit row must not show as a comment"
    ticket = await desk.backend.get_ticket(tid)
    assert ticket.priority is not None and ticket.priority.rank == 3
    assert ticket.status is not None and ticket.status.waiting
    await desk.backend.update_ticket(tid, TicketChange(assignee_id=""))
    assert record.assignee_id is None
    await desk.backend.close_ticket(tid)
    assert record.status == "closed"


async def test_create_ticket_on_behalf_of_a_contact(desk: Desk) -> None:
    requester = User(id="", name="Pat Newcomer", email="pat@newco.example")
    draft = NewTicket(subject="Badge does not open door", body="Since Monday.", priority_id="3", requester=requester)
    ticket = await desk.backend.create_ticket(draft)
    assert ticket.subject == "Badge does not open door" and ticket.body == "Since Monday."
    assert ticket.requester is not None and ticket.requester.email == "pat@newco.example"
    assert ticket.priority is not None and ticket.priority.rank == 2
    assert any(u.email == "pat@newco.example" for u in desk.sim.dataset.users), "the contact was created"
    with pytest.raises(InvalidInput):
        await desk.backend.create_ticket(NewTicket(subject="x", body="y"))


async def test_missing_staff_id_is_a_clear_error_and_sends_nothing(desk: Desk) -> None:
    backend = desk.adapter(staff_id=None)
    try:
        assert backend.needs_agent_choice()
        tid = str(desk.sim.dataset.ticket_list()[0].id)
        before = desk.sim.request_count
        for write in (
            backend.add_reply(tid, "hello"),
            backend.add_note(tid, "hello"),
            backend.update_ticket(tid, TicketChange(status_id="2")),
            backend.close_ticket(tid),
        ):
            with pytest.raises(InvalidInput) as info:
                await write
            assert "TUI_DESK_STAFF_ID" in info.value.user_message() and "staff_id" in info.value.user_message()
        assert desk.sim.request_count == before
        agent = await backend.whoami()
        assert agent.id == "" and "staff id" in agent.name
        backend.choose_agent("2")
        assert not backend.needs_agent_choice()
        await backend.add_reply(tid, "now as agent 2")
        assert desk.sim.dataset.tickets[int(tid)].comments[-1].agent_id == 2
    finally:
        await backend.aclose()


# -- throttling and failures ------------------------------------------------------------------------------


def waits(backend: HappyFoxBackend) -> list[LinkEvent]:
    events: list[LinkEvent] = []
    backend.http.subscribe(events.append)
    return events


async def test_503_with_wait_in_body_recovers(desk: Desk) -> None:
    desk.sim.retry_seconds = 0.05
    desk.sim.faults.throttle_every = 2
    events = waits(desk.backend)
    for number in (1, 2, 3):
        page = await desk.backend.list_tickets(TicketQuery(state="all"), number, 50)
        assert len(page.items) == 50
    throttled = [e for e in events if e.state is LinkState.WAITING]
    assert throttled and all(e.wait == pytest.approx(0.05) for e in throttled)


async def test_429_lockout_gives_up_without_sleeping(desk: Desk) -> None:
    desk.sim.lockout = True
    desk.sim.faults.throttle_every = 1
    now = [1000.0]
    desk.sim.clock = lambda: now[0]
    before = desk.sim.request_count
    started = time.monotonic()
    with pytest.raises(Throttled) as info:
        await desk.backend.statuses()
    assert time.monotonic() - started < 2.0
    assert info.value.retry_after is not None and info.value.retry_after >= 500
    assert desk.sim.request_count - before == 1
    desk.sim.faults.throttle_every = 0
    with pytest.raises(Throttled) as info:  # the session pauses: nothing is sent during the lockout
        await desk.backend.statuses()
    assert desk.sim.request_count - before == 1
    desk.backend.http.cooldown_until = None  # as if the pause were over on our side, but not on the server's
    now[0] += 300
    with pytest.raises(Throttled) as info:
        await desk.backend.statuses()
    assert info.value.retry_after == pytest.approx(300, abs=2)
    desk.backend.http.cooldown_until = None
    now[0] += 301
    assert await desk.backend.statuses()


async def test_html_503_is_an_outage_not_throttling(desk: Desk) -> None:
    desk.sim.faults.fail_every = 1
    desk.sim.faults.fail_status = 503
    events = waits(desk.backend)
    with pytest.raises(Unavailable) as info:
        await desk.backend.list_tickets(TicketQuery(), 1, 50)
    assert "<" not in info.value.user_message()
    assert not any(e.state is LinkState.WAITING for e in events)


@pytest.mark.parametrize(
    ("status", "body", "ctype", "expected"),
    [
        (503, "Rate limit exceeded. Retry after 2 seconds", "text/plain", 2.0),
        (503, "Limit of 500 requests exceeded, retry after 3 seconds", "text/plain", 3.0),
        (503, '{"error": "Too many requests, try again in 1 minute"}', "application/json", 60.0),
        (503, "<html><body>503 Service Unavailable</body></html>", "text/html", None),
        (503, '{"error": "database is down"}', "application/json", None),
        (429, "Too many requests", "text/plain", 600.0),  # KB1148: 429 for the next 10 minutes
        (429, '{"error": "Limit of 500 requests exceeded"}', "application/json", 600.0),
        (429, "Too many requests, retry after 20 seconds", "text/plain", 20.0),
        (500, "Retry after 2 seconds", "text/plain", None),
    ],
)
def test_throttle_hook(status: int, body: str, ctype: str, expected: float | None) -> None:
    response = httpx.Response(status, text=body, headers={"Content-Type": ctype})
    assert HappyFoxBackend.throttle_wait(response) == expected


def test_429_prefers_retry_after_header() -> None:
    response = httpx.Response(429, text="wait 5 seconds", headers={"Retry-After": "600"})
    assert HappyFoxBackend.throttle_wait(response) == 600.0


# -- errors ------------------------------------------------------------------------------------------------


async def test_validation_errors_name_the_fields(desk: Desk) -> None:
    tid = str(desk.sim.dataset.ticket_list()[0].id)
    with pytest.raises(InvalidInput) as info:
        await desk.backend.update_ticket(tid, TicketChange(status_id="99"))
    assert set(info.value.fields) == {"status"} and "99" in info.value.fields["status"]
    requester = User(id="", name="No Subject", email="ns@example.com")
    with pytest.raises(InvalidInput) as info:
        await desk.backend.create_ticket(NewTicket(subject="", body="", requester=requester))
    assert {"subject", "text"} <= set(info.value.fields)


def test_error_detail_reads_the_asset_doc_example() -> None:
    body = {
        "error": {
            "display_id": ["This field is required."],
            "contact_ids": "Enter a list of values.",
            "custom_fields": {"1": "Provide a valid choice. 5 is not one of the available choices."},
        }
    }
    detail = HappyFoxBackend.error_detail(httpx.Response(400, json=body))
    assert detail.fields == {
        "display_id": "This field is required.",
        "contact_ids": "Enter a list of values.",
        "custom_fields.1": "Provide a valid choice. 5 is not one of the available choices.",
    }


async def test_bad_auth_is_one_request(desk: Desk) -> None:
    backend = desk.adapter(auth_code="wrong-code")
    before = desk.sim.request_count
    try:
        with pytest.raises(AuthError) as info:
            await backend.whoami()
    finally:
        await backend.aclose()
    assert desk.sim.request_count - before == 1
    assert "wrong-code" not in info.value.user_message()


# -- identity, contacts, assets ------------------------------------------------------------------------------


async def test_whoami_is_the_staff_member(desk: Desk) -> None:
    agent = await desk.backend.whoami()
    assert agent.id == "1" and agent.name == desk.sim.dataset.agents[0].name
    assert HappyFoxBackend.api_root("https://acme.happyfox.com/") == "https://acme.happyfox.com/api/1.1/json/"


async def test_contact_search_and_detail(desk: Desk) -> None:
    target = desk.sim.dataset.users[9]
    page = await desk.backend.list_users(target.email, 1, 80)
    assert [u.id for u in page.items] == [str(target.id)] and page.size == 50
    user = await desk.backend.get_user(str(target.id))
    assert (user.phone, user.company, user.location) == (target.phone, target.company, target.location)


async def test_assets_in_the_documented_shape(desk: Desk) -> None:
    asset_json = raw(desk, "assets/", asset_type=1, size=1).json()["data"][0]
    assert set(asset_json) >= {
        "display_id", "name", "contacts", "created_by", "id", "asset_type", "custom_fields", "updated_by",
    }  # fmt: skip
    assert set(asset_json["custom_fields"][0]) == {"name", "type", "order", "value", "id"}
    types = await desk.backend.asset_types()
    assert [t.name for t in types] == ["Laptop", "Monitor", "Phone", "Licence"]
    page = await desk.backend.list_assets(types[1].id, None, 1, 50)
    assert page.total == 60 and all(a.type is not None and a.type.name == "Monitor" for a in page.items)
    asset = await desk.backend.get_asset(page.items[0].id)
    record = desk.sim.dataset.assets[int(asset.id)]
    assert (asset.serial, asset.manufacturer, asset.model) == (record.serial, record.manufacturer, record.model)
    assert [p.id for p in asset.assigned_users] == [str(u) for u in record.user_ids]
    assert asset.ticket_ids == ()
