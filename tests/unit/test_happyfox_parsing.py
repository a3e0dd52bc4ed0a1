"""HappyFox adapter against the real API's shapes: one test per fixed row of the field-notes findings table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.unit.happyfox_rig import Desk, Relay, Rewrite, open_desk
from tui_desk.backends.happyfox import (
    HTTP_REFUSAL,
    LIST_FIELDS,
    HappyFoxBackend,
    html_body,
    user_search_term,
)
from tui_desk.config.profile import Profile
from tui_desk.errors import (
    ConfigError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Throttled,
    UnknownOutcome,
)
from tui_desk.models import CommentKind, NewTicket, TicketChange, TicketQuery, User


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    async with open_desk() as opened:
        yield opened


def rewrite_tickets(change: Callable[[dict[str, Any], dict[str, str]], Any]) -> Rewrite:
    """A relay rewrite that passes every tickets/ item (and the query) through ``change``."""

    async def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if not request.url.path.endswith("/tickets/") or request.method != "GET" or response.status_code != 200:
            return response
        query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        envelope = response.json()
        envelope["data"] = [change(item, query) for item in envelope["data"]]
        return httpx.Response(200, json=envelope, request=request)

    return rewrite


# -- rows 1-4: the list request and its envelope ----------------------------------------------------------


async def test_row1_lists_send_fields_and_never_minify(desk: Desk) -> None:
    page = await desk.backend.list_tickets(TicketQuery(state="all"), 1, 20)
    assert len(page.items) == 20 and all(t.subject for t in page.items)
    sent = desk.params("tickets/")
    assert sent and all("minify_response" not in p for p in sent)
    assert all(p.get("fields") == LIST_FIELDS for p in sent)


async def test_row1_ids_only_answer_is_a_clear_protocol_error(desk: Desk) -> None:
    backend = desk.adapter(rewrite_tickets(lambda item, _query: item["id"]))
    with pytest.raises(ProtocolError) as info:
        await backend.list_tickets(TicketQuery(state="all"), 1, 10)
    assert "ids only" in info.value.message
    assert len(desk.params("tickets/")) == 2, "one retry without fields=, then give up"


async def test_row2_items_without_subject_are_fetched_again_without_fields(desk: Desk) -> None:
    def strip(item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k != "subject"} if "fields" in query else item

    backend = desk.adapter(rewrite_tickets(strip))
    first = await backend.list_tickets(TicketQuery(state="all"), 1, 10)
    second = await backend.list_tickets(TicketQuery(state="all"), 2, 10)
    assert all(t.subject for t in (*first.items, *second.items))
    assert ["fields" in p for p in desk.params("tickets/")] == [True, False, False]


async def test_row2_bare_ids_resolve_through_cached_lists(desk: Desk) -> None:
    def bare(item: dict[str, Any], _query: dict[str, str]) -> dict[str, Any]:
        flat = dict(item)
        for key in ("status", "priority", "category", "assigned_to"):
            if isinstance(flat.get(key), dict):
                flat[key] = flat[key]["id"]
        return flat

    backend = desk.adapter(rewrite_tickets(bare))
    page = await backend.list_tickets(TicketQuery(state="all", sort="id", descending=False), 1, 10)
    names = dict(desk.sim.dataset.categories)
    for ticket in page.items:
        record = desk.sim.dataset.tickets[int(ticket.id)]
        assert ticket.status is not None and ticket.status.name == desk.sim.status_json(record.status)["name"]
        assert ticket.priority is not None and ticket.priority.rank == record.priority + 1
        assert ticket.category is not None and ticket.category.name == names[record.category_id]
        agent = desk.sim.dataset.agent(record.assignee_id)
        assert (ticket.assignee.name if ticket.assignee else None) == (agent.name if agent else None)


async def test_row3_page_size_is_clamped_to_ten(desk: Desk) -> None:
    query = TicketQuery(state="all", sort="id", descending=False)
    first = await desk.backend.list_tickets(query, 1, 5)
    second = await desk.backend.list_tickets(query, 2, 5)
    assert [p["size"] for p in desk.params("tickets/")] == ["10", "10"]
    assert first.size == 10 and len(first.items) == 10 and first.page_count == 60
    ids = sorted(desk.sim.dataset.tickets)
    assert [int(t.id) for t in (*first.items, *second.items)] == ids[:20], "no row skipped or repeated"


async def test_row4_one_element_list_around_the_envelope(desk: Desk) -> None:
    async def wrap(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/users/"):
            return httpx.Response(200, json=[response.json()], request=request)
        return response

    backend = desk.adapter(wrap)
    page = await backend.list_users(None, 1, 10)
    assert len(page.items) == 10 and page.total == len(desk.sim.dataset.users) and page.has_next


# -- rows 6-9, 37: filters through q, sorting under q, contact post-filter -------------------------------------


async def test_row6_several_statuses_filter_on_the_server_by_name(desk: Desk) -> None:
    query = TicketQuery(state="all", status_ids=("1", "3"))  # New, Waiting...
    page = await desk.backend.list_tickets(query, 1, 50)
    sent = desk.params("tickets/")[-1]
    names = [desk.sim.status_json(k)["name"] for k in ("new", "waiting")]
    assert sent["status"] == "_all" and sent["q"] == f'status:"{names[0]}","{names[1]}"'
    expected = [t for t in desk.sim.dataset.tickets.values() if t.status in ("new", "waiting")]
    assert page.total == len(expected) and len(page.items) == min(50, len(expected))
    assert {t.status.id for t in page.items if t.status} <= {"1", "3"}


async def test_row6_closed_state_keeps_the_total(desk: Desk) -> None:
    page = await desk.backend.list_tickets(TicketQuery(state="closed"), 1, 50)
    assert page.total == sum(t.status == "closed" for t in desk.sim.dataset.tickets.values())
    assert page.items and all(t.status is not None and t.status.closed for t in page.items)


async def test_row7_priority_and_assignee_filter_on_the_server(desk: Desk) -> None:
    data = desk.sim.dataset
    page = await desk.backend.list_tickets(TicketQuery(state="all", priority_ids=("3",)), 1, 50)
    assert desk.params("tickets/")[-1]["q"] == 'priority:"High"'
    assert page.total == sum(t.priority == 1 for t in data.tickets.values())
    mine = await desk.backend.list_tickets(TicketQuery(state="all", assignee="me"), 1, 50)
    assert desk.params("tickets/")[-1]["q"] == f"assignee:{data.agent(1).email}"
    assert mine.total == sum(t.assignee_id == 1 for t in data.tickets.values())
    assert all(t.assignee is not None and t.assignee.id == "1" for t in mine.items)
    loose = await desk.backend.list_tickets(TicketQuery(state="open", assignee="unassigned"), 1, 50)
    assert desk.params("tickets/")[-1]["q"] == "assignee:--none"
    assert loose.total == sum(t.assignee_id is None and t.status != "closed" for t in data.tickets.values())
    assert all(t.assignee is None for t in loose.items)


async def test_row7_client_side_net_drops_what_the_server_ignored(desk: Desk) -> None:
    backend = desk.adapter()
    backend.http.client.event_hooks["request"].append(_strip_q)  # a server that ignores the q term
    page = await backend.list_tickets(TicketQuery(state="all", assignee="unassigned"), 1, 50)
    assert page.items and all(t.assignee is None for t in page.items)
    assert page.total is None, "rows were dropped here, so the server's total is not this list's total"


async def _strip_q(request: httpx.Request) -> None:
    """Make the simulator see no ``q`` (as if the term were not understood)."""
    params = [(k, v) for k, v in parse_qsl(request.url.query.decode(), keep_blank_values=True) if k != "q"]
    request.url = request.url.copy_with(params=params)


async def test_row8_under_q_the_page_is_sorted_here(desk: Desk) -> None:
    query = TicketQuery(state="all", text="the", sort="created", descending=False)
    page = await desk.backend.list_tickets(query, 1, 50)
    created = [t.created_at for t in page.items]
    assert len(created) > 5 and created == sorted(created)  # type: ignore[type-var]
    by_id = await desk.backend.list_tickets(TicketQuery(state="all", text="the", sort="id"), 1, 50)
    assert [int(t.id) for t in by_id.items] == sorted((int(t.id) for t in by_id.items), reverse=True)


async def test_row9_user_tickets_are_post_filtered_on_the_contact(desk: Desk) -> None:
    user = desk.sim.dataset.user(desk.sim.dataset.ticket_list()[3].user_id)
    assert user is not None
    stranger = next(t for t in desk.sim.dataset.tickets.values() if t.user_id != user.id)
    intruder = desk.sim.ticket_json(stranger)

    async def overmatch(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/tickets/") and "contact" in request.url.params.get("q", ""):
            envelope = response.json()
            envelope["data"].append(intruder)  # contact: matches a lookup of name, email, phone (KB1039)
            return httpx.Response(200, json=envelope, request=request)
        return response

    backend = desk.adapter(overmatch)
    page = await backend.user_tickets(str(user.id), 1, 25)
    assert page.items and all(t.requester is not None and t.requester.id == str(user.id) for t in page.items)
    assert str(stranger.id) not in {t.id for t in page.items}


# -- rows 11-15: ticket and thread parsing ---------------------------------------------------------------------


def test_row11_tags_string_and_first_message_body() -> None:
    backend = HappyFoxBackend.create(Profile(backend="happyfox", url="https://x.happyfox.com", api_key="k",
                                             auth_code="c", staff_id=1))  # fmt: skip
    assert isinstance(backend, HappyFoxBackend)
    data = {"id": 7, "display_id": "#HF7", "subject": "s", "tags": "vpn, urgent ,", "first_message": "Hello there",
            "created_at": "2019-08-13 08:59:11", "due_date": "2019-08-16"}  # fmt: skip
    ticket = backend._ticket(data, {})
    assert ticket.tags == ("vpn", "urgent") and ticket.body == "Hello there"
    assert ticket.created_at is not None and ticket.created_at.isoformat() == "2019-08-13T08:59:11+00:00"


async def test_row12_a_display_id_is_found_through_q(desk: Desk) -> None:
    record = desk.sim.dataset.ticket_list()[7]
    ticket = await desk.backend.get_ticket(f"HF{record.id:08d}")
    assert ticket.id == str(record.id) and ticket.subject == record.subject
    assert desk.params("tickets/")[-1]["q"] == f"id:HF{record.id:08d}"
    thread = await desk.backend.get_thread(f"#HF{record.id:08d}")
    assert len(thread) == sum(c.kind != "system" for c in record.comments)
    with pytest.raises(NotFound):
        await desk.backend.get_ticket("HF99999999")


async def test_row13_14_private_notes_and_a_contacts_own_reply(desk: Desk) -> None:
    record = next(
        t for t in desk.sim.dataset.ticket_list()
        if any(c.kind == "note" for c in t.comments) and any(c.user_id is not None for c in t.comments)
    )  # fmt: skip
    thread = await desk.backend.get_thread(str(record.id))
    comments = [c for c in record.comments if c.kind != "system"]
    assert [c.kind for c in thread] == [CommentKind.NOTE if c.kind == "note" else CommentKind.REPLY for c in comments]
    owner = desk.sim.dataset.user(record.user_id)
    assert owner is not None
    for ours, theirs in zip(thread, comments, strict=True):
        if theirs.user_id is not None:
            assert (ours.author.name, ours.author.email) == (owner.name, owner.email)


# -- rows 16-20: writes ------------------------------------------------------------------------------------------


async def test_row16_new_ticket_defaults_to_the_first_public_category(desk: Desk) -> None:
    requester = User(id="", name="Pat Newcomer", email="pat@newco.example")
    ticket = await desk.backend.create_ticket(NewTicket(subject="Badge", body="Door.", requester=requester))
    public = next(cid for cid, _name, public in desk.sim.categories() if public)
    assert ticket.category is not None and ticket.category.id == str(public)
    assert desk.bodies("/tickets/")[-1]["category"] == public


async def test_row16_an_existing_contact_by_id(desk: Desk) -> None:
    user = desk.sim.dataset.users[5]
    requester = User(id=str(user.id), name=user.name)
    ticket = await desk.backend.create_ticket(NewTicket(subject="s", body="b", requester=requester))
    assert ticket.requester is not None and ticket.requester.id == str(user.id)


async def test_row17_reply_is_documented_html_and_emails_the_customer(desk: Desk) -> None:
    record = desk.sim.dataset.ticket_list()[3]
    await desk.backend.add_reply(str(record.id), "Use <b>safe mode</b>\nthen restart & retry.")
    body = desk.bodies("/staff_update/")[-1]
    assert body == {
        "staff": 1,
        "html": "Use &lt;b&gt;safe mode&lt;/b&gt;<br>then restart &amp; retry.",
        "update_customer": True,
    }
    assert desk.sim.notified == [record.comments[-1].id]
    thread = await desk.backend.get_thread(str(record.id))
    assert thread[-1].body == "Use <b>safe mode</b>\nthen restart & retry."


async def test_row17_notify_customer_off_sends_false(desk: Desk) -> None:
    backend = desk.adapter(notify_customer=False)
    await backend.add_reply(str(desk.sim.dataset.ticket_list()[3].id), "quiet")
    assert desk.bodies("/staff_update/")[-1]["update_customer"] is False and desk.sim.notified == []


async def test_row17_a_2xx_without_the_message_is_unknown_outcome(desk: Desk) -> None:
    desk.sim.plain_http_post_is_get = True  # the POST is served as a GET: 200 with the unchanged ticket
    tid = str(desk.sim.dataset.ticket_list()[3].id)
    for write in (desk.backend.add_reply(tid, "lost reply"), desk.backend.add_note(tid, "lost note")):
        with pytest.raises(UnknownOutcome) as info:
            await write
        assert "may not have stored" in info.value.message


async def test_row18_a_note_stored_public_comes_back_as_a_reply(desk: Desk) -> None:
    async def public(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method != "POST":
            return response
        data = response.json()
        for update in data["updates"]:
            update.pop("message_type", None)
            if isinstance(update.get("message"), dict):
                update["message"]["message_type"] = None
        return httpx.Response(200, json=data, request=request)

    tid = str(desk.sim.dataset.ticket_list()[3].id)
    stored = await desk.adapter(public).add_note(tid, "VIP customer")
    assert stored is not None and stored.kind is CommentKind.REPLY  # the caller sees it went public
    assert stored.body == "VIP customer" and stored.ticket_id == tid


async def test_row18_an_answer_that_is_not_a_ticket_is_sent_but_unknown(desk: Desk) -> None:
    async def status_only(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method != "POST":
            return response
        return httpx.Response(200, json={"status_code": 200}, request=request)

    record = desk.sim.dataset.ticket_list()[3]
    before = len(record.comments)
    assert await desk.adapter(status_only).add_note(str(record.id), "VIP") is None
    assert len(record.comments) == before + 1


async def test_row18_note_sends_html_and_lands_private(desk: Desk) -> None:
    desk.sim.legacy_text_field = False  # only the documented fields are read
    record = desk.sim.dataset.ticket_list()[3]
    await desk.backend.add_note(str(record.id), "Router is end of life.")
    assert desk.bodies("/staff_pvtnote/")[-1] == {"staff": 1, "html": "Router is end of life."}
    assert (record.comments[-1].kind, record.comments[-1].agent_id) == ("note", 1)


async def test_row19_nothing_to_update_is_success(desk: Desk) -> None:
    record = desk.sim.dataset.ticket_list()[2]
    same = str(desk.sim.status_json(record.status)["id"])
    await desk.backend.update_ticket(str(record.id), TicketChange(status_id=same))


async def test_row19_custom_field_errors_name_the_field(desk: Desk) -> None:
    desk.sim.require_custom_fields = True
    record = next(t for t in desk.sim.dataset.ticket_list() if t.status != "closed")
    with pytest.raises(InvalidInput) as info:
        await desk.backend.close_ticket(str(record.id))
    assert set(info.value.fields) == {"Root Cause"}
    assert "Root Cause" in info.value.user_message() and "t-cf-" not in info.value.user_message()


async def test_row19_writes_to_one_ticket_never_overlap(desk: Desk) -> None:
    busy: list[int] = [0, 0]

    backend = desk.adapter()
    inner = backend.http.client._transport  # the relay: count POSTs in flight
    assert isinstance(inner, Relay)
    forward = inner.handle_async_request

    async def counted(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            busy[0] += 1
            busy[1] = max(busy[1], busy[0])
            await asyncio.sleep(0.05)
        try:
            return await forward(request)
        finally:
            if request.method == "POST":
                busy[0] -= 1

    inner.handle_async_request = counted  # type: ignore[method-assign]
    tid = str(desk.sim.dataset.ticket_list()[6].id)
    await asyncio.gather(
        backend.update_ticket(tid, TicketChange(priority_id="4")),
        backend.add_note(tid, "one at a time"),
        backend.update_ticket(tid, TicketChange(assignee_id="2")),
    )
    assert busy[1] == 1


async def test_row20_move_needs_the_permission(desk: Desk) -> None:
    desk.sim.move_permission_denied = True
    with pytest.raises(PermissionDenied) as info:
        await desk.backend.update_ticket(str(desk.sim.dataset.ticket_list()[0].id), TicketChange(category_id="12"))
    assert "'move tickets' permission" in info.value.hint


# -- rows 23-25: priorities and staff ------------------------------------------------------------------------------


async def test_row23_priority_rank_by_order_else_by_name() -> None:
    answers = {
        "by order": [{"id": 1, "name": "No Priority", "order": 1}, {"id": 3, "name": "High", "order": 3},
                     {"id": 2, "name": "Low", "order": 2}],
        "by name": [{"id": 4, "name": "Urgent"}, {"id": 1, "name": "High"}, {"id": 2, "name": "Low"},
                    {"id": 3, "name": "Medium"}],
    }  # fmt: skip
    which = ["by order"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers[which[0]])  # a shape the simulator never sends: no order

    profile = Profile(backend="happyfox", url="https://x.happyfox.com", api_key="k", auth_code="c", staff_id=1)
    backend = HappyFoxBackend.create(profile, transport=httpx.MockTransport(handler))
    try:
        assert [p.name for p in await backend.priorities()] == ["No Priority", "Low", "High"]
        which[0] = "by name"
        ranked = await backend.priorities()
    finally:
        await backend.aclose()
    assert [(p.name, p.rank) for p in ranked] == [("Low", 0), ("Medium", 1), ("High", 2), ("Urgent", 3)]


async def test_row24_inactive_agents_are_not_offered(desk: Desk) -> None:
    agents = await desk.backend.agents()
    assert [a.id for a in agents] == [str(a.id) for a in desk.sim.dataset.agents]
    assert "900" not in {a.id for a in agents}


async def test_row24_assignees_of_a_category(desk: Desk) -> None:
    data = await desk.backend.http.get_json("staff/")
    data[1]["categories"] = [{"id": 12, "name": "Other"}]  # the shapes KB360 may use: ids or objects
    data[2]["categories"] = [13]

    async def narrow(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        return httpx.Response(200, json=data, request=request) if request.url.path.endswith("/staff/") else response

    backend = desk.adapter(narrow)
    for_12 = {a.id for a in await backend.assignees("12")}
    assert str(data[1]["id"]) in for_12 and str(data[2]["id"]) not in for_12 and "900" not in for_12
    assert {a.id for a in await backend.assignees(None)} == {str(a.id) for a in desk.sim.dataset.agents}


async def test_row25_whoami_reads_the_staff_list(desk: Desk) -> None:
    desk.sim.staff_detail_missing = True
    agent = await desk.backend.whoami()
    assert agent.id == "1" and agent.name == desk.sim.dataset.agents[0].name
    with pytest.raises(ConfigError) as info:
        await desk.adapter(staff_id=4242).whoami()
    assert "not an agent" in info.value.message
    with pytest.raises(ConfigError) as info:
        await desk.adapter(staff_id=900).whoami()
    assert "inactive" in info.value.message


# -- rows 26-28: contacts ------------------------------------------------------------------------------------------


def test_row26_user_search_terms() -> None:
    assert user_search_term("ann@example.com") == "email:ann@example.com"
    assert user_search_term("+1 (555) 010-2233") == "phone:15550102233"
    assert user_search_term("Ann") == "name:Ann"
    assert user_search_term("Ann Lee") == 'name:"Ann Lee"'


async def test_row26_contact_search_by_name_and_phone(desk: Desk) -> None:
    target = desk.sim.dataset.users[9]
    by_name = await desk.backend.list_users(target.name, 1, 50)
    assert str(target.id) in {u.id for u in by_name.items}
    by_phone = await desk.backend.list_users(target.phone, 1, 50)
    assert str(target.id) in {u.id for u in by_phone.items}
    assert desk.params("users/")[-1]["q"].startswith("phone:")


async def test_row26_a_refused_term_is_retried_as_bare_text(desk: Desk) -> None:
    desk.sim.users_bare_text_search = True

    async def refuse_terms(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith("/users/") and ":" in request.url.params.get("q", ""):
            return httpx.Response(400, json={"error": [{"field": "q", "errors": ["bad"]}]}, request=request)
        return response

    backend = desk.adapter(refuse_terms)
    target = desk.sim.dataset.users[2]
    page = await backend.list_users(target.email, 1, 10)
    assert [u.id for u in page.items] == [str(target.id)]
    assert [p["q"] for p in desk.params("users/")] == [f"email:{target.email}", target.email]


async def test_row27_primary_phone_wins_over_the_first(desk: Desk) -> None:
    target = next(u for u in desk.sim.dataset.users if u.id % 5 == 0 and u.phone)
    user = await desk.backend.get_user(str(target.id))
    assert user.phone == target.phone


def test_row28_company_falls_back_to_the_contact_group() -> None:
    backend = HappyFoxBackend.create(Profile(backend="happyfox", url="https://x.happyfox.com", api_key="k",
                                             auth_code="c"))  # fmt: skip
    assert isinstance(backend, HappyFoxBackend)
    user = backend._user({"id": 3, "name": "Ann", "custom_fields": [], "contact_groups": [{"id": 1, "name": "Acme"}],
                          "primary_phone": None, "phones": [{"type": "m", "number": "123", "id": 4}]})  # fmt: skip
    assert (user.company, user.phone) == ("Acme", "123")


# -- row 30: assets ----------------------------------------------------------------------------------------------


async def test_row30_dropdown_values_show_their_labels(desk: Desk) -> None:
    types = await desk.backend.asset_types()
    page = await desk.backend.list_assets(types[0].id, None, 1, 20)
    labels = {"Company-owned", "Leased", "Personal (BYOD)"}
    for asset in page.items:
        ownership = next(f.value for f in asset.custom_fields if f.name == "Ownership")
        assert ownership in labels
    one = await desk.backend.get_asset(page.items[0].id)
    assert next(f.value for f in one.custom_fields if f.name == "Ownership") in labels
    assert len(desk.params("asset_custom_fields/")) == 1, "choices are read once per asset type"


# -- row 31: writes over plain http ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://acme.happyfox.com", True),
        ("http://10.0.0.5:8080", True),
        ("https://acme.happyfox.com", False),
        ("http://127.0.0.1:8080", False),
        ("http://127.3.4.5", False),
        ("http://[::1]:9000", False),
        ("http://localhost:9000", False),
        ("http://demo.tui-desk.invalid", False),
    ],
)
def test_row31_write_refusal(url: str, refused: bool) -> None:
    profile = Profile(backend="happyfox", url=url, api_key="k", auth_code="c", staff_id=1)
    assert HappyFoxBackend.write_refusal(profile) == (HTTP_REFUSAL if refused else None)


async def test_row31_every_write_is_refused_before_sending() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    profile = Profile(backend="happyfox", url="http://acme.happyfox.com", api_key="k", auth_code="c", staff_id=1)
    backend = HappyFoxBackend.create(profile, transport=httpx.MockTransport(handler))
    requester = User(id="", name="A", email="a@example.com")
    try:
        for write in (
            backend.add_reply("5", "hi"),
            backend.add_note("5", "hi"),
            backend.update_ticket("5", TicketChange(status_id="2")),
            backend.close_ticket("5"),
            backend.create_ticket(NewTicket(subject="s", body="b", category_id="1", requester=requester)),
        ):
            with pytest.raises(ConfigError) as info:
                await write
            assert "https://" in info.value.message
    finally:
        await backend.aclose()
    assert sent == []


# -- row 34: the 10-minute lockout --------------------------------------------------------------------------------


def test_row34_429_without_a_wait_is_the_lockout() -> None:
    assert HappyFoxBackend.throttle_wait(httpx.Response(429, json={"error": "API rate limit exceeded"})) == 600.0
    assert HappyFoxBackend.throttle_wait(httpx.Response(429, text="Limit of 500 requests per minute")) == 600.0
    assert HappyFoxBackend.throttle_wait(httpx.Response(429, text="Try again after 30 seconds")) == 30.0


async def test_row34_silent_lockout_is_not_retried(desk: Desk) -> None:
    desk.sim.lockout = True
    desk.sim.lockout_silent = True
    desk.sim.faults.throttle_every = 1
    before = desk.sim.request_count
    with pytest.raises(Throttled) as info:
        await desk.backend.statuses()
    assert info.value.retry_after == pytest.approx(600, abs=1)
    assert desk.sim.request_count - before == 1


def test_html_body_escapes_and_breaks_lines() -> None:
    assert html_body("a < b\r\nc & d") == "a &lt; b<br>c &amp; d"
