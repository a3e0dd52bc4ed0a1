"""Jitbit answers the simulator cannot give (bad stamps, ignored offsets, silent no-ops, odd roots): MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tui_desk.backends import jitbit
from tui_desk.backends.jitbit import JitbitBackend, status_flags
from tui_desk.config.profile import Profile
from tui_desk.errors import NotApplied, NotFound, PermissionDenied, Unsupported
from tui_desk.http import RetryPolicy
from tui_desk.models import NewTicket, TicketChange, TicketQuery

FAST = RetryPolicy(attempts=2, max_wait=1.0, total_wait=1.0, backoff=0.01)
ME = {"UserID": 1, "Username": "admin", "Email": "admin@x.example", "FirstName": "Ada", "LastName": "", "IsAdmin": True}

Handler = Callable[[httpx.Request], httpx.Response]


def backend_with(handler: Handler, **changes: Any) -> JitbitBackend:
    """An adapter whose requests go to ``handler``."""
    values = {"backend": "jitbit", "url": "http://jitbit.test", "username": "demo", "password": "demo", **changes}
    backend = JitbitBackend.create(Profile.model_validate(values), transport=httpx.MockTransport(handler))
    assert isinstance(backend, JitbitBackend)
    backend.http.policy = FAST
    return backend


def row(issue_id: int, status_id: int = 1, **extra: Any) -> dict[str, Any]:
    """A Tickets row."""
    return {
        "IssueID": issue_id,
        "Subject": f"Ticket {issue_id}",
        "StatusID": status_id,
        "Status": "New",
        "Priority": 0,
        "CategoryID": 7,
        "Category": "General",
        "IssueDate": "2024-05-05T17:25:31.127Z",
        "LastUpdated": "2024-05-06T10:24:13.873Z",
        "UserID": 20,
        "AssignedToUserID": None,
        **extra,
    }


def detail(ticket_id: int, **extra: Any) -> dict[str, Any]:
    """A Ticket?id= object."""
    return {
        "TicketID": ticket_id,
        "Subject": "Printer",
        "Body": "It is broken.",
        "StatusID": 1,
        "Status": "New",
        "Priority": 0,
        "CategoryID": 7,
        "CategoryName": "General",
        "IssueDate": "2024-05-05T17:25:31Z",
        "LastUpdated": "2024-05-06T10:24:13Z",
        "UserID": 20,
        "AssignedToUserID": None,
        **extra,
    }


def params_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode()))


@pytest.fixture(autouse=True)
def no_failed_logins() -> None:
    jitbit._LOGIN_FAILURES.clear()


# -- pure rules -------------------------------------------------------------------------------------------------------


def test_a_429_without_any_hint_waits_a_minute() -> None:
    bare = httpx.Response(429, text="Rate limit exceeded. Try again later.")
    assert JitbitBackend.throttle_wait(bare) == 60.0  # was 0.0: 1 s, 2 s, 4 s back-offs inside the same minute
    assert JitbitBackend.throttle_wait(httpx.Response(429, headers={"Retry-After": "12"})) == 12.0
    assert JitbitBackend.throttle_wait(httpx.Response(429, text="try again in 2 minutes")) == 120.0
    assert JitbitBackend.throttle_wait(httpx.Response(404, text="Ticket 5 not found")) is None
    login = httpx.Response(429, text="blocked", request=httpx.Request("POST", "http://x/api/Authorization"))
    assert JitbitBackend.throttle_wait(login) == 300.0  # the IP block after failed sign-ins


def test_rate_budget_and_no_claimed_sort() -> None:
    assert JitbitBackend.request_budget == {"*": 80, "search": 50, "userbyemail": 50}
    assert JitbitBackend.capabilities.sorts == frozenset()  # Tickets has no sort parameter


@pytest.mark.parametrize("status_id", ["4347", "4345", "1", "2", "99999"])
def test_only_status_3_is_closed(status_id: str) -> None:
    assert status_flags(status_id) == (False, False)
    assert status_flags("3") == (True, False)
    assert status_flags(status_id, ["4345", "3"]) == (False, status_id == "4345")
    assert status_flags("3", ["3"]) == (True, False)


async def test_status_names_come_from_rows_then_the_profile_then_a_fallback() -> None:
    backend = backend_with(
        lambda r: httpx.Response(200, json=[row(1, 4347, Status="Unresolved"), row(2, 2, Status="In Bearbeitung")]),
        status_names={"4347": "ignored: the server names it", "4400": "Escalated"},
        waiting_statuses=["4345"],
    )
    try:
        statuses = {s.id: s for s in await backend.statuses()}
    finally:
        await backend.aclose()
    assert statuses["4347"].name == "Unresolved" and not statuses["4347"].closed
    assert statuses["2"].name == "In Bearbeitung"
    assert statuses["4400"].name == "Escalated"
    assert statuses["4345"].name == "Status 4345" and statuses["4345"].waiting
    assert [s.id for s in statuses.values() if s.closed] == ["3"]
    assert list(statuses) == sorted(statuses, key=int)


# -- tolerant parsing -------------------------------------------------------------------------------------------------


async def test_an_unreadable_stamp_leaves_the_page_loading() -> None:
    rows = [row(1, IssueDate="31/12/2024 noon", LastUpdated="/Date(1489432800000)/"), row(2, DueDate="soon")]
    backend = backend_with(lambda r: httpx.Response(200, json=rows))
    try:
        page = await backend.list_tickets(TicketQuery(state="all"), 1, 50)
    finally:
        await backend.aclose()
    first, second = page.items
    assert first.created_at is None and first.updated_at is not None and first.updated_at.year == 2017
    assert second.due_at is None and second.created_at is not None


async def test_submitter_given_as_a_list_is_its_first_entry() -> None:
    submitter = [{"UserID": 20, "FirstName": "Max", "LastName": "Mustermann", "Email": "max@x.example"}]
    backend = backend_with(lambda r: httpx.Response(200, json=detail(5, SubmitterUserInfo=submitter)))
    try:
        ticket = await backend.get_ticket("5")
    finally:
        await backend.aclose()
    assert ticket.requester is not None
    assert (ticket.requester.id, ticket.requester.name, ticket.requester.email) == (
        "20",
        "Max Mustermann",
        "max@x.example",
    )


# -- the API root ---------------------------------------------------------------------------------------------------


async def test_a_missing_helpdesk_segment_is_found_once_and_kept() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if not request.url.path.startswith("/helpdesk/api/"):
            return httpx.Response(404, html="<html><body>Not Found</body></html>")
        if request.url.path.endswith("/Authorization"):
            return httpx.Response(200, json=ME)
        return httpx.Response(200, json=[{"CategoryID": 7, "Name": "General"}])

    backend = backend_with(handler)
    try:
        me = await backend.whoami()
        categories = await backend.categories()
    finally:
        await backend.aclose()
    assert me.id == "1" and [c.name for c in categories] == ["General"]
    assert seen == ["/api/Authorization", "/helpdesk/api/Authorization", "/helpdesk/api/categories"]
    assert backend.root == "http://jitbit.test/helpdesk/api/"


async def test_an_html_page_at_the_root_also_tries_helpdesk() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/helpdesk/"):
            return httpx.Response(200, json=ME)
        return httpx.Response(200, html="<!DOCTYPE html><html><title>Sign in</title></html>")

    backend = backend_with(handler)
    try:
        assert (await backend.whoami()).id == "1"
    finally:
        await backend.aclose()
    assert backend.root.endswith("/helpdesk/api/")


async def test_nothing_at_either_root_names_both_and_stops() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(404, text="nope")

    backend = backend_with(handler)
    try:
        with pytest.raises(NotFound) as info:
            await backend.whoami()
    finally:
        await backend.aclose()
    assert len(seen) == 2 and "/helpdesk/api/" in info.value.message
    assert backend.root == "http://jitbit.test/api/"
    seen.clear()
    given = backend_with(handler, url="http://jitbit.test/helpdesk")
    try:
        with pytest.raises(NotFound):
            await given.whoami()
    finally:
        await given.aclose()
    assert seen == ["/helpdesk/api/Authorization"]  # already under /helpdesk: no second guess


# -- paging -----------------------------------------------------------------------------------------------------------


async def test_a_server_that_ignores_offset_stops_paging() -> None:
    sent: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(params_of(request))
        return httpx.Response(200, json=[row(i) for i in range(100, 90, -1)])  # the same 10 rows for any offset

    backend = backend_with(handler)
    try:
        first = await backend.list_tickets(TicketQuery(state="all"), 1, 10)
        second = await backend.list_tickets(TicketQuery(state="all"), 2, 10)
    finally:
        await backend.aclose()
    assert first.has_next and len(first.items) == 10
    assert not second.items and not second.has_next  # was: the same rows again, forever
    assert [s["offset"] for s in sent] == ["0", "10"]


async def test_rows_already_on_an_earlier_page_are_dropped() -> None:
    pages = {"0": [row(9), row(8), row(7)], "3": [row(7), row(6), row(5)]}  # 7 moved down between the reads
    backend = backend_with(lambda r: httpx.Response(200, json=pages[params_of(r)["offset"]]))
    try:
        first = await backend.list_tickets(TicketQuery(state="all"), 1, 3)
        second = await backend.list_tickets(TicketQuery(state="all"), 2, 3)
    finally:
        await backend.aclose()
    assert [t.id for t in first.items] == ["9", "8", "7"]
    assert [t.id for t in second.items] == ["6", "5"] and second.has_next


async def test_search_sends_count_and_offset_and_keeps_status_3_out_of_open() -> None:
    sent: list[list[tuple[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(parse_qsl(request.url.query.decode()))
        if request.url.path.endswith("/Authorization"):
            return httpx.Response(200, json=ME)
        return httpx.Response(200, json=[row(5, 3), row(4, 4347, Status="Unresolved"), row(3, 2)])

    backend = backend_with(handler)
    try:
        page = await backend.list_tickets(TicketQuery(state="open", text="printer"), 2, 3)
        closed = await backend.list_tickets(TicketQuery(state="closed", text="printer"), 1, 3)
    finally:
        await backend.aclose()
    assert ("count", "3") in sent[0] and ("offset", "3") in sent[0] and ("query", "printer") in sent[0]
    assert [t.id for t in page.items] == ["4", "3"] and page.has_next  # the raw page was full
    assert ("statusId", "3") in sent[1]
    assert [t.id for t in closed.items] == ["5"]


# -- writes -----------------------------------------------------------------------------------------------------------


def ignoring_writes(requests: list[str]) -> Handler:
    """A server that answers 200 to every write and changes nothing."""

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return httpx.Response(200, text="")
        return httpx.Response(200, json=detail(5))

    return handler


async def test_an_update_the_server_did_not_apply_is_reported() -> None:
    requests: list[str] = []
    backend = backend_with(ignoring_writes(requests))
    try:
        with pytest.raises(NotApplied) as info:
            await backend.update_ticket("5", TicketChange(priority_id="2", category_id="7"))
        assert info.value.message.endswith("did not apply priority")  # the category was 7 already
        reread = await backend.get_ticket("5")  # the service's re-read: served from the check's own read
    finally:
        await backend.aclose()
    assert requests == ["POST /api/UpdateTicket", "GET /api/Ticket"]
    assert reread.priority is not None and reread.priority.id == "0"


async def test_a_close_the_server_did_not_apply_is_reported() -> None:
    requests: list[str] = []
    backend = backend_with(ignoring_writes(requests))
    try:
        with pytest.raises(NotApplied) as info:
            await backend.close_ticket("5")
    finally:
        await backend.aclose()
    assert "did not apply the close" in info.value.message


async def test_post_answers_may_be_a_json_number() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            form = dict(parse_qsl(request.content.decode()))
            assert form["categoryId"] == "7" and "priorityId" in form
            return httpx.Response(200, json=701)
        return httpx.Response(200, json=detail(701))

    backend = backend_with(handler)
    try:
        ticket = await backend.create_ticket(NewTicket(subject="x", body="y", category_id="7"))
    finally:
        await backend.aclose()
    assert ticket.id == "701"


# -- permissions, users, assets ------------------------------------------------------------------------------------


async def test_a_401_after_sign_in_is_permission_with_the_token_hint() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Authorization"):
            return httpx.Response(200, json=ME)
        return httpx.Response(401, text="Unauthorized")

    backend = backend_with(handler, username=None, password=None, token="abc")
    try:
        await backend.whoami()
        with pytest.raises(PermissionDenied) as info:
            await backend.canned_responses()
    finally:
        await backend.aclose()
    assert "CommentTemplates" in info.value.message
    assert "changes the password" in info.value.user_message()


async def test_disabled_users_are_dropped_and_techs_marked() -> None:
    users = [
        {"UserID": 1, "Username": "ada", "Email": "ada@x.example", "IsAdmin": True, "Disabled": False},
        {"UserID": 7, "Username": "tom", "Email": "tom@x.example", "IsAdmin": False, "Disabled": False},
        {"UserID": 8, "Username": "old", "Email": "old@x.example", "IsAdmin": False, "Disabled": True},
        {"UserID": 9, "Username": "cust", "Email": "cust@x.example", "IsAdmin": False, "Disabled": False},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Authorization"):
            return httpx.Response(200, json=ME)
        mode = params_of(request).get("listMode", "all")
        return httpx.Response(200, json=[u for u in users if mode == "all" or u["UserID"] in (1, 7)])

    backend = backend_with(handler)
    try:
        page = await backend.list_users(None, 1, 50)
    finally:
        await backend.aclose()
    assert {u.id: u.is_agent for u in page.items} == {"1": True, "7": True, "9": False}


async def test_assets_answering_an_html_page_are_unsupported() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, html="<html><body>Assets are disabled</body></html>")

    backend = backend_with(handler)
    try:
        with pytest.raises(Unsupported) as info:
            await backend.list_assets(None, None, 1, 50)
        with pytest.raises(Unsupported):
            await backend.asset_types()
    finally:
        await backend.aclose()
    assert "asset management is switched off" in info.value.message
    assert len(calls) == 1  # known to be off: not asked again


async def test_a_thread_drops_a_first_comment_repeating_the_body() -> None:
    comments = [
        {
            "CommentID": 1,
            "UserID": 20,
            "Body": "<!--html--><p>It is broken.</p>",
            "CommentDate": "2024-05-05T17:25:31Z",
        },
        {"CommentID": 2, "UserID": 1, "Body": "On it.", "CommentDate": "2024-05-05T18:00:00Z"},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.lower()
        if path.endswith("/authorization"):
            return httpx.Response(200, json={**ME, "IsAdmin": False})
        if path.endswith("/comments"):
            return httpx.Response(200, json=comments)
        if path.endswith("/techsforcategory"):
            return httpx.Response(200, json=[{"UserID": 1, "FirstName": "Ada"}])
        if path.endswith("/categories"):
            return httpx.Response(200, json=[{"CategoryID": 7, "Name": "General"}])
        return httpx.Response(200, json=detail(5))

    backend = backend_with(handler)
    try:
        await backend.whoami()
        before = await backend.get_thread("5")  # the body is not known yet: nothing is dropped
        await backend.get_ticket("5")
        after = await backend.get_thread("5")
    finally:
        await backend.aclose()
    assert [c.id for c in before] == ["1", "2"]
    assert [c.id for c in after] == ["2"] and after[0].author.is_agent


async def test_a_write_whose_check_cannot_be_read_still_succeeds() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, text="")
        return httpx.Response(503, text="busy")

    backend = backend_with(handler)
    try:
        await backend.update_ticket("5", TicketChange(priority_id="2"))  # sent and answered: not an error
        await backend.close_ticket("5")
    finally:
        await backend.aclose()


async def test_reads_wait_longer_unless_the_profile_sets_a_timeout() -> None:
    backend = backend_with(lambda r: httpx.Response(200))
    chosen = backend_with(lambda r: httpx.Response(200), timeout=5)
    try:
        assert backend.http.client.timeout.read == 60.0 and backend.http.client.timeout.connect == 10.0
        assert chosen.http.client.timeout.read == 5.0
    finally:
        await backend.aclose()
        await chosen.aclose()
