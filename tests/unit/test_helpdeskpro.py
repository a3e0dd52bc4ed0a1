"""HelpDesk Pro specifics: Sanctum login, bearer tokens, envelopes, 422 fields and rate limits, over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_dataset
from tui_desk.backends.helpdeskpro import HelpDeskProBackend, unwrap
from tui_desk.config.profile import Profile
from tui_desk.errors import AuthError, InvalidInput, NotFound, ProtocolError, Throttled, Unsupported
from tui_desk.http import LinkEvent, LinkState
from tui_desk.models import CommentKind, NewTicket, TicketQuery
from tui_desk.simulators.core import SimRequest, SimResponse, SimServer
from tui_desk.simulators.helpdeskpro import HelpDeskProSimulator

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def sim() -> HelpDeskProSimulator:
    return HelpDeskProSimulator(fresh_dataset())


@pytest.fixture
def srv(sim: HelpDeskProSimulator) -> Iterator[SimServer]:
    with SimServer(sim) as server:
        yield server


def make(srv: SimServer, **fields: Any) -> HelpDeskProBackend:
    values: dict[str, Any] = {"email": "demo@example.com", "password": "demo", **fields}
    profile = Profile.model_validate({"backend": "helpdeskpro", "url": srv.base_url, **values})
    backend = HelpDeskProBackend.create(profile)
    assert isinstance(backend, HelpDeskProBackend)
    return backend


@pytest.fixture
async def backend(srv: SimServer) -> AsyncIterator[HelpDeskProBackend]:
    desk = make(srv)
    try:
        yield desk
    finally:
        await desk.aclose()


def paths(sim: HelpDeskProSimulator) -> list[str]:
    return [path for _, path in sim.log]


# -- authentication -------------------------------------------------------------------------


async def test_login_then_bearer_on_later_calls(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    assert backend.session_token() is None
    await backend.login()
    token = backend.session_token()
    assert token is not None and token.get_secret_value().startswith("1|")
    me = await backend.whoami()
    assert me.id == str(sim.dataset.agents[0].id) and me.email == "demo@example.com"
    assert sim.auth_headers[0] == (LOGIN, None)
    assert sim.auth_headers[1] == ("/api/v1/auth/me", f"Bearer {token.get_secret_value()}")
    assert token.get_secret_value() not in repr(backend.http.client.auth)


async def test_calls_log_in_lazily_and_only_once(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    page = await backend.list_tickets(TicketQuery(state="all"), 1, 10)
    assert page.items
    await backend.categories()
    assert paths(sim).count(LOGIN) == 1
    assert paths(sim)[0] == LOGIN
    assert all(auth and auth.startswith("Bearer ") for _, auth in sim.auth_headers[1:])


async def test_concurrent_first_calls_share_one_login(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    await asyncio.gather(backend.statuses(), backend.priorities(), backend.categories(), backend.agents())
    assert paths(sim).count(LOGIN) == 1


async def test_a_given_token_skips_login(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    first = make(srv)
    try:
        await first.login()
        token = first.session_token()
    finally:
        await first.aclose()
    assert token is not None
    before = len(sim.log)
    second = make(srv, email=None, password=None, token=token.get_secret_value())
    try:
        agent = await second.whoami()
    finally:
        await second.aclose()
    assert agent.name == sim.dataset.agents[0].name
    assert paths(sim)[before:] == ["/api/v1/auth/me"]


async def test_logout_revokes_the_token(sim: HelpDeskProSimulator, srv: SimServer, backend: HelpDeskProBackend) -> None:
    await backend.login()
    token = backend.session_token()
    assert token is not None
    await backend.logout()
    assert backend.session_token() is None
    assert paths(sim)[-1] == "/api/v1/auth/logout"
    stale = make(srv, email=None, password=None, token=token.get_secret_value())
    try:
        with pytest.raises(AuthError):
            await stale.whoami()
    finally:
        await stale.aclose()


async def test_logout_keeps_a_token_from_the_profile(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    first = make(srv)
    try:
        await first.login()
        token = first.session_token()
    finally:
        await first.aclose()
    assert token is not None
    saved = make(srv, email=None, password=None, token=token.get_secret_value())
    try:
        await saved.whoami()
        await saved.logout()
    finally:
        await saved.aclose()
    assert "/api/v1/auth/logout" not in paths(sim)
    assert token.get_secret_value() in sim.tokens


async def test_bad_password_is_one_request_and_auth_error(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    desk = make(srv, password="wrong")
    try:
        with pytest.raises(AuthError) as info:
            await desk.whoami()
    finally:
        await desk.aclose()
    assert sim.request_count == 1
    assert "wrong" not in info.value.user_message()


class RejectsWith422(HelpDeskProSimulator):
    """A server that answers wrong credentials the way Laravel's validator often does: 422 on the email field."""

    def _login(self, request: SimRequest) -> SimResponse:
        if request.form().get("password") != "demo":
            return self.invalid({"email": ["These credentials do not match our records."]})
        return super()._login(request)


async def test_a_password_rejected_with_422_is_not_sent_again() -> None:
    sim = RejectsWith422(fresh_dataset())
    with SimServer(sim) as server:
        desk = make(server, password="wrong")
        try:
            for _ in range(3):  # start-up, R, an auto-refresh tick
                with pytest.raises(AuthError):
                    await desk.whoami()
        finally:
            await desk.aclose()
    assert paths(sim).count(LOGIN) == 1


async def test_missing_credentials_fail_without_a_request(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    desk = make(srv, password=None)
    try:
        with pytest.raises(AuthError):
            await desk.login()
    finally:
        await desk.aclose()
    assert sim.request_count == 0


async def test_unauthenticated_requests_get_the_error_envelope(srv: SimServer) -> None:
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        response = await client.get("/api/v1/tickets", headers={"Authorization": "Bearer 9|nope"})
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and body["message"] == "Unauthenticated."
    assert body["meta"]["version"] == "v1" and body["meta"]["timestamp"].endswith("Z")


# -- envelopes and paging -------------------------------------------------------------------


async def test_pages_carry_totals_from_the_envelope(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    total = len(sim.dataset.tickets)
    page = await backend.list_tickets(TicketQuery(state="all"), 2, 20)
    assert (page.number, page.size, page.total, page.has_next) == (2, 20, total, True)
    assert len(page.items) == 20
    last_number = -(-total // 20)
    last = await backend.list_tickets(TicketQuery(state="all"), last_number, 20)
    assert last.has_next is False and len(last.items) == total - 20 * (last_number - 1)
    record = sim.dataset.tickets[int(page.items[0].id)]
    assert page.items[0].number == str(100000 + record.id)


async def test_per_page_is_capped_at_100(srv: SimServer, backend: HelpDeskProBackend) -> None:
    await backend.login()
    page = await backend.list_tickets(TicketQuery(state="all"), 1, 500)
    assert page.size == 100 and len(page.items) == 100
    token = backend.session_token()
    assert token is not None
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        response = await client.get(
            "/api/v1/contacts",
            params={"per_page": 1000},
            headers={"Authorization": f"Bearer {token.get_secret_value()}"},
        )
    pagination = response.json()["meta"]["pagination"]
    assert pagination["per_page"] == 100 and pagination["from"] == 1 and pagination["to"] == 100


async def test_priority_sort_and_ranks(backend: HelpDeskProBackend) -> None:
    priorities = await backend.priorities()
    assert [p.rank for p in priorities] == [0, 1, 2, 3] and priorities[0].name == "Low"
    page = await backend.list_tickets(TicketQuery(state="all", sort="priority", descending=False), 1, 100)
    ranks = [t.priority.rank for t in page.items if t.priority]
    assert len(ranks) == 100 and ranks == sorted(ranks) and ranks[0] == 0


async def test_notes_are_internal_comments(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    tid = str(sim.dataset.ticket_list()[0].id)
    await backend.add_note(tid, "Only agents see this.")
    await backend.add_reply(tid, "Everyone sees this.")
    thread = await backend.get_thread(tid)
    assert [c.kind for c in thread[-2:]] == [CommentKind.NOTE, CommentKind.REPLY]
    assert [c.kind == "note" for c in sim.dataset.tickets[int(tid)].comments[-2:]] == [True, False]


async def test_success_false_on_a_2xx_turns_the_guessed_list_off(srv: SimServer) -> None:
    class Broken(HelpDeskProSimulator):
        def _statuses(self, request: SimRequest) -> SimResponse:
            return SimResponse.json({"success": False, "message": "nope"}, 200)

        def _categories(self, request: SimRequest) -> SimResponse:
            return SimResponse.json({"success": True, "meta": {}}, 200)

    with SimServer(Broken(fresh_dataset())) as broken:
        desk = make(broken)
        try:
            assert await desk.statuses() == []  # nothing seen on tickets yet
            assert await desk.categories() == []
            assert set(desk.limitations) == {"statuses", "categories"}
            assert "cannot read" in desk.limitations["statuses"].message
        finally:
            await desk.aclose()


def test_unwrap_returns_data_and_meta() -> None:
    data, meta = unwrap({"success": True, "data": [1], "meta": {"version": "v1"}}, "x")
    assert data == [1] and meta == {"version": "v1"}
    with pytest.raises(ProtocolError):
        unwrap([1, 2], "x")


async def test_unknown_ticket_is_not_found(backend: HelpDeskProBackend) -> None:
    with pytest.raises(NotFound):
        await backend.get_ticket("987654")


# -- validation -------------------------------------------------------------------------------


async def test_422_field_errors_reach_invalid_input(backend: HelpDeskProBackend) -> None:
    with pytest.raises(InvalidInput) as info:
        await backend.create_ticket(NewTicket(subject=" ", body="", priority_id="99"))
    fields = info.value.fields
    assert fields["subject"] == "The subject field is required."
    assert set(fields) == {"subject", "details", "priority_id"}
    assert "(and 2 more errors)" in info.value.message


async def test_create_ticket_on_behalf_of_a_contact(sim: HelpDeskProSimulator, backend: HelpDeskProBackend) -> None:
    contact = await backend.get_user(str(sim.dataset.users[2].id))
    ticket = await backend.create_ticket(
        NewTicket(subject="Dock is dead", body="<p>No <b>power</b></p>", requester=contact)
    )
    assert ticket.requester is not None and ticket.requester.email == contact.email
    assert ticket.body == "No power"
    assert ticket.status is not None and not ticket.status.closed


# -- rate limits ------------------------------------------------------------------------------


async def test_throttling_honours_retry_after_and_recovers(
    sim: HelpDeskProSimulator, backend: HelpDeskProBackend
) -> None:
    events: list[LinkEvent] = []
    backend.http.subscribe(events.append)
    await backend.login()
    sim.faults.throttle_every = sim.request_count + 1  # the very next request is throttled, its retry is not
    statuses = await backend.statuses()
    assert any(s.closed for s in statuses)
    assert [(e.state, e.wait) for e in events] == [(LinkState.WAITING, 1.0), (LinkState.ONLINE, 0.0)]
    assert paths(sim)[-2:] == ["/api/v1/statuses", "/api/v1/statuses"]


async def test_429_answer_is_documented_shape(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    sim.faults.throttle_every = 1
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        response = await client.get("/api/v1/statuses")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-RateLimit-Limit"] == "60" and response.headers["X-RateLimit-Remaining"] == "0"
    assert response.json()["success"] is False


async def test_every_answer_reports_the_rate_limit(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    sim.clock = lambda: 1000.0
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        login = await client.post(LOGIN, json={"email": "demo@example.com", "password": "demo"})
        token = login.json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        first = await client.get("/api/v1/statuses", headers=headers)
        second = await client.get("/api/v1/tickets/987654", headers=headers)  # a missing record
    assert (login.headers["X-RateLimit-Limit"], login.headers["X-RateLimit-Remaining"]) == ("5", "4")
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("60", "59")
    assert second.status_code == 404 and second.headers["X-RateLimit-Remaining"] == "58"
    assert second.json()["success"] is False


async def test_the_api_limiter_when_enforced(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    now = [1000.0]
    sim.clock = lambda: now[0]
    sim.enforce_api_limit = True
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        login = await client.post(LOGIN, json={"email": "demo@example.com", "password": "demo"})
        headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        for _ in range(60):
            assert (await client.get("/api/v1/priorities", headers=headers)).status_code == 200
        now[0] += 15
        refused = await client.get("/api/v1/priorities", headers=headers)
        now[0] += 45
        again = await client.get("/api/v1/priorities", headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "45"
    assert again.status_code == 200


async def test_login_is_limited_to_five_a_minute(sim: HelpDeskProSimulator, srv: SimServer) -> None:
    now = [5000.0]
    sim.clock = lambda: now[0]
    for _ in range(5):
        desk = make(srv)
        try:
            await desk.login()
        finally:
            await desk.aclose()
    desk = make(srv)
    desk.http.use_clock(lambda: now[0], desk.http._sleep)  # our pause is timed by the same clock as the server's
    try:
        before = sim.request_count
        with pytest.raises(Throttled) as info:
            await desk.login()
        assert sim.request_count - before == 1  # a minute-long wait is not slept through
        assert info.value.retry_after == 60
        now[0] += 61
        await desk.login()
        assert desk.session_token() is not None
    finally:
        await desk.aclose()


# -- capabilities -----------------------------------------------------------------------------


async def test_assets_are_unsupported(backend: HelpDeskProBackend) -> None:
    assert backend.capabilities.assets is False
    with pytest.raises(Unsupported):
        await backend.asset_types()
    with pytest.raises(Unsupported):
        await backend.list_assets(None, None, 1, 10)


def test_api_root() -> None:
    assert HelpDeskProBackend.api_root("https://hd.example.com/") == "https://hd.example.com/api/v1/"
